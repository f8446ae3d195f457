#pragma once
// Worker registration and liveness: register, heartbeat, deregister, and marking silent workers offline.
#include <optional>
#include <string>

#include "server/core/job_engine.hpp"
#include "server/core/org_limits.hpp"
#include "server/store/store.hpp"

namespace spooled::server {

struct RegisterWorkerInput {
  std::string queueName;
  std::string hostname;
  std::optional<std::string> workerType;
  int maxConcurrency = 5;
  json metadata = json::object();
  std::optional<std::string> version;
};

struct WorkerHeartbeatInput {
  int currentJobs = 0;
  std::optional<std::string> status;  // healthy | degraded | draining
  std::optional<json> metadata;
};

class WorkerRegistry {
 public:
  // A worker silent for `offlineAfter` is marked offline by markSilentWorkersOffline().
  WorkerRegistry(Store& store, std::chrono::seconds offlineAfter = std::chrono::seconds(90), NowFn now = nowMs);

  Task<WorkerRecord> registerWorker(const std::string& orgId, const RegisterWorkerInput& input);
  Task<WorkerRecord> heartbeat(const std::string& orgId, const std::string& workerId, const WorkerHeartbeatInput& input);
  Task<WorkerRecord> deregister(const std::string& orgId, const std::string& workerId);
  Task<int> markSilentWorkersOffline(int batchLimit = 500);

  // What one organization may have: live workers count against maxWorkers. Set before sharing.
  void setOrgLimits(const OrgLimits& limits) { limits_ = limits; }
  // Who hears of registrations, heartbeats and workers going offline (JobEngine::feed()). Set before
  // sharing; the feed must outlive the registry.
  void setFeed(const ChangeFeed* feed) { feed_ = feed; }

 private:
  WorkerEvent eventFor(WorkerEvent::Kind kind, const WorkerRecord& worker) const;
  void emit(WorkerEvent::Kind kind, const WorkerRecord& worker) const;
  // In-transaction listeners (the webhook outbox) hear of the change before it commits.
  void recordInTx(StoreTx& tx, WorkerEvent::Kind kind, const WorkerRecord& worker) const;

  Store& store_;
  std::chrono::seconds offlineAfter_;
  NowFn now_;
  OrgLimits limits_;
  const ChangeFeed* feed_ = nullptr;
};

}  // namespace spooled::server
