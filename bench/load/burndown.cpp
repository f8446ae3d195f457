// spooled-bench burndown: bulk enqueue N no-op jobs, then drain them with SpooledWorkers.
#include <condition_variable>
#include <mutex>

#include "bench_util.hpp"
#include "bulk_loader.hpp"
#include "report.hpp"
#include "commands.hpp"
#include "worker_fleet.hpp"

namespace spooled::bench {

Report runBurndown(BenchServer& server, const BurndownOptions& options) {
  const std::string queue = freshQueueName("burndown");
  progress("enqueueing " + std::to_string(options.jobs) + " jobs on " + queue + " (bulk, batches of " +
           std::to_string(options.batchSize) + ", " + std::to_string(options.enqueueThreads) + " threads)");
  // CPU per job, of the server and of this process (the load generator: producers, then workers), so
  // a figure can be told apart from what the machine's two cores allowed.
  const auto serverCpuStart = server.cpuMicros();
  const auto databaseCpuStart = server.databaseCpuMicros();
  const auto ownCpuStart = processCpuMicros(0);
  const double enqueueSeconds = bulkEnqueue(server.urls(), server.apiKey(),
                                            BulkLoad{queue, options.jobs, options.batchSize, options.enqueueThreads});
  const auto serverCpuEnqueued = server.cpuMicros();
  const auto databaseCpuEnqueued = server.databaseCpuMicros();
  const auto ownCpuEnqueued = processCpuMicros(0);

  std::mutex mutex;
  std::condition_variable allDone;
  long long completed = 0;
  Clock::time_point lastCompletion;
  auto onCompleted = [&](const WorkerEvent&) {
    const std::lock_guard lock(mutex);
    lastCompletion = Clock::now();
    if (++completed == options.jobs) allDone.notify_all();
  };
  FleetOptions fleetOptions{queue, options.workers, options.concurrency, options.officialApi,
                            std::chrono::milliseconds(options.pollIntervalMs)};
  WorkerFleet fleet(server.urls(), server.apiKey(), fleetOptions, [](JobContext&) {}, onCompleted);
  progress("draining with " + std::to_string(options.workers) + " workers x concurrency " +
           std::to_string(options.concurrency) + (options.officialApi ? " (official API only)" : ""));
  const auto drainStarted = Clock::now();
  fleet.start();
  bool finished = false;
  {
    std::unique_lock lock(mutex);
    finished = allDone.wait_for(lock, std::chrono::seconds(options.timeoutSeconds),
                                [&] { return completed >= options.jobs; });
  }
  const auto serverCpuDrained = server.cpuMicros();
  const auto databaseCpuDrained = server.databaseCpuMicros();
  const auto ownCpuDrained = processCpuMicros(0);
  fleet.stop();
  const std::lock_guard lock(mutex);
  const auto jobs = static_cast<double>(options.jobs);
  const double drainSeconds = completed > 0 ? millisBetween(drainStarted, lastCompletion) / 1000.0 : 0;
  Report report{{"command", "burndown"},
              {"server", server.description()},
              {"servers", server.urls().size()},
              {"jobs", options.jobs},
              {"workers", options.workers},
              {"concurrency", options.concurrency},
              {"official_api", options.officialApi},
              {"enqueue_seconds", roundedSeconds(enqueueSeconds)},
              {"enqueue_jobs_per_sec", perSecond(static_cast<double>(options.jobs), enqueueSeconds)},
              {"completed", completed},
              {"drain_seconds", roundedSeconds(drainSeconds)},
              {"drain_jobs_per_sec", perSecond(static_cast<double>(completed), drainSeconds)},
              {"worker_errors", fleet.errors()},
              {"server_cpu_us_per_job_enqueue", optionalNumber(cpuMicrosPer(serverCpuStart, serverCpuEnqueued, jobs))},
              {"server_cpu_us_per_job_drain",
               optionalNumber(cpuMicrosPer(serverCpuEnqueued, serverCpuDrained, static_cast<double>(completed)))},
              {"database_cpu_us_per_job_enqueue",
               optionalNumber(cpuMicrosPer(databaseCpuStart, databaseCpuEnqueued, jobs))},
              {"database_cpu_us_per_job_drain",
               optionalNumber(cpuMicrosPer(databaseCpuEnqueued, databaseCpuDrained, static_cast<double>(completed)))},
              {"client_cpu_us_per_job_enqueue", optionalNumber(cpuMicrosPer(ownCpuStart, ownCpuEnqueued, jobs))},
              {"client_cpu_us_per_job_drain",
               optionalNumber(cpuMicrosPer(ownCpuEnqueued, ownCpuDrained, static_cast<double>(completed)))}};
  if (!finished) report["incomplete"] = "the drain did not finish within --timeout-seconds";
  if (fleet.errors() > 0) report["first_worker_error"] = fleet.firstError();
  return report;
}

}  // namespace spooled::bench
