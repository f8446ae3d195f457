#pragma once
// The job lifecycle: create, claim, complete, fail, heartbeat, progress, cancel, and the reaper's
// return of expired leases. Every state change of a job happens here, inside a store transaction,
// through the transitions in job_transitions.hpp. Throws ApiError for anything the caller did wrong.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "server/core/job_events.hpp"
#include "server/core/job_notifier.hpp"
#include "server/core/retry_policy.hpp"
#include "server/store/store.hpp"

namespace spooled::server {

using NowFn = std::function<TimePoint()>;

struct CreateJobInput {
  std::string queueName;
  json payload = json::object();
  int priority = 0;
  int maxRetries = 3;
  int timeoutSeconds = 300;
  std::optional<TimePoint> scheduledAt;
  std::optional<TimePoint> expiresAt;
  std::optional<std::string> idempotencyKey;
  std::optional<json> tags;
  std::optional<std::string> parentJobId;
  std::optional<std::string> completionWebhook;
};

struct CreateJobOutcome {
  std::string id;
  bool created = true;  // false: the idempotency key named an existing job
};

struct ClaimInput {
  std::string queueName;
  std::string workerId;
  int limit = 1;
  int leaseDurationSecs = 30;
};

// Who holds a job: the worker and the lease token it was handed at claim.
struct LeaseRef {
  std::string workerId;
  std::optional<std::string> leaseId;  // official SDKs may omit it; then only the worker is checked
};

struct FailOutcome {
  JobStatus status;  // pending (will retry) or deadletter
  bool willRetry = false;
  std::optional<TimePoint> retryAt;
};

class JobEngine {
 public:
  JobEngine(Store& store, JobNotifier& notifier, RetryPolicy retry = {}, NowFn now = nowMs);

  CreateJobOutcome create(const std::string& orgId, const CreateJobInput& input);
  std::vector<JobRecord> claim(const std::string& orgId, const ClaimInput& input);
  void complete(const std::string& orgId, const std::string& jobId, const LeaseRef& lease,
                const std::optional<json>& result);
  FailOutcome fail(const std::string& orgId, const std::string& jobId, const LeaseRef& lease,
                   const std::string& error, bool retryable);
  JobRecord heartbeat(const std::string& orgId, const std::string& jobId, const LeaseRef& lease,
                      int leaseDurationSecs);
  void progress(const std::string& orgId, const std::string& jobId, const LeaseRef& lease, int percent,
                const std::optional<std::string>& message);
  // Pending or scheduled: cancelled. Processing: cancelled and its lease revoked, so the worker's next
  // call gets JOB_CANCELLED. Any other state: 409 CONFLICT.
  JobRecord cancel(const std::string& orgId, const std::string& jobId);

  // Returns processing jobs whose lease ran out to the queue as a failed attempt (or to the DLQ when
  // no retries are left). Returns how many jobs it moved.
  int reapExpiredLeases(int batchLimit = 500);

  NowFn now() const { return now_; }

  // Adds an observer of committed changes. Call before the engine is shared between threads; the
  // listener must outlive the engine.
  void addListener(JobEventListener* listener) { listeners_.push_back(listener); }

 private:
  void emit(JobEvent::Kind kind, const JobRecord& job) const;
  void emitFailure(const JobRecord& job, bool willRetry) const;

  Store& store_;
  JobNotifier& notifier_;
  RetryPolicy retry_;
  NowFn now_;
  std::vector<JobEventListener*> listeners_;
};

}  // namespace spooled::server
