#include "server/core/job_transitions.hpp"

#include "common/error_code.hpp"
#include "server/core/job_engine.hpp"

namespace spooled::server {

namespace {

void clearLease(JobRecord& job) {
  job.leaseId.reset();
  job.leaseExpiresAt.reset();
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

}  // namespace spooled::server
