// spooled-bench steady: one job at a time at a fixed rate while workers run them. Each job carries its
// enqueue time in its payload; the handler notes when it starts, and the worker's job:completed
// event (sent once the server acknowledged the completion) when it is done. The producer and the
// workers run in this process, so one monotonic clock serves all three moments.
#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "bench_util.hpp"
#include "commands.hpp"
#include "latency_stats.hpp"
#include "worker_fleet.hpp"

namespace spooled::bench {

namespace {

constexpr int kSendersPerClient = 8;

long long nowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now().time_since_epoch()).count();
}

// What the handlers and the completion events record, shared by every worker thread.
struct LatencyLog {
  std::mutex mutex;
  std::condition_variable changed;
  std::map<std::string, long long> enqueuedAt;  // job id -> enqueue time (µs), from handler start
  std::vector<double> startMs;
  std::vector<double> completeMs;
  long long unknownCompletions = 0;

  void started(const std::string& jobId, long long enqueuedMicros) {
    const double latency = static_cast<double>(nowMicros() - enqueuedMicros) / 1000.0;
    const std::lock_guard lock(mutex);
    startMs.push_back(latency);
    enqueuedAt[jobId] = enqueuedMicros;
  }
  void completed(const std::string& jobId) {
    const long long now = nowMicros();
    {
      const std::lock_guard lock(mutex);
      const auto it = enqueuedAt.find(jobId);
      if (it == enqueuedAt.end()) {
        ++unknownCompletions;
      } else {
        completeMs.push_back(static_cast<double>(now - it->second) / 1000.0);
        enqueuedAt.erase(it);
      }
    }
    changed.notify_all();
  }
};

}  // namespace

Report runSteady(BenchServer& server, const SteadyOptions& options) {
  if (options.rate <= 0 || options.seconds <= 0) throw std::invalid_argument("--rate and --seconds must be positive");
  const std::string queue = freshQueueName("steady");
  const auto total = static_cast<long long>(options.rate * options.seconds);
  LatencyLog log;
  FleetOptions fleetOptions{queue, options.workers, options.concurrency, options.officialApi,
                            std::chrono::milliseconds(options.pollIntervalMs)};
  WorkerFleet fleet(
      server.urls(), server.apiKey(), fleetOptions,
      [&log](JobContext& ctx) { log.started(ctx.jobId, ctx.payload.value("enqueued_us", 0LL)); },
      [&log](const WorkerEvent& event) { log.completed(event.jobId); });
  fleet.start();

  progress("enqueueing " + std::to_string(total) + " jobs at " + std::to_string(static_cast<long long>(options.rate)) +
           "/s on " + queue + (options.officialApi ? " (official API only)" : ""));
  // A client keeps 8 idle connections; one per 8 senders, so no create pays for a new connection.
  std::vector<std::unique_ptr<SpooledClient>> producers;
  const int senderCount = std::max(1, options.senders);
  for (int i = 0; i < (senderCount + kSendersPerClient - 1) / kSendersPerClient; ++i)
    producers.push_back(std::make_unique<SpooledClient>(benchClientOptions(server.url(), server.apiKey())));
  std::atomic<long long> next{0};
  std::atomic<long long> enqueued{0};
  std::atomic<long long> enqueueErrors{0};
  std::mutex enqueueMutex;
  std::vector<double> enqueueMs;
  const auto started = Clock::now();
  const std::chrono::duration<double> interval(1.0 / options.rate);
  auto sender = [&](SpooledClient& producer) {
    for (long long i = next++; i < total; i = next++) {
      std::this_thread::sleep_until(started + std::chrono::duration_cast<Clock::duration>(interval * i));
      const auto sentAt = Clock::now();
      try {
        producer.jobs().create({.queueName = queue, .payload = {{"enqueued_us", nowMicros()}}});
        ++enqueued;
      } catch (const std::exception&) {
        ++enqueueErrors;
        continue;
      }
      const std::lock_guard lock(enqueueMutex);
      enqueueMs.push_back(millisBetween(sentAt, Clock::now()));
    }
  };
  std::vector<std::thread> senders;
  for (int i = 0; i < senderCount; ++i) senders.emplace_back(sender, std::ref(*producers[i / kSendersPerClient]));
  for (auto& thread : senders) thread.join();
  const double enqueueSeconds = secondsSince(started);

  bool drained = false;
  {
    std::unique_lock lock(log.mutex);
    drained = log.changed.wait_for(lock, std::chrono::seconds(options.drainTimeoutSeconds), [&] {
      return static_cast<long long>(log.completeMs.size()) >= enqueued.load();
    });
  }
  fleet.stop();
  const std::lock_guard lock(log.mutex);
  Report report{{"command", "steady"},
              {"server", server.description()},
              {"rate", options.rate},
              {"seconds", options.seconds},
              {"workers", options.workers},
              {"concurrency", options.concurrency},
              {"official_api", options.officialApi},
              {"enqueued", enqueued.load()},
              {"enqueue_errors", enqueueErrors.load()},
              {"achieved_rate", perSecond(static_cast<double>(enqueued.load()), enqueueSeconds)},
              {"started", log.startMs.size()},
              {"completed", log.completeMs.size()},
              {"enqueue_latency_ms", summarize(enqueueMs).toJson()},
              {"start_latency_ms", summarize(log.startMs).toJson()},
              {"complete_latency_ms", summarize(log.completeMs).toJson()},
              {"worker_errors", fleet.errors()}};
  if (!drained) report["incomplete"] = "not every job completed within --drain-timeout-seconds";
  if (fleet.errors() > 0) report["first_worker_error"] = fleet.firstError();
  return report;
}

}  // namespace spooled::bench
