#pragma once
// What `spooled status` and `spooled watch` show: the dashboard (jobs, workers, last hour) plus,
// per queue, the counts the dashboard lacks (failed in 24 h, dead-lettered, workers). Taken with
// 1 + 2 x queues calls; `watch` takes one per tick.
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "spooled/client.hpp"

namespace spooled::cli {

class CliContext;

struct QueueRow {
  std::string name;
  long long pending = 0;
  long long processing = 0;
  long long failed24h = 0;
  long long deadletter = 0;     // counted up to kDlqCountCap
  bool deadletterCapped = false;
  long long workers = 0;
  bool paused = false;
};

struct StatusSnapshot {
  DashboardData dashboard;
  std::vector<QueueRow> queues;
};

inline constexpr int kDlqCountCap = 100;  // one page of the DLQ list; more shows as "100+"

// Reads everything; `onlyQueue` limits the per-queue rows to that queue.
StatusSnapshot takeSnapshot(SpooledClient& client, const std::optional<std::string>& onlyQueue);

json toJson(const StatusSnapshot& snapshot);
// The human form: a summary block and the queue table.
void printSnapshot(CliContext& ctx, const StatusSnapshot& snapshot, std::ostream& out);

}  // namespace spooled::cli
