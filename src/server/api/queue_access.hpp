#pragma once
// Queue permissions for routes that name a job or worker by id, or list them. A key limited to some
// queues gets 403 ACCESS_DENIED for a job or worker of another queue (of its own organization; other
// organizations' ids stay 404), and lists show it only its queues. Keys with every queue skip the
// extra read, so the common case costs nothing.
#include <string>
#include <vector>

#include "server/auth/auth_context.hpp"
#include "server/store/store.hpp"

namespace spooled::server {

// 403 when the job exists in auth's organization on a queue the key may not use. A missing job is
// left to the caller's own 404.
void requireJobQueueAccess(Store& store, const AuthContext& auth, const std::string& jobId);
void requireWorkerQueueAccess(Store& store, const AuthContext& auth, const std::string& workerId);

// Drops the records of queues the key may not use (records have a queueName).
template <class Record>
void keepAllowedQueues(const AuthContext& auth, std::vector<Record>& records) {
  if (auth.allowsAllQueues()) return;
  std::erase_if(records, [&](const Record& r) { return !auth.allowsQueue(r.queueName); });
}

}  // namespace spooled::server
