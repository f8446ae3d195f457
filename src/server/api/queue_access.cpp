#include "server/api/queue_access.hpp"

#include "server/api/api_services.hpp"

namespace spooled::server {

void requireJobQueueAccess(Store& store, const AuthContext& auth, const std::string& jobId) {
  if (auth.allowsAllQueues()) return;
  const auto job = store.readResult([&](StoreReader& r) { return r.findJob(auth.orgId, jobId); });
  if (job) requireQueueAccess(auth, job->queueName);
}

void requireWorkerQueueAccess(Store& store, const AuthContext& auth, const std::string& workerId) {
  if (auth.allowsAllQueues()) return;
  const auto worker = store.readResult([&](StoreReader& r) { return r.findWorker(auth.orgId, workerId); });
  if (worker) requireQueueAccess(auth, worker->queueName);
}

}  // namespace spooled::server
