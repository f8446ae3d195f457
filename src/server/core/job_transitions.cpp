#include "server/core/job_transitions.hpp"

#include "common/error_code.hpp"
#include "server/core/job_engine.hpp"

namespace spooled::server {

namespace {

void clearLease(JobRecord& job) {
  job.leaseId.reset();
  job.leaseExpiresAt.reset();
}

[[noreturn]] void throwWrongState(const JobRecord& job, const std::string& action, const std::string& allowed) {
  throw ApiError(ErrorCode::Conflict,
                 "job " + job.id + " is " + std::string(toString(job.status)) + "; only " + allowed + " jobs can " +
                     action,
                 json{{"status", toString(job.status)}});
}

// Back in the queue, due at once, as if it had never been handed out.
void requeueNow(JobRecord& job, TimePoint now) {
  job.status = JobStatus::Pending;
  job.lastError.reset();
  job.scheduledAt.reset();
  job.completedAt.reset();
  job.assignedWorkerId.reset();
  job.progress.reset();
  job.progressMessage.reset();
  job.updatedAt = now;
  clearLease(job);
}

}  // namespace

JobStatus initialStatus(const std::optional<TimePoint>& scheduledAt, TimePoint now) {
  return scheduledAt && *scheduledAt > now ? JobStatus::Scheduled : JobStatus::Pending;
}

bool isFinal(JobStatus status) {
  return status == JobStatus::Completed || status == JobStatus::Failed || status == JobStatus::Deadletter ||
         status == JobStatus::Cancelled;
}

void applyClaim(JobRecord& job, const std::string& workerId, const std::string& leaseId, TimePoint now,
                std::chrono::seconds leaseDuration) {
  if (job.status != JobStatus::Pending && job.status != JobStatus::Scheduled)
    throw ApiError(ErrorCode::Conflict, "job " + job.id + " is not ready to be claimed");
  job.status = JobStatus::Processing;
  job.assignedWorkerId = workerId;
  job.leaseId = leaseId;
  job.leaseExpiresAt = now + leaseDuration;
  job.startedAt = now;
  job.progress.reset();
  job.progressMessage.reset();
  job.updatedAt = now;
}

void requireLease(const JobRecord& job, const LeaseRef& lease, TimePoint now) {
  const bool sameWorker = job.assignedWorkerId == lease.workerId;
  const bool sameLease = !lease.leaseId || job.leaseId == lease.leaseId;
  // A cancelled job keeps the lease id it had, so the worker that held it learns why it lost it.
  if (job.status == JobStatus::Cancelled && sameWorker && sameLease && job.leaseId)
    throw ApiError(ErrorCode::JobCancelled, "job " + job.id + " was cancelled");
  if (job.status != JobStatus::Processing || !sameWorker || !sameLease)
    throw ApiError(ErrorCode::LeaseExpired, "worker " + lease.workerId + " does not hold the lease on job " + job.id);
  if (!job.leaseExpiresAt || *job.leaseExpiresAt <= now)
    throw ApiError(ErrorCode::LeaseExpired, "the lease on job " + job.id + " has expired");
}

void applyComplete(JobRecord& job, const std::optional<json>& result, TimePoint now) {
  job.status = JobStatus::Completed;
  job.result = result;
  job.completedAt = now;
  job.updatedAt = now;
  clearLease(job);
}

bool applyFailure(JobRecord& job, const std::string& error, bool retryable, TimePoint now,
                  std::chrono::milliseconds retryDelay) {
  job.retryCount += 1;
  job.lastError = error;
  job.updatedAt = now;
  clearLease(job);
  if (retryable && job.retryCount <= job.maxRetries) {
    job.status = JobStatus::Pending;
    job.scheduledAt = now + retryDelay;
    return true;
  }
  job.status = JobStatus::Deadletter;
  job.completedAt = now;
  return false;
}

void applyLeaseRenewal(JobRecord& job, TimePoint now, std::chrono::seconds leaseDuration) {
  job.leaseExpiresAt = now + leaseDuration;
  job.updatedAt = now;
}

void applyProgress(JobRecord& job, int percent, const std::optional<std::string>& message, TimePoint now) {
  job.progress = percent;
  job.progressMessage = message;
  job.updatedAt = now;
}

void applyCancel(JobRecord& job, TimePoint now) {
  if (isFinal(job.status))
    throw ApiError(ErrorCode::Conflict, "job " + job.id + " is already " + std::string(toString(job.status)),
                   json{{"status", toString(job.status)}});
  // A processing job keeps assigned_worker_id and lease_id so requireLease() can answer JOB_CANCELLED;
  // the lease stops counting because the job is no longer processing.
  job.status = JobStatus::Cancelled;
  job.leaseExpiresAt.reset();
  job.completedAt = now;
  job.updatedAt = now;
}

void applyManualRetry(JobRecord& job, TimePoint now) {
  if (job.status != JobStatus::Failed && job.status != JobStatus::Deadletter)
    throwWrongState(job, "be retried", "failed or dead-lettered");
  requeueNow(job, now);
  job.retryCount += 1;
}

void applyDeadLetterRetry(JobRecord& job, TimePoint now) {
  if (job.status != JobStatus::Deadletter) throwWrongState(job, "be retried from the dead-letter queue", "dead-lettered");
  requeueNow(job, now);
  job.retryCount = 0;
}

bool applyDependencyCancel(JobRecord& job, const std::string& reason, TimePoint now) {
  if (isFinal(job.status)) return false;
  applyCancel(job, now);
  job.lastError = reason;
  return true;
}

bool applyWorkflowRestart(JobRecord& job, TimePoint now) {
  if (job.status != JobStatus::Failed && job.status != JobStatus::Deadletter && job.status != JobStatus::Cancelled)
    return false;
  requeueNow(job, now);
  job.retryCount = 0;
  job.startedAt.reset();
  return true;
}

int applyPriorityChange(JobRecord& job, int priority, TimePoint now) {
  if (job.status != JobStatus::Pending && job.status != JobStatus::Scheduled)
    throwWrongState(job, "change priority", "pending or scheduled");
  const int old = job.priority;
  job.priority = priority;
  job.updatedAt = now;
  return old;
}

}  // namespace spooled::server
