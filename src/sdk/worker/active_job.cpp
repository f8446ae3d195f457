#include "sdk/worker/active_job.hpp"

#include <algorithm>
#include <cmath>

#include "spooled/errors.hpp"

namespace spooled::detail {

namespace {
constexpr std::size_t kMaxErrorBytes = 2048;
const std::string kNoLease;
}  // namespace

WorkerEvent JobServices::event(std::string_view name, const std::string& jobId) const {
  WorkerEvent e;
  e.name = std::string(name);
  e.workerId = workerId;
  e.queueName = queueName;
  e.jobId = jobId;
  return e;
}

void JobServices::reportError(const std::string& jobId, const std::string& message,
                              std::exception_ptr exception) const {
  log.error(message);
  WorkerEvent e = event(worker_events::error, jobId);
  e.error = message;
  e.exception = std::move(exception);
  events.emit(e);
}

const std::string& ActiveJob::leaseId() const noexcept { return job_.leaseId ? *job_.leaseId : kNoLease; }

bool ActiveJob::cancel(CancelReason reason) {
  {
    const std::lock_guard lock(mutex_);
    if (reason_ != CancelReason::none || settling_) return false;
    reason_ = reason;
    cancelled_.store(true, std::memory_order_release);
  }
  cancelledCv_.notify_all();
  return true;
}

bool ActiveJob::startSettling() {
  const std::lock_guard lock(mutex_);
  if (reason_ != CancelReason::none) return false;
  settling_ = true;
  return true;
}

bool ActiveJob::isSettling() const {
  const std::lock_guard lock(mutex_);
  return settling_;
}

CancelReason ActiveJob::cancelReason() const {
  const std::lock_guard lock(mutex_);
  return reason_;
}

bool ActiveJob::waitCancelled(std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return cancelledCv_.wait_for(lock, timeout, [this] { return reason_ != CancelReason::none; });
}

bool ActiveJob::reportProgress(double percent, std::string_view message) {
  if (services_.progressUnsupported.load(std::memory_order_relaxed) || isCancelled()) return false;
  JobProgressParams params;
  params.workerId = services_.workerId;
  params.leaseId = job_.leaseId;
  params.percent = std::isfinite(percent) ? std::clamp(percent, 0.0, 100.0) : 0.0;
  if (!message.empty()) params.message = std::string(message);
  try {
    services_.jobs.progress(job_.id, params);
    return true;
  } catch (const ConflictError& e) {
    // The same 409s as a lease renewal: the job is no longer ours.
    cancel(e.isJobCancelled() ? CancelReason::cancelledOnServer : CancelReason::leaseLost);
    services_.log.warn("progress for job " + job_.id + " refused (" + e.code() + "); job marked cancelled");
  } catch (const SpooledError& e) {
    if (e.status() == 404 || e.status() == 405) {
      // An official server has no progress endpoint; say so once rather than on every report.
      if (!services_.progressUnsupported.exchange(true)) {
        services_.log.warn("the server does not accept progress reports (HTTP " + std::to_string(e.status()) +
                           "); JobContext::progress() is a no-op from now on");
      }
    } else {
      services_.log.warn("progress for job " + job_.id + " not recorded: " + e.what());
    }
  } catch (const std::exception& e) {
    services_.log.warn("progress for job " + job_.id + " not recorded: " + e.what());
  }
  return false;
}

void ActiveJob::settleOnServer(JobOutcome outcome) {
  if (outcome.error) {
    failOnServer(*outcome.error, outcome.retryable);
  } else {
    completeOnServer(std::move(outcome.result));
  }
}

void ActiveJob::completeOnServer(json result) {
  CompleteJobParams params;
  params.workerId = services_.workerId;
  params.leaseId = job_.leaseId;
  if (!result.is_null()) params.result = result;
  try {
    services_.jobs.complete(job_.id, params);
  } catch (const PayloadTooLargeError& e) {
    // Retrying would produce the same result again: dead-letter with the reason instead of
    // leaving the job to time out.
    failOnServer(std::string("job result too large to store: ") + e.what(), false);
    return;
  } catch (const std::exception&) {
    reportSettleError("complete", std::current_exception());
    return;
  }
  emitCompleted(std::move(result));
}

bool ActiveJob::failOnServer(const std::string& error, bool retryable) {
  FailJobParams params;
  params.workerId = services_.workerId;
  params.leaseId = job_.leaseId;
  params.error = failureMessage(error);
  params.retryable = retryable;
  try {
    services_.jobs.fail(job_.id, params);
  } catch (const std::exception&) {
    reportSettleError("fail", std::current_exception());
    return false;
  }
  emitFailed(params.error, retryable && willRetryAfterFailure());
  return true;
}

void ActiveJob::emitCompleted(json result) const {
  WorkerEvent event = services_.event(worker_events::jobCompleted, job_.id);
  event.result = std::move(result);
  services_.events.emit(event);
}

void ActiveJob::emitFailed(const std::string& error, bool willRetry) const {
  WorkerEvent event = services_.event(worker_events::jobFailed, job_.id);
  event.error = error;
  event.willRetry = willRetry;
  services_.events.emit(event);
}

void ActiveJob::reportSettleError(std::string_view action, std::exception_ptr error) const {
  services_.reportError(job_.id, "could not " + std::string(action) + " job " + job_.id + ": " + describe(error),
                        error);
}

std::string failureMessage(std::string_view message) {
  if (message.empty()) return "job handler failed";
  if (message.size() <= kMaxErrorBytes) return std::string(message);
  std::size_t cut = kMaxErrorBytes;
  // Step back over UTF-8 continuation bytes (10xxxxxx) so the text stays valid.
  while (cut > 0 && (static_cast<unsigned char>(message[cut]) & 0xC0) == 0x80) --cut;
  return std::string(message.substr(0, cut));
}

}  // namespace spooled::detail
