#pragma once
// ActiveJob: the shared state of one claimed job while this worker holds it. The handler's
// JobContext, the job's runner, the lease keeper and the shutdown path all point at it.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "sdk/worker/event_emitter.hpp"
#include "sdk/worker/worker_log.hpp"
#include "spooled/jobs.hpp"

namespace spooled::detail {

// What every job of one worker borrows from it. Owned by WorkerCore, which outlives its jobs.
struct JobServices {
  JobsResource& jobs;
  const EventEmitter& events;
  const WorkerLog& log;
  std::string workerId;
  std::string queueName;
  int leaseDurationSecs = 30;
  // Set once the server answered 404/405 to a progress report: later reports are skipped.
  std::atomic<bool> progressUnsupported{false};

  // An event of this worker, with workerId and queueName filled in.
  WorkerEvent event(std::string_view name, const std::string& jobId = {}) const;
  // Emits `error` about `jobId` (may be empty) and logs it.
  void reportError(const std::string& jobId, const std::string& message, std::exception_ptr exception = {}) const;
};

// Why a job is no longer the handler's to finish.
enum class CancelReason { none, leaseLost, cancelledOnServer, shutdown };

// What the handler produced: a result, or an error to fail the job with.
struct JobOutcome {
  json result;
  std::optional<std::string> error;  // set when the handler threw
  bool retryable = true;
};

class ActiveJob {
 public:
  ActiveJob(ClaimedJob job, JobServices& services) : job_(std::move(job)), services_(services) {}

  const ClaimedJob& job() const noexcept { return job_; }
  JobServices& services() const noexcept { return services_; }
  const std::string& leaseId() const noexcept;

  // Marks the job cancelled; the first reason sticks. Wakes waitCancelled(). Returns true if this
  // call did the cancelling; false when already cancelled or once settling has begun.
  bool cancel(CancelReason reason);
  bool isCancelled() const noexcept { return cancelled_.load(std::memory_order_acquire); }
  // The handler's outcome is on its way to the server: from now on the job cannot be cancelled, and
  // a lease renewal's 409 is the settlement's business, not the lease keeper's. False (and nothing
  // changes) when the job was cancelled first.
  bool startSettling();
  bool isSettling() const;
  CancelReason cancelReason() const;
  bool waitCancelled(std::chrono::milliseconds timeout) const;

  // Settlement is owned by exactly one side: the runner once the handler returned
  // (claimSettlement), or the shutdown path when it gives up on the job (abandon). Each returns
  // false when the other side already won.
  bool claimSettlement() noexcept { return takeOwnership(Owner::runner); }
  bool abandon() noexcept { return takeOwnership(Owner::shutdown); }

  // POST /jobs/{id}/progress; see JobContext::progress.
  bool reportProgress(double percent, std::string_view message);

  // One call per job (the official API): complete or fail as `outcome` says, then emit the event.
  void settleOnServer(JobOutcome outcome);
  // Completes the job on the server and emits job:completed; on an API error emits `error` instead.
  // A result too large to store dead-letters the job with that reason.
  void completeOnServer(json result);
  // Fails the job on the server and emits job:failed; on an API error emits `error` instead.
  // `retryable` false dead-letters it. Returns true when the server recorded the failure.
  bool failOnServer(const std::string& error, bool retryable);
  // The events of a recorded settlement, and the `error` event of a refused one (`action` is
  // "complete" or "fail"), exactly as the single-job calls report them.
  void emitCompleted(json result) const;
  void emitFailed(const std::string& error, bool willRetry) const;
  void reportSettleError(std::string_view action, std::exception_ptr error) const;

  // Whether the server will run the job again after a retryable failure of this attempt.
  bool willRetryAfterFailure() const noexcept { return job_.retryCount + 1 <= job_.maxRetries; }

 private:
  enum class Owner { none, runner, shutdown };
  bool takeOwnership(Owner who) noexcept {
    Owner expected = Owner::none;
    return owner_.compare_exchange_strong(expected, who, std::memory_order_acq_rel);
  }

  const ClaimedJob job_;
  JobServices& services_;
  std::atomic<Owner> owner_{Owner::none};
  std::atomic<bool> cancelled_{false};
  mutable std::mutex mutex_;
  mutable std::condition_variable cancelledCv_;
  CancelReason reason_ = CancelReason::none;  // guarded by mutex_
  bool settling_ = false;                     // guarded by mutex_
};

// The failure text the server accepts: at most 2048 bytes, never empty, cut on a UTF-8 boundary.
std::string failureMessage(std::string_view message);

}  // namespace spooled::detail
