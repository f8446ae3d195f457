#pragma once
// What core tells observers after a change is committed: metrics count these, the event bus fans them
// out to live streams. Listeners run on the committing request's thread, so they must be quick and
// must not throw (an exception is logged by nobody and lost). Events carry plain fields only, so
// listeners need no store header. The outgoing-webhook outbox hears the same events inside the
// transaction instead (TxChangeListener).
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "spooled/json.hpp"

namespace spooled::server {

class StoreTx;

struct JobEvent {
  // Failed: the attempt failed and the job will run again; DeadLettered: it will not. Retried: a failed
  // or dead-lettered job was put back in its queue by hand (POST /jobs/{id}/retry, DLQ retry).
  enum class Kind { Created, Claimed, Progress, Completed, Failed, DeadLettered, Cancelled, Retried };
  Kind kind = Kind::Created;
  std::string orgId;
  std::string queueName;
  std::string jobId;
  // Completed, Failed, DeadLettered after a claim: how long the attempt ran (started_at to now).
  std::optional<std::chrono::milliseconds> processingTime;
  // For live streams; metrics ignore them. Statuses are the wire names ("pending", ...); oldStatus is
  // empty for Created.
  std::string oldStatus{};
  std::string newStatus{};
  int priority = 0;
  int retryCount = 0;
  std::string workerId{};                // Claimed, Progress, Completed, Failed: who held the job
  std::string error{};                   // Failed, DeadLettered
  std::optional<int> progress{};         // Progress: 0-100
  std::optional<std::string> message{};  // Progress
  std::optional<json> result{};          // Completed
};

struct QueueEvent {
  enum class Kind { Paused, Resumed };
  Kind kind = Kind::Paused;
  std::string orgId;
  std::string queueName;
  std::optional<std::string> reason{};  // Paused
};

struct WorkerEvent {
  // Offline: deregistered, or marked offline after falling silent.
  enum class Kind { Registered, Heartbeat, Offline };
  Kind kind = Kind::Registered;
  std::string orgId;
  std::string workerId;
  std::string queueName;
  std::string hostname{};
  std::string status{};
  int currentJobs = 0;
};

class JobEventListener {
 public:
  virtual ~JobEventListener() = default;
  virtual void onJobEvent(const JobEvent& event) noexcept = 0;
  virtual void onQueueEvent(const QueueEvent&) noexcept {}
  virtual void onWorkerEvent(const WorkerEvent&) noexcept {}
};

// An observer that acts inside the change's own write transaction, before it commits: the outgoing
// webhook outbox writes its delivery rows there, so a change that commits never loses its
// notifications. It runs on the store's writer; it may throw, which undoes the change.
class TxChangeListener {
 public:
  virtual ~TxChangeListener() = default;
  // Whether a change of this organization concerns the listener at all; asked before the event is
  // built, so a change nobody listens to costs no copy of its fields (a job's result, say).
  virtual bool interestedIn(StoreTx&, const std::string& /*orgId*/) { return true; }
  virtual void onJobChange(StoreTx& tx, const JobEvent& event) = 0;
  virtual void onQueueChange(StoreTx&, const QueueEvent&) {}
  virtual void onWorkerChange(StoreTx&, const WorkerEvent&) {}
};

// The listeners of one server. Filled before the server is shared between threads, then read-only.
class ChangeFeed {
 public:
  // The listener must outlive the feed.
  void add(JobEventListener* listener) { listeners_.push_back(listener); }
  bool empty() const { return listeners_.empty(); }
  void emit(const JobEvent& event) const {
    for (JobEventListener* l : listeners_) l->onJobEvent(event);
  }
  void emit(const QueueEvent& event) const {
    for (JobEventListener* l : listeners_) l->onQueueEvent(event);
  }
  void emit(const WorkerEvent& event) const {
    for (JobEventListener* l : listeners_) l->onWorkerEvent(event);
  }

  // In-transaction listeners (see TxChangeListener); same rules as add().
  void addInTx(TxChangeListener* listener) { txListeners_.push_back(listener); }
  bool wantsTx() const { return !txListeners_.empty(); }
  bool wantsTx(StoreTx& tx, const std::string& orgId) const {
    for (TxChangeListener* l : txListeners_)
      if (l->interestedIn(tx, orgId)) return true;
    return false;
  }
  void emitInTx(StoreTx& tx, const JobEvent& event) const {
    for (TxChangeListener* l : txListeners_) l->onJobChange(tx, event);
  }
  void emitInTx(StoreTx& tx, const QueueEvent& event) const {
    for (TxChangeListener* l : txListeners_) l->onQueueChange(tx, event);
  }
  void emitInTx(StoreTx& tx, const WorkerEvent& event) const {
    for (TxChangeListener* l : txListeners_) l->onWorkerChange(tx, event);
  }

 private:
  std::vector<JobEventListener*> listeners_;
  std::vector<TxChangeListener*> txListeners_;
};

}  // namespace spooled::server
