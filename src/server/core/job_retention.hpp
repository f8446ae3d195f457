#pragma once
// How long finished jobs are kept (--retention-completed, --retention-deadletter), so that a
// long-running deployment does not grow without bound. Runs as a background duty (once per cluster on
// PostgreSQL) through the Store interface only, so both stores keep the same rule.
#include <chrono>
#include <optional>

#include "common/task.hpp"
#include "common/time.hpp"
#include "server/store/store.hpp"

namespace spooled::server {

struct RetentionPolicy {
  std::optional<std::chrono::seconds> completed;   // completed and cancelled jobs; nullopt: kept forever
  std::optional<std::chrono::seconds> deadletter;  // dead-lettered jobs; nullopt: kept forever
  // Outgoing webhooks' finished deliveries (the attempt log GET .../deliveries shows); nullopt: kept forever.
  std::optional<std::chrono::seconds> webhookDeliveries;
  bool any() const { return completed || deadletter || webhookDeliveries; }
};

// Deletes jobs that finished (completed_at) longer ago than the policy keeps them, oldest first, at
// most `limit` per organization and status per call (one transaction each, so no call holds the
// writer long). Returns how many it deleted.
Task<long long> purgeExpiredJobs(Store& store, const RetentionPolicy& policy, TimePoint now, int limit = 500);

// Deletes webhook deliveries that finished (success or failed) and were created longer ago than the
// policy keeps them, at most `limit` per webhook per call (one transaction each). Pending deliveries
// are never deleted. Returns how many it deleted.
Task<long long> purgeOldWebhookDeliveries(Store& store, const RetentionPolicy& policy, TimePoint now, int limit = 500);

}  // namespace spooled::server
