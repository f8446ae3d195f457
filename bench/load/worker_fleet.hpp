#pragma once
// The workers a benchmark drains with: `workers` SpooledWorkers on one queue, each with its own
// SpooledClient (as separate worker processes would have), running one handler.
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "spooled/client.hpp"
#include "spooled/worker.hpp"

namespace spooled::bench {

struct FleetOptions {
  std::string queueName;
  int workers = 4;
  int concurrency = 8;
  // Only calls the official Spooled API has (see officialApiOnly in worker_fleet.cpp).
  bool officialApi = false;
  std::chrono::milliseconds pollInterval{1000};
};

// A client for benchmark traffic: no retries and no circuit breaker, so a failure shows as a
// failure instead of as a slower figure.
ClientOptions benchClientOptions(const std::string& url, const std::string& apiKey);

class WorkerFleet {
 public:
  using Handler = std::function<void(JobContext&)>;
  using CompletedCallback = std::function<void(const WorkerEvent&)>;

  // Worker i talks to urls[i % urls.size()] (several servers on one database).
  WorkerFleet(const std::vector<std::string>& urls, const std::string& apiKey, const FleetOptions& options, Handler handler,
              CompletedCallback onCompleted);
  ~WorkerFleet();  // stops what is still running
  WorkerFleet(const WorkerFleet&) = delete;
  WorkerFleet& operator=(const WorkerFleet&) = delete;

  // Registers every worker; they start claiming at once.
  void start();
  // Graceful stop of every worker, in parallel; returns when all have stopped.
  void stop();
  // `error` events and runtime errors logged so far (failed claims, completes, heartbeats).
  long errors() const { return errors_.load(); }
  // The first error message, for the report; empty when there was none.
  std::string firstError() const;

 private:
  std::vector<std::unique_ptr<SpooledClient>> clients_;
  std::vector<std::unique_ptr<SpooledWorker>> workers_;
  std::atomic<long> errors_{0};
  mutable std::mutex errorMutex_;
  std::string firstError_;
};

}  // namespace spooled::bench
