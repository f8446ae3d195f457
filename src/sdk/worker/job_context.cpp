#include "spooled/job_context.hpp"

#include "sdk/worker/active_job.hpp"

namespace spooled {

JobContext::JobContext(std::shared_ptr<detail::ActiveJob> job) : job_(std::move(job)) {
  const ClaimedJob& claimed = job_->job();
  jobId = claimed.id;
  queueName = claimed.queueName;
  payload = claimed.payload;
  retryCount = claimed.retryCount;
  maxRetries = claimed.maxRetries;
  workerId = job_->services().workerId;
}

JobContext::~JobContext() = default;

bool JobContext::progress(double percent, std::string_view message) { return job_->reportProgress(percent, message); }

bool JobContext::isCancelled() const noexcept { return job_->isCancelled(); }

bool JobContext::waitCancelled(std::chrono::milliseconds timeout) const { return job_->waitCancelled(timeout); }

const std::string& JobContext::leaseId() const noexcept { return job_->leaseId(); }

}  // namespace spooled
