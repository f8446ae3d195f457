#pragma once
// WorkerCore: the state behind a SpooledWorker — registration, the poll loop (claims and the worker
// heartbeat) and the six-step graceful shutdown. Jobs themselves run in runJob on the pool; their
// results go back through the AckBatcher when batchAcks is on.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "sdk/worker/ack_batcher.hpp"
#include "sdk/worker/active_job.hpp"
#include "sdk/worker/event_emitter.hpp"
#include "sdk/worker/job_runner.hpp"
#include "sdk/worker/lease_keeper.hpp"
#include "sdk/worker/thread_pool.hpp"
#include "sdk/worker/worker_log.hpp"
#include "spooled/client.hpp"
#include "spooled/worker.hpp"

namespace spooled::detail {

// Thread-safety and semantics are those documented on SpooledWorker, which forwards here.
class WorkerCore {
 public:
  using Clock = std::chrono::steady_clock;

  WorkerCore(SpooledClient& client, WorkerOptions options);
  ~WorkerCore();
  WorkerCore(const WorkerCore&) = delete;
  WorkerCore& operator=(const WorkerCore&) = delete;

  void setHandler(JobHandler handler);
  EventEmitter& events() noexcept { return events_; }
  void start();
  void stop(std::string reason);
  void wait();
  bool waitFor(std::chrono::milliseconds timeout);

  WorkerState state() const noexcept { return state_.load(); }
  std::optional<std::string> workerId() const;
  int activeJobCount() const noexcept { return activeCount_.load(); }
  bool isRunning() const noexcept { return running_.load(); }
  const WorkerOptions& options() const noexcept { return options_; }

 private:
  void pollLoop() noexcept;
  // Slots neither running a handler nor held by a result the server has not confirmed yet.
  int freeSlots() const;
  // Results wait to be sent, and sending them frees slots for a claim they can carry.
  bool canCarryClaim() const;
  // One claim for up to `freeSlots` jobs, carried by the results waiting in the batcher when there
  // are any; returns how many were claimed, or nullopt after an error, having set `pause` to the
  // wait before the next attempt. Sets `lookAgain` when the loop should decide again at once.
  std::optional<std::size_t> claim(int freeSlots, std::chrono::milliseconds& pause, bool& lookAgain);
  // The claim `params` carried by the batcher's next request, or nullopt when it carried none.
  std::optional<std::vector<ClaimedJob>> claimWithAcks(const ClaimJobsParams& params);
  void dispatch(std::vector<ClaimedJob> jobs, Clock::time_point claimedAt);
  void onJobFinished(const ActiveJob* job) noexcept;
  void sendWorkerHeartbeat() noexcept;
  // Steps 3-6 of the graceful shutdown; runs on the poll thread after the loop ended.
  void shutdown() noexcept;
  void finish(WorkerState finalState) noexcept;
  void emit(std::string_view name) const noexcept;

  SpooledClient& client_;
  const WorkerOptions options_;
  const WorkerLog log_;
  EventEmitter events_;
  JobHandler handler_;  // written before start(), read-only after

  std::atomic<WorkerState> state_{WorkerState::idle};
  std::atomic<bool> running_{false};  // start() until `stopped` was emitted
  std::atomic<int> activeCount_{0};

  mutable std::mutex mutex_;
  std::condition_variable wake_;      // poll loop and shutdown: stop requested, a job finished
  std::condition_variable finished_;  // wait(): running_ became false
  bool stopRequested_ = false;        // guarded by mutex_
  std::string stopReason_;            // guarded by mutex_
  Clock::time_point stopRequestedAt_;  // guarded by mutex_
  std::optional<std::string> workerId_;  // guarded by mutex_
  std::map<const ActiveJob*, std::shared_ptr<ActiveJob>> active_;  // guarded by mutex_
  int consecutiveClaimFailures_ = 0;  // poll thread only

  std::unique_ptr<JobServices> services_;
  std::unique_ptr<LeaseKeeper> keeper_;
  std::unique_ptr<AckBatcher> acks_;  // null when options_.batchAcks is false
  std::unique_ptr<ThreadPool> pool_;
  std::thread pollThread_;
};

}  // namespace spooled::detail
