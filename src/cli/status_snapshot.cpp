#include "cli/status_snapshot.hpp"

#include <cstdio>
#include <ostream>

#include "cli/cli_context.hpp"
#include "cli/json_views.hpp"
#include "cli/table.hpp"

namespace spooled::cli {

StatusSnapshot takeSnapshot(SpooledClient& client, const std::optional<std::string>& onlyQueue) {
  StatusSnapshot s;
  s.dashboard = client.dashboard().get();
  for (const auto& q : s.dashboard.queues) {
    if (onlyQueue && q.name != *onlyQueue) continue;
    QueueRow row{.name = q.name, .pending = q.pending, .processing = q.processing, .paused = q.paused};
    const QueueStats stats = client.queues().stats(q.name);
    row.failed24h = stats.failedJobs24h;
    row.workers = stats.activeWorkers;
    const auto dead = client.jobs().dlq().list({.queueName = q.name, .limit = kDlqCountCap});
    row.deadletter = static_cast<long long>(dead.size());
    row.deadletterCapped = dead.size() >= static_cast<std::size_t>(kDlqCountCap);
    s.queues.push_back(row);
  }
  if (onlyQueue && s.queues.empty()) {
    // A queue the dashboard does not list yet (no jobs, no config) still has stats: zeros.
    const QueueStats stats = client.queues().stats(*onlyQueue);
    s.queues.push_back({.name = *onlyQueue, .pending = stats.pendingJobs, .processing = stats.processingJobs,
                        .failed24h = stats.failedJobs24h, .workers = stats.activeWorkers});
  }
  return s;
}

json toJson(const StatusSnapshot& s) {
  json out = toJson(s.dashboard);
  json rows = json::array();
  for (const auto& q : s.queues)
    rows.push_back({{"name", q.name},
                    {"pending", q.pending},
                    {"processing", q.processing},
                    {"failed_24h", q.failed24h},
                    {"deadletter", q.deadletter},
                    {"deadletter_capped", q.deadletterCapped},
                    {"active_workers", q.workers},
                    {"paused", q.paused}});
  out["queues"] = rows;
  return out;
}

namespace {

// "3d 4h", "2h 5m", "4m 10s", "9s".
std::string humanDuration(long long seconds) {
  const long long d = seconds / 86400, h = seconds % 86400 / 3600, m = seconds % 3600 / 60, sec = seconds % 60;
  if (d > 0) return std::to_string(d) + "d " + std::to_string(h) + "h";
  if (h > 0) return std::to_string(h) + "h " + std::to_string(m) + "m";
  if (m > 0) return std::to_string(m) + "m " + std::to_string(sec) + "s";
  return std::to_string(sec) + "s";
}

}  // namespace

void printSnapshot(CliContext& ctx, const StatusSnapshot& s, std::ostream& out) {
  const auto& d = s.dashboard;
  char avg[64] = "-";
  if (d.jobs.avgProcessingTimeMs) std::snprintf(avg, sizeof avg, "%.1f ms", *d.jobs.avgProcessingTimeMs);
  char perMinute[64];
  std::snprintf(perMinute, sizeof perMinute, "%.1f/min", static_cast<double>(d.recentActivity.jobsCompleted1h) / 60);
  out << ctx.paint("spooled-server " + d.system.version, ansi::bold) << "  up " << humanDuration(d.system.uptimeSeconds)
      << "  database " << ctx.paintStatus(d.system.databaseStatus) << "\n";
  out << "jobs     " << d.jobs.pending << " pending, " << d.jobs.processing << " processing, "
      << d.jobs.completed24h << " completed 24h, " << d.jobs.failed24h << " failed 24h, " << d.jobs.deadletter
      << " dead-lettered; avg processing " << avg << "\n";
  out << "workers  " << d.workers.total << " (" << d.workers.healthy << " healthy, " << d.workers.unhealthy
      << " unhealthy)\n";
  out << "last 1h  " << d.recentActivity.jobsCreated1h << " created, " << d.recentActivity.jobsCompleted1h
      << " completed, " << d.recentActivity.jobsFailed1h << " failed (" << perMinute
      << " completed)\n\n";
  Table table({"QUEUE", "STATE", "PENDING", "PROCESSING", "FAILED 24H", "DEAD-LETTER", "WORKERS"});
  for (const auto& q : s.queues) {
    const std::string dead = std::to_string(q.deadletter) + (q.deadletterCapped ? "+" : "");
    table.add({q.name, q.paused ? ctx.paintStatus("paused") : ctx.paint("active", ansi::green), std::to_string(q.pending),
               std::to_string(q.processing), q.failed24h > 0 ? ctx.paint(std::to_string(q.failed24h), ansi::red) : "0",
               q.deadletter > 0 ? ctx.paint(dead, ansi::red) : dead, std::to_string(q.workers)});
  }
  if (table.empty()) out << "no queues yet\n";
  else table.print(out, ctx.colorEnabled());
}

}  // namespace spooled::cli
