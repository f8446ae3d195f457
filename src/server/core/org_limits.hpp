#pragma once
// What one organization may create: queues, live workers and active API keys. Without a cap one key
// could create queues by the tens of thousands (a job on a new name is enough) and every listing and
// metrics scrape would grow with them. Each check runs inside the write transaction that adds the
// thing, so concurrent requests cannot both take the last slot; over the limit it throws
// ApiError(LimitExceeded): 403 LIMIT_EXCEEDED, as the official backend answers a plan limit, with
// details {resource, current, limit}. Configured by --max-queues-per-org, --max-workers-per-org and
// --max-api-keys-per-org.
#include <string>

#include "server/store/store.hpp"

namespace spooled::server {

struct OrgLimits {
  long long maxQueues = 1000;    // queues with jobs or a configuration record
  long long maxWorkers = 10000;  // workers not offline (healthy, degraded, draining)
  long long maxApiKeys = 100;    // keys not revoked
};

// Before a job or a queue record is stored on queueName: free when the queue already exists, else
// the organization must have fewer than maxQueues queues.
void requireQueueRoom(StoreReader& tx, const OrgLimits& limits, const std::string& orgId, const std::string& queueName);
// Before a worker becomes live (registration, or a heartbeat bringing an offline worker back).
void requireWorkerRoom(StoreReader& tx, const OrgLimits& limits, const std::string& orgId);
// Before a key becomes active (creation, or re-activation of a revoked key).
void requireApiKeyRoom(StoreReader& tx, const OrgLimits& limits, const std::string& orgId);

}  // namespace spooled::server
