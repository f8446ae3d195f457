#include "worker_fleet.hpp"

#include <mutex>
#include <thread>

namespace spooled::bench {

namespace {

// THE ONE PLACE where `--official-api` decides what the SDK may send: everything our server adds to
// the official Spooled API is turned off here, so the drain uses claim with `limit` and one
// complete per job, as an official server would be driven.
void officialApiOnly(WorkerOptions& options) {
  options.longPoll = false;   // no `wait_ms` on claims
  options.batchAcks = false;  // one complete per job, no POST /api/v1/jobs/ack
}

WorkerOptions workerOptions(const FleetOptions& fleet) {
  WorkerOptions options;
  options.queueName = fleet.queueName;
  options.concurrency = fleet.concurrency;
  options.pollInterval = fleet.pollInterval;
  options.shutdownTimeout = std::chrono::milliseconds(5000);
  options.workerType = "spooled-bench";
  if (fleet.officialApi) officialApiOnly(options);
  return options;
}

}  // namespace

ClientOptions benchClientOptions(const std::string& url, const std::string& apiKey) {
  ClientOptions options;
  options.baseUrl = url;
  options.apiKey = apiKey;
  options.retry.maxRetries = 0;
  options.circuitBreaker.enabled = false;
  options.userAgent = "spooled-bench";
  return options;
}

WorkerFleet::WorkerFleet(const std::vector<std::string>& urls, const std::string& apiKey, const FleetOptions& options,
                         Handler handler, CompletedCallback onCompleted) {
  WorkerOptions perWorker = workerOptions(options);
  perWorker.logger = [this](LogLevel level, std::string_view message) {
    if (level != LogLevel::error) return;
    ++errors_;
    const std::lock_guard lock(errorMutex_);
    if (firstError_.empty()) firstError_ = std::string(message);
  };
  for (int i = 0; i < options.workers; ++i) {
    const std::string& url = urls.at(static_cast<std::size_t>(i) % urls.size());
    clients_.push_back(std::make_unique<SpooledClient>(benchClientOptions(url, apiKey)));
    auto worker = std::make_unique<SpooledWorker>(*clients_.back(), perWorker);
    worker->process(handler);
    worker->on(worker_events::jobCompleted, onCompleted);
    workers_.push_back(std::move(worker));
  }
}

WorkerFleet::~WorkerFleet() { stop(); }

void WorkerFleet::start() {
  for (auto& worker : workers_) worker->start();
}

void WorkerFleet::stop() {
  for (auto& worker : workers_) worker->stop("benchmark finished");
  for (auto& worker : workers_) worker->wait();
}

std::string WorkerFleet::firstError() const {
  const std::lock_guard lock(errorMutex_);
  return firstError_;
}

}  // namespace spooled::bench
