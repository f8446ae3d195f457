#include "server/core/worker_registry.hpp"

#include "common/error_code.hpp"
#include "common/ids.hpp"

namespace spooled::server {

namespace {

WorkerRecord loadWorker(StoreTx& tx, const std::string& orgId, const std::string& workerId) {
  auto worker = tx.findWorker(orgId, workerId);
  if (!worker) throw ApiError(ErrorCode::NotFound, "worker " + workerId + " not found");
  return std::move(*worker);
}

}  // namespace

WorkerRegistry::WorkerRegistry(Store& store, std::chrono::seconds offlineAfter, NowFn now)
    : store_(store), offlineAfter_(offlineAfter), now_(std::move(now)) {}

WorkerEvent WorkerRegistry::eventFor(WorkerEvent::Kind kind, const WorkerRecord& worker) const {
  return WorkerEvent{kind, worker.orgId, worker.id, worker.queueName, worker.hostname, worker.status, worker.currentJobs};
}

void WorkerRegistry::emit(WorkerEvent::Kind kind, const WorkerRecord& worker) const {
  if (feed_ != nullptr && !feed_->empty()) feed_->emit(eventFor(kind, worker));
}

void WorkerRegistry::recordInTx(StoreTx& tx, WorkerEvent::Kind kind, const WorkerRecord& worker) const {
  if (feed_ != nullptr && feed_->wantsTx() && feed_->wantsTx(tx, worker.orgId)) feed_->emitInTx(tx, eventFor(kind, worker));
}

Task<WorkerRecord> WorkerRegistry::registerWorker(const std::string& orgId, const RegisterWorkerInput& input) {
  const TimePoint now = now_();
  WorkerRecord worker;
  worker.id = newUuid();
  worker.orgId = orgId;
  worker.queueName = input.queueName;
  worker.hostname = input.hostname;
  worker.workerType = input.workerType;
  worker.maxConcurrency = input.maxConcurrency;
  worker.metadata = input.metadata;
  worker.version = input.version;
  worker.status = "healthy";
  worker.lastHeartbeat = now;
  worker.registeredAt = now;
  co_await store_.write([&](StoreTx& tx) {
    requireWorkerRoom(tx, limits_, orgId);
    tx.insertWorker(worker);
    recordInTx(tx, WorkerEvent::Kind::Registered, worker);
  });
  emit(WorkerEvent::Kind::Registered, worker);
  co_return worker;
}

Task<WorkerRecord> WorkerRegistry::heartbeat(const std::string& orgId, const std::string& workerId,
                                       const WorkerHeartbeatInput& input) {
  const TimePoint now = now_();
  WorkerRecord beat = co_await store_.write([&](StoreTx& tx) {
    WorkerRecord worker = loadWorker(tx, orgId, workerId);
    // Coming back from offline takes a live slot again, so deregistering cannot be used to get past
    // the limit.
    if (worker.status == "offline") requireWorkerRoom(tx, limits_, orgId);
    worker.currentJobs = input.currentJobs;
    // A worker marked offline after a network partition comes back by heartbeating again.
    worker.status = input.status.value_or("healthy");
    if (input.metadata) worker.metadata = *input.metadata;
    worker.lastHeartbeat = now;
    tx.updateWorker(worker);
    return worker;
  });
  emit(WorkerEvent::Kind::Heartbeat, beat);
  co_return beat;
}

Task<WorkerRecord> WorkerRegistry::deregister(const std::string& orgId, const std::string& workerId) {
  const TimePoint now = now_();
  WorkerRecord gone = co_await store_.write([&](StoreTx& tx) {
    WorkerRecord worker = loadWorker(tx, orgId, workerId);
    worker.status = "offline";
    worker.currentJobs = 0;
    worker.lastHeartbeat = now;
    tx.updateWorker(worker);
    recordInTx(tx, WorkerEvent::Kind::Offline, worker);
    return worker;
  });
  emit(WorkerEvent::Kind::Offline, gone);
  co_return gone;
}

Task<int> WorkerRegistry::markSilentWorkersOffline(int batchLimit) {
  const TimePoint cutoff = now_() - offlineAfter_;
  std::vector<WorkerRecord> marked;
  const int count = co_await store_.write([&](StoreTx& tx) {
    auto silent = tx.findWorkersSilentSince(cutoff, batchLimit);
    for (WorkerRecord& worker : silent) {
      worker.status = "offline";
      tx.updateWorker(worker);
      recordInTx(tx, WorkerEvent::Kind::Offline, worker);
    }
    marked = silent;
    return static_cast<int>(silent.size());
  });
  for (const WorkerRecord& worker : marked) emit(WorkerEvent::Kind::Offline, worker);
  co_return count;
}

}  // namespace spooled::server
