#include "server/core/job_engine.hpp"

#include <random>

#include "common/error_code.hpp"
#include "common/ids.hpp"
#include "server/core/job_transitions.hpp"

namespace spooled::server {

namespace {

double unitRandom() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
}

// Loads a job of this organization or answers 404. Ids of other organizations are 404 too, so
// nobody learns that they exist.
JobRecord loadJob(StoreTx& tx, const std::string& orgId, const std::string& jobId) {
  auto job = tx.findJob(orgId, jobId);
  if (!job) throw ApiError(ErrorCode::NotFound, "job " + jobId + " not found");
  return std::move(*job);
}

bool queueHandsOutJobs(StoreReader& reader, const std::string& orgId, const std::string& queueName) {
  const auto queue = reader.findQueue(orgId, queueName);
  return !queue || (queue->enabled && !queue->paused);
}

}  // namespace

JobEngine::JobEngine(Store& store, JobNotifier& notifier, RetryPolicy retry, NowFn now)
    : store_(store), notifier_(notifier), retry_(retry), now_(std::move(now)) {}

void JobEngine::emit(JobEvent::Kind kind, const JobRecord& job) const {
  if (listeners_.empty()) return;
  JobEvent event{kind, job.orgId, job.queueName, job.id, std::nullopt};
  if (job.startedAt && kind != JobEvent::Kind::Created && kind != JobEvent::Kind::Claimed)
    event.processingTime = std::chrono::duration_cast<std::chrono::milliseconds>(now_() - *job.startedAt);
  for (JobEventListener* listener : listeners_) listener->onJobEvent(event);
}

void JobEngine::emitFailure(const JobRecord& job, bool willRetry) const {
  emit(willRetry ? JobEvent::Kind::Failed : JobEvent::Kind::DeadLettered, job);
}

CreateJobOutcome JobEngine::create(const std::string& orgId, const CreateJobInput& input) {
  const TimePoint now = now_();
  std::optional<JobRecord> created;
  const auto outcome = store_.writeResult([&](StoreTx& tx) {
    if (input.idempotencyKey) {
      if (auto existing = tx.findJobByIdempotencyKey(orgId, *input.idempotencyKey))
        return CreateJobOutcome{existing->id, false};
    }
    JobRecord job;
    job.id = newUuid();
    job.orgId = orgId;
    job.queueName = input.queueName;
    job.status = initialStatus(input.scheduledAt, now);
    job.payload = input.payload;
    job.maxRetries = input.maxRetries;
    job.timeoutSeconds = input.timeoutSeconds;
    job.priority = input.priority;
    job.scheduledAt = input.scheduledAt;
    job.expiresAt = input.expiresAt;
    job.idempotencyKey = input.idempotencyKey;
    job.tags = input.tags;
    job.parentJobId = input.parentJobId;
    job.completionWebhook = input.completionWebhook;
    job.createdAt = now;
    job.updatedAt = now;
    tx.insertJob(job);
    created = job;
    return CreateJobOutcome{job.id, true};
  });
  if (outcome.created) {
    notifier_.notify(orgId, input.queueName);
    emit(JobEvent::Kind::Created, *created);
  }
  return outcome;
}

std::vector<JobRecord> JobEngine::claim(const std::string& orgId, const ClaimInput& input) {
  const TimePoint now = now_();
  auto claimed = store_.writeResult([&](StoreTx& tx) {
    std::vector<JobRecord> claimed;
    if (!queueHandsOutJobs(tx, orgId, input.queueName)) return claimed;
    claimed = tx.findClaimableJobs(orgId, input.queueName, now, input.limit);
    for (JobRecord& job : claimed) {
      applyClaim(job, input.workerId, newUuid(), now, std::chrono::seconds(input.leaseDurationSecs));
      tx.updateJob(job);
    }
    return claimed;
  });
  for (const JobRecord& job : claimed) emit(JobEvent::Kind::Claimed, job);
  return claimed;
}

void JobEngine::complete(const std::string& orgId, const std::string& jobId, const LeaseRef& lease,
                         const std::optional<json>& result) {
  const TimePoint now = now_();
  const JobRecord job = store_.writeResult([&](StoreTx& tx) {
    JobRecord job = loadJob(tx, orgId, jobId);
    requireLease(job, lease, now);
    applyComplete(job, result, now);
    tx.updateJob(job);
    return job;
  });
  emit(JobEvent::Kind::Completed, job);
}

FailOutcome JobEngine::fail(const std::string& orgId, const std::string& jobId, const LeaseRef& lease,
                            const std::string& error, bool retryable) {
  const TimePoint now = now_();
  JobRecord failed;
  const FailOutcome outcome = store_.writeResult([&](StoreTx& tx) {
    JobRecord job = loadJob(tx, orgId, jobId);
    requireLease(job, lease, now);
    const auto delay = retry_.delayFor(job.retryCount + 1, unitRandom);
    const bool willRetry = applyFailure(job, error, retryable, now, delay);
    tx.updateJob(job);
    failed = job;
    return FailOutcome{job.status, willRetry, willRetry ? job.scheduledAt : std::nullopt};
  });
  emitFailure(failed, outcome.willRetry);
  return outcome;
}

JobRecord JobEngine::heartbeat(const std::string& orgId, const std::string& jobId, const LeaseRef& lease,
                               int leaseDurationSecs) {
  const TimePoint now = now_();
  return store_.writeResult([&](StoreTx& tx) {
    JobRecord job = loadJob(tx, orgId, jobId);
    requireLease(job, lease, now);
    applyLeaseRenewal(job, now, std::chrono::seconds(leaseDurationSecs));
    tx.updateJob(job);
    return job;
  });
}

void JobEngine::progress(const std::string& orgId, const std::string& jobId, const LeaseRef& lease, int percent,
                         const std::optional<std::string>& message) {
  const TimePoint now = now_();
  store_.write([&](StoreTx& tx) {
    JobRecord job = loadJob(tx, orgId, jobId);
    requireLease(job, lease, now);
    applyProgress(job, percent, message, now);
    tx.updateJob(job);
  });
}

JobRecord JobEngine::cancel(const std::string& orgId, const std::string& jobId) {
  const TimePoint now = now_();
  JobRecord job = store_.writeResult([&](StoreTx& tx) {
    JobRecord job = loadJob(tx, orgId, jobId);
    applyCancel(job, now);
    tx.updateJob(job);
    return job;
  });
  emit(JobEvent::Kind::Cancelled, job);
  return job;
}

int JobEngine::reapExpiredLeases(int batchLimit) {
  const TimePoint now = now_();
  std::vector<std::pair<JobRecord, bool>> reaped;  // each job and whether it will be retried
  const int moved = store_.writeResult([&](StoreTx& tx) {
    reaped.clear();
    auto expired = tx.findExpiredLeases(now, batchLimit);
    for (JobRecord& job : expired) {
      // The worker vanished or hung: count the attempt, but let the job run again at once rather
      // than after a backoff, since the failure was the worker's, not the job's.
      const std::string error = "lease expired: worker " + job.assignedWorkerId.value_or("?") +
                                " stopped renewing it";
      const bool willRetry = applyFailure(job, error, true, now, std::chrono::milliseconds(0));
      tx.updateJob(job);
      reaped.emplace_back(job, willRetry);
    }
    return static_cast<int>(expired.size());
  });
  for (const auto& [job, willRetry] : reaped) {
    if (willRetry) notifier_.notify(job.orgId, job.queueName);
    emitFailure(job, willRetry);
  }
  return moved;
}

}  // namespace spooled::server
