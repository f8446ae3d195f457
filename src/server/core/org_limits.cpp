#include "server/core/org_limits.hpp"

#include "common/error_code.hpp"

namespace spooled::server {

namespace {

[[noreturn]] void limitReached(const char* resource, const char* what, long long current, long long limit) {
  throw ApiError(ErrorCode::LimitExceeded,
                 "This organization has reached its limit of " + std::to_string(limit) + " " + what +
                     "; remove some, or ask the server's operator to raise the limit",
                 json{{"resource", resource}, {"current", current}, {"limit", limit}});
}

}  // namespace

void requireQueueRoom(StoreReader& tx, const OrgLimits& limits, const std::string& orgId,
                      const std::string& queueName) {
  if (tx.queueExists(orgId, queueName)) return;
  const long long queues = tx.countQueues(orgId, limits.maxQueues);
  if (queues >= limits.maxQueues) limitReached("queues", "queues", queues, limits.maxQueues);
}

void requireWorkerRoom(StoreReader& tx, const OrgLimits& limits, const std::string& orgId) {
  const long long workers = tx.countLiveWorkers(orgId);
  if (workers >= limits.maxWorkers) limitReached("workers", "live workers", workers, limits.maxWorkers);
}

void requireApiKeyRoom(StoreReader& tx, const OrgLimits& limits, const std::string& orgId) {
  const long long keys = tx.countActiveApiKeys(orgId);
  if (keys >= limits.maxApiKeys) limitReached("api_keys", "active API keys", keys, limits.maxApiKeys);
}

}  // namespace spooled::server
