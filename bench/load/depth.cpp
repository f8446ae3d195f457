// spooled-bench depth: how claim latency changes with the number of pending jobs. The queue is
// filled (bulk) to each level in turn; at each level one client claims one job at a time, timing
// each claim, then completes what it claimed (untimed) so the level stays what it says.
#include <optional>

#include "bench_util.hpp"
#include "bulk_loader.hpp"
#include "commands.hpp"
#include "latency_stats.hpp"
#include "worker_fleet.hpp"

namespace spooled::bench {

namespace {

constexpr int kWarmupClaims = 5;

}  // namespace

Report runDepth(BenchServer& server, const DepthOptions& options) {
  if (options.pendingLevels.empty() || options.pendingLevels.front() < options.claims + kWarmupClaims) {
    throw std::invalid_argument("--levels must start at no less than --claims + " + std::to_string(kWarmupClaims));
  }
  const std::string queue = freshQueueName("depth");
  SpooledClient client(benchClientOptions(server.url(), server.apiKey()));
  const std::string workerId = "spooled-bench-depth";
  auto claimOne = [&] {
    return client.jobs().claim({.queueName = queue, .workerId = workerId, .limit = 1, .leaseDurationSecs = 3600});
  };
  Report levels = Report::array();
  long long pending = 0;
  for (const long long level : options.pendingLevels) {
    const long long missing = level - pending;
    if (missing > 0) {
      progress("filling " + queue + " to " + std::to_string(level) + " pending jobs");
      const double seconds = bulkEnqueue(server.urls(), server.apiKey(), BulkLoad{queue, missing, 100, options.enqueueThreads});
      progress("  " + std::to_string(missing) + " jobs at " +
               std::to_string(perSecond(static_cast<double>(missing), seconds)) + " jobs/s");
      pending = level;
    }
    std::vector<ClaimedJob> claimed;
    for (int i = 0; i < kWarmupClaims; ++i) {
      for (auto& job : claimOne()) claimed.push_back(std::move(job));
    }
    std::vector<double> latencies;
    for (int i = 0; i < options.claims; ++i) {
      const auto before = Clock::now();
      std::vector<ClaimedJob> jobs = claimOne();
      latencies.push_back(millisBetween(before, Clock::now()));
      if (jobs.empty()) throw std::runtime_error("a claim found no job with " + std::to_string(pending) + " pending");
      claimed.push_back(std::move(jobs.front()));
    }
    for (const ClaimedJob& job : claimed) {
      client.jobs().complete(job.id, {.workerId = workerId, .leaseId = job.leaseId});
    }
    pending -= static_cast<long long>(claimed.size());
    levels.push_back({{"pending", level},
                      {"claim_latency_ms", summarize(latencies).toJson()},
                      {"server_rss_mb", optionalNumber(server.rssMb())}});
  }
  Report report{{"command", "depth"}, {"server", server.description()}, {"queue", queue}, {"levels", levels}};
  if (!levels.empty()) {
    const Report& smallest = levels.front()["claim_latency_ms"];
    const Report& largest = levels.back()["claim_latency_ms"];
    report["largest_pending"] = levels.back()["pending"];
    report["server_rss_mb_at_largest"] = levels.back()["server_rss_mb"];
    const double base = smallest["p50"].get<double>();
    report["p50_ratio_largest_to_smallest"] = base > 0 ? largest["p50"].get<double>() / base : 0.0;
  }
  return report;
}

}  // namespace spooled::bench
