#include "server/core/job_engine.hpp"

#include <algorithm>
#include <limits>
#include <random>
#include <map>
#include <set>

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

// The event of a failed attempt: retried later, or dead-lettered.
JobEvent::Kind failureKind(bool willRetry) { return willRetry ? JobEvent::Kind::Failed : JobEvent::Kind::DeadLettered; }

// Dead-lettered jobs of the organization (optionally one queue), oldest first.
JobQuery deadLetterQuery(const std::string& orgId, const std::optional<std::string>& queueName, int limit) {
  JobQuery query;
  query.orgId = orgId;
  query.queueName = queueName;
  query.status = JobStatus::Deadletter;
  query.limit = limit;
  query.orderBy = "created_at";
  query.descending = false;
  return query;
}

// Inserts the jobs insertJobUnlessKnown deferred so far.
void insertDeferred(StoreTx& tx, std::vector<JobRecord>* deferred) {
  if (deferred == nullptr || deferred->empty()) return;
  tx.insertJobs(*deferred);
  deferred->clear();
}

}  // namespace

CreateJobOutcome insertJobUnlessKnown(StoreTx& tx, const std::string& orgId, const CreateJobInput& input,
                                      TimePoint now, const OrgLimits& limits, std::vector<JobRecord>& created,
                                      std::vector<JobRecord>* deferred) {
  if (input.idempotencyKey) {
    if (auto existing = tx.findJobByIdempotencyKey(orgId, *input.idempotencyKey))
      return CreateJobOutcome{existing->id, false};
  }
  // A job on a new name creates the queue. A queue that got a job earlier in this transaction exists
  // (the usual bulk enqueue: one lookup, not one per job).
  const bool queueSeen = !created.empty() && created.back().orgId == orgId && created.back().queueName == input.queueName;
  if (!queueSeen) {
    insertDeferred(tx, deferred);  // the queues counted must include those of the jobs waiting
    requireQueueRoom(tx, limits, orgId, input.queueName);
  }
  JobRecord job;
  job.id = newTimeOrderedUuid();  // time-ordered: cheap to index (common/ids.hpp)
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
  job.workflowId = input.workflowId;
  job.workflowKey = input.workflowKey;
  job.dependencyMode = input.dependencyMode;
  job.dependenciesPending = input.dependenciesPending;
  job.dependenciesMet = input.dependenciesPending == 0;
  job.createdAt = now;
  job.updatedAt = now;
  if (deferred && !job.idempotencyKey) {
    deferred->push_back(job);
    created.push_back(std::move(job));
    return CreateJobOutcome{created.back().id, true};
  }
  insertDeferred(tx, deferred);  // the jobs before this one keep their place in the queue
  try {
    tx.insertJob(job);
  } catch (const StoreDuplicateKey&) {
    // Another server committed a job with this key after the lookup above: that job is the answer.
    if (auto existing = tx.findJobByIdempotencyKey(orgId, *input.idempotencyKey))
      return CreateJobOutcome{existing->id, false};
    throw;
  }
  created.push_back(job);
  return CreateJobOutcome{job.id, true};
}

JobEngine::JobEngine(Store& store, JobNotifier& notifier, RetryPolicy retry, NowFn now)
    : store_(store), notifier_(notifier), retry_(retry), now_(std::move(now)) {}

JobEvent JobEngine::eventFor(JobEvent::Kind kind, const JobRecord& job, JobStatus oldStatus) const {
  JobEvent event{kind, job.orgId, job.queueName, job.id, std::nullopt};
  const bool timed = kind == JobEvent::Kind::Completed || kind == JobEvent::Kind::Failed ||
                     kind == JobEvent::Kind::DeadLettered || kind == JobEvent::Kind::Cancelled;
  if (job.startedAt && timed)
    event.processingTime = std::chrono::duration_cast<std::chrono::milliseconds>(now_() - *job.startedAt);
  if (kind != JobEvent::Kind::Created) event.oldStatus = std::string(toString(oldStatus));
  event.newStatus = std::string(toString(job.status));
  event.priority = job.priority;
  event.retryCount = job.retryCount;
  event.workerId = job.assignedWorkerId.value_or("");
  if (kind == JobEvent::Kind::Failed || kind == JobEvent::Kind::DeadLettered) event.error = job.lastError.value_or("");
  if (kind == JobEvent::Kind::Progress) {
    event.progress = job.progress;
    event.message = job.progressMessage;
  }
  if (kind == JobEvent::Kind::Completed) event.result = job.result;
  return event;
}

void JobEngine::emit(JobEvent::Kind kind, const JobRecord& job, JobStatus oldStatus) const {
  if (!feed_.empty()) feed_.emit(eventFor(kind, job, oldStatus));
}

void JobEngine::recordInTx(StoreTx& tx, JobEvent::Kind kind, const JobRecord& job, JobStatus oldStatus) const {
  if (feed_.wantsTx() && feed_.wantsTx(tx, job.orgId)) feed_.emitInTx(tx, eventFor(kind, job, oldStatus));
}

void JobEngine::emitFailure(const JobRecord& job, bool willRetry) const {
  emit(failureKind(willRetry), job, JobStatus::Processing);
}

void JobEngine::announceCreated(const std::vector<JobRecord>& created) const {
  // Events first: on a cluster the created events are sent before the wake-ups that let other
  // servers claim the jobs, so nobody sees a job claimed before it was created.
  for (const JobRecord& job : created) emit(JobEvent::Kind::Created, job, job.status);
  notifyReady(created);
}

void JobEngine::notifyReady(const std::vector<JobRecord>& jobs) const {
  std::map<std::pair<std::string, std::string>, std::size_t> perQueue;
  for (const JobRecord& job : jobs)
    if (job.dependenciesMet) ++perQueue[{job.orgId, job.queueName}];
  for (const auto& [queue, count] : perQueue) notifier_.notify(queue.first, queue.second, count);
}

void JobEngine::storeFinished(StoreTx& tx, const JobRecord& job, JobEvent::Kind kind, JobStatus oldStatus,
                              TimePoint now, DependencyEffects& effects) const {
  tx.updateJob(job);
  settleFinished(tx, job, kind, oldStatus, now, effects);
}

void JobEngine::settleFinished(StoreTx& tx, const JobRecord& job, JobEvent::Kind kind, JobStatus oldStatus,
                               TimePoint now, DependencyEffects& effects) const {
  if (isFinal(job.status)) {
    const std::size_t cancelledBefore = effects.cancelled.size();
    settleDependents(tx, job, now, effects);
    // Dependents cancelled with their parent are changes of this transaction too: the outbox hears them.
    for (std::size_t i = cancelledBefore; i < effects.cancelled.size(); ++i)
      recordInTx(tx, JobEvent::Kind::Cancelled, effects.cancelled[i].first, effects.cancelled[i].second);
  }
  recordInTx(tx, kind, job, oldStatus);
}

void JobEngine::announce(const DependencyEffects& effects) const {
  notifyReady(effects.ready);
  for (const auto& [job, before] : effects.cancelled) emit(JobEvent::Kind::Cancelled, job, before);
}

Task<CreateJobOutcome> JobEngine::create(const std::string& orgId, const CreateJobInput& input) {
  co_return (co_await createMany(orgId, std::span(&input, 1))).front();
}

Task<std::vector<CreateJobOutcome>> JobEngine::createMany(const std::string& orgId, std::span<const CreateJobInput> inputs) {
  const TimePoint now = now_();
  std::vector<JobRecord> created;
  auto outcomes = co_await store_.write([&](StoreTx& tx) {
    created.clear();
    std::vector<CreateJobOutcome> outcomes;
    outcomes.reserve(inputs.size());
    std::vector<JobRecord> deferred;  // a bulk enqueue's jobs go in one statement where the store can
    for (const CreateJobInput& input : inputs)
      outcomes.push_back(insertJobUnlessKnown(tx, orgId, input, now, limits_, created, &deferred));
    insertDeferred(tx, &deferred);
    for (const JobRecord& job : created) recordInTx(tx, JobEvent::Kind::Created, job, job.status);
    return outcomes;
  });
  announceCreated(created);
  co_return outcomes;
}

Task<> JobEngine::writeCreatingJobs(const std::function<void(StoreTx&, const JobCreator&)>& fn) {
  const TimePoint now = now_();
  std::vector<JobRecord> created;
  co_await store_.write([&](StoreTx& tx) {
    created.clear();  // a store may run fn again (PostgreSQL after a serialization failure)
    const JobCreator create = [&](const std::string& orgId, const CreateJobInput& input) {
      const std::size_t before = created.size();
      CreateJobOutcome outcome = insertJobUnlessKnown(tx, orgId, input, now, limits_, created);
      // As createMany: the in-transaction listeners (the webhook outbox) hear of the new job here.
      if (created.size() > before) recordInTx(tx, JobEvent::Kind::Created, created.back(), created.back().status);
      return outcome;
    };
    fn(tx, create);
  });
  announceCreated(created);
}

std::vector<JobRecord> JobEngine::claimIn(StoreTx& tx, const std::string& orgId, const ClaimInput& input, TimePoint now) {
  std::vector<JobRecord> claimed;
  const auto queue = tx.findQueue(orgId, input.queueName);
  if (queue && (!queue->enabled || queue->paused)) return claimed;
  const std::optional<int> rate = queue ? queue->rateLimit : std::nullopt;
  int limit = input.limit;
  if (rate)
    limit = sharedRateLimits_ ? tx.takeClaimTokens(orgId, input.queueName, *rate, input.limit, now)
                              : rateLimiter_.acquire(orgId, input.queueName, *rate, input.limit, now);
  if (limit == 0) return claimed;
  claimed = tx.findClaimableJobs(orgId, input.queueName, now, limit);
  for (JobRecord& job : claimed)
    applyClaim(job, input.workerId, newUuid(), now, std::chrono::seconds(input.leaseDurationSecs));
  tx.updateJobs(claimed);
  for (const JobRecord& job : claimed) {
    recordInTx(tx, JobEvent::Kind::Claimed, job, JobStatus::Pending);
    noteWorkflowStarted(tx, job, now);
  }
  const int unused = limit - static_cast<int>(claimed.size());
  if (rate && sharedRateLimits_) tx.returnClaimTokens(orgId, input.queueName, *rate, unused);
  if (rate && !sharedRateLimits_) rateLimiter_.refund(orgId, input.queueName, unused);
  return claimed;
}

Task<std::vector<JobRecord>> JobEngine::claim(const std::string& orgId, const ClaimInput& input) {
  const TimePoint now = now_();
  auto claimed = co_await store_.write([&](StoreTx& tx) { return claimIn(tx, orgId, input, now); });
  for (const JobRecord& job : claimed) emit(JobEvent::Kind::Claimed, job, JobStatus::Pending);
  co_return claimed;
}

AckOutcome JobEngine::acknowledgeOne(StoreTx& tx, const AckInput& item, TimePoint now,
                                     const std::function<bool(const std::string&)>& mayUseQueue,
                                     std::unordered_map<std::string, JobRecord>& rows, JobRecord& changed,
                                     DependencyEffects& effects) {
  const auto row = rows.find(item.jobId);
  if (row == rows.end()) throw ApiError(ErrorCode::NotFound, "job " + item.jobId + " not found");
  JobRecord job = row->second;
  if (!mayUseQueue(job.queueName))
    throw ApiError(ErrorCode::Forbidden, "API key does not have permission for queue '" + job.queueName + "'");
  requireLease(job, item.lease, now);
  AckOutcome outcome;
  if (item.completed) {
    applyComplete(job, item.result, now);
  } else {
    const auto delay = retry_.delayFor(job.retryCount + 1, unitRandom);
    outcome.willRetry = applyFailure(job, item.error, item.retryable, now, delay);
  }
  const JobEvent::Kind kind = item.completed ? JobEvent::Kind::Completed : failureKind(outcome.willRetry);
  settleFinished(tx, job, kind, JobStatus::Processing, now, effects);
  row->second = job;  // a second item for this job in the batch meets it finished
  changed = std::move(job);
  return outcome;
}

Task<AckBatchOutcome> JobEngine::acknowledge(const std::string& orgId, const std::vector<AckInput>& items,
                                             const std::optional<ClaimInput>& claim,
                                             const std::function<bool(const std::string&)>& mayUseQueue) {
  const TimePoint now = now_();
  std::vector<JobRecord> changed(items.size());
  DependencyEffects effects;
  AckBatchOutcome batch = co_await store_.write([&](StoreTx& tx) {
    effects.clear();
    AckBatchOutcome out;
    out.items.reserve(items.size());
    // The batch's jobs are read in one go and their rows written in one go after the last item.
    std::vector<std::string> ids;
    for (const AckInput& item : items) ids.push_back(item.jobId);
    std::unordered_map<std::string, JobRecord> rows;
    for (JobRecord& job : tx.findJobs(orgId, ids)) rows.emplace(job.id, std::move(job));
    std::set<std::string> finished;
    for (std::size_t i = 0; i < items.size(); ++i) {
      try {
        out.items.push_back(acknowledgeOne(tx, items[i], now, mayUseQueue, rows, changed[i], effects));
        finished.insert(items[i].jobId);
      } catch (const ApiError& e) {  // this item's verdict; storage errors still fail the whole batch
        out.items.push_back(AckOutcome{e, false});
      }
    }
    std::vector<JobRecord> writes;
    for (const std::string& id : finished) writes.push_back(rows.at(id));
    tx.updateJobs(writes);
    if (claim) out.claimed = claimIn(tx, orgId, *claim, now);
    return out;
  });
  for (std::size_t i = 0; i < items.size(); ++i) {
    const AckOutcome& outcome = batch.items[i];
    if (outcome.error) continue;
    if (items[i].completed) {
      emit(JobEvent::Kind::Completed, changed[i], JobStatus::Processing);
    } else {
      emitFailure(changed[i], outcome.willRetry);
    }
  }
  for (const JobRecord& job : batch.claimed) emit(JobEvent::Kind::Claimed, job, JobStatus::Pending);
  announce(effects);
  co_return batch;
}

Task<> JobEngine::complete(const std::string& orgId, const std::string& jobId, const LeaseRef& lease,
                         const std::optional<json>& result) {
  const TimePoint now = now_();
  DependencyEffects effects;
  const JobRecord job = co_await store_.write([&](StoreTx& tx) {
    effects.clear();
    JobRecord job = loadJob(tx, orgId, jobId);
    requireLease(job, lease, now);
    applyComplete(job, result, now);
    storeFinished(tx, job, JobEvent::Kind::Completed, JobStatus::Processing, now, effects);
    return job;
  });
  emit(JobEvent::Kind::Completed, job, JobStatus::Processing);
  announce(effects);
}

Task<FailOutcome> JobEngine::fail(const std::string& orgId, const std::string& jobId, const LeaseRef& lease,
                            const std::string& error, bool retryable) {
  const TimePoint now = now_();
  JobRecord failed;
  DependencyEffects effects;
  const FailOutcome outcome = co_await store_.write([&](StoreTx& tx) {
    effects.clear();
    JobRecord job = loadJob(tx, orgId, jobId);
    requireLease(job, lease, now);
    const auto delay = retry_.delayFor(job.retryCount + 1, unitRandom);
    const bool willRetry = applyFailure(job, error, retryable, now, delay);
    storeFinished(tx, job, failureKind(willRetry), JobStatus::Processing, now, effects);
    failed = job;
    return FailOutcome{job.status, willRetry, willRetry ? job.scheduledAt : std::nullopt};
  });
  emitFailure(failed, outcome.willRetry);
  announce(effects);
  co_return outcome;
}

Task<JobRecord> JobEngine::heartbeat(const std::string& orgId, const std::string& jobId, const LeaseRef& lease,
                               int leaseDurationSecs) {
  const TimePoint now = now_();
  co_return co_await store_.write([&](StoreTx& tx) {
    JobRecord job = loadJob(tx, orgId, jobId);
    requireLease(job, lease, now);
    applyLeaseRenewal(job, now, std::chrono::seconds(leaseDurationSecs));
    tx.updateJob(job);
    return job;
  });
}

Task<> JobEngine::progress(const std::string& orgId, const std::string& jobId, const LeaseRef& lease, int percent,
                         const std::optional<std::string>& message) {
  const TimePoint now = now_();
  const JobRecord job = co_await store_.write([&](StoreTx& tx) {
    JobRecord job = loadJob(tx, orgId, jobId);
    requireLease(job, lease, now);
    applyProgress(job, percent, message, now);
    tx.updateJob(job);
    return job;
  });
  emit(JobEvent::Kind::Progress, job, job.status);
}

Task<JobRecord> JobEngine::changeOne(const std::string& orgId, const std::string& jobId,
                                     const std::function<void(JobRecord&)>& apply,
                                     std::optional<JobEvent::Kind> txKind) {
  co_return co_await store_.write([&](StoreTx& tx) {
    JobRecord job = loadJob(tx, orgId, jobId);
    const JobStatus before = job.status;
    apply(job);
    tx.updateJob(job);
    if (txKind) recordInTx(tx, *txKind, job, before);
    return job;
  });
}

Task<JobRecord> JobEngine::cancel(const std::string& orgId, const std::string& jobId) {
  const TimePoint now = now_();
  JobStatus before = JobStatus::Pending;
  DependencyEffects effects;
  JobRecord job = co_await store_.write([&](StoreTx& tx) {
    effects.clear();
    JobRecord j = loadJob(tx, orgId, jobId);
    before = j.status;
    applyCancel(j, now);
    storeFinished(tx, j, JobEvent::Kind::Cancelled, before, now, effects);
    return j;
  });
  emit(JobEvent::Kind::Cancelled, job, before);
  announce(effects);
  co_return job;
}

Task<JobRecord> JobEngine::retry(const std::string& orgId, const std::string& jobId) {
  const TimePoint now = now_();
  JobStatus before = JobStatus::Failed;
  JobRecord job = co_await store_.write([&](StoreTx& tx) {
    JobRecord j = loadJob(tx, orgId, jobId);
    before = j.status;
    applyManualRetry(j, now);
    tx.updateJob(j);
    noteWorkflowJobRetried(tx, j, before, now);
    return j;
  });
  notifier_.notify(orgId, job.queueName, 1);
  emit(JobEvent::Kind::Retried, job, before);
  co_return job;
}

Task<std::vector<std::string>> JobEngine::retryDeadLetters(const std::string& orgId, const DeadLetterSelection& selection) {
  const TimePoint now = now_();
  std::vector<JobRecord> moved;
  co_await store_.write([&](StoreTx& tx) {
    std::vector<JobRecord> chosen;
    if (selection.jobIds) {
      // Ids that are unknown, of another organization or not dead-lettered are skipped, as the
      // official backend does; each id counts once.
      std::set<std::string> seen;
      for (const std::string& id : *selection.jobIds) {
        if (!seen.insert(id).second) continue;
        auto job = tx.findJob(orgId, id);
        if (job && job->status == JobStatus::Deadletter) chosen.push_back(std::move(*job));
      }
    } else {
      chosen = tx.listJobs(deadLetterQuery(orgId, selection.queueName, selection.limit));
    }
    for (JobRecord& job : chosen) {
      applyDeadLetterRetry(job, now);
      tx.updateJob(job);
      noteWorkflowJobRetried(tx, job, JobStatus::Deadletter, now);
    }
    moved = std::move(chosen);
  });
  for (const JobRecord& job : moved) emit(JobEvent::Kind::Retried, job, JobStatus::Deadletter);
  notifyReady(moved);
  std::vector<std::string> ids;
  for (const JobRecord& job : moved) ids.push_back(job.id);
  co_return ids;
}

Task<long long> JobEngine::purgeDeadLetters(const std::string& orgId, const DeadLetterPurge& purge) {
  co_return co_await store_.write([&](StoreTx& tx) -> long long {
    if (!purge.olderThan && !purge.limit) return tx.deleteJobs(orgId, JobStatus::Deadletter, purge.queueName);
    // Oldest first, a page at a time, so a large dead-letter queue is never loaded whole.
    constexpr int kPage = 200;
    const long long limit = purge.limit.value_or(std::numeric_limits<int>::max());
    long long deleted = 0;
    while (deleted < limit) {
      const int pageSize = static_cast<int>(std::min<long long>(kPage, limit - deleted));
      const auto page = tx.listJobs(deadLetterQuery(orgId, purge.queueName, pageSize));
      long long deletedHere = 0;
      for (const JobRecord& job : page) {
        if (purge.olderThan && job.createdAt >= *purge.olderThan) return deleted + deletedHere;
        if (tx.deleteJob(orgId, job.id)) ++deletedHere;
      }
      deleted += deletedHere;
      if (static_cast<int>(page.size()) < pageSize || deletedHere == 0) break;
    }
    return deleted;
  });
}

Task<PriorityChange> JobEngine::changePriority(const std::string& orgId, const std::string& jobId, int priority) {
  const TimePoint now = now_();
  int old = 0;
  const std::function<void(JobRecord&)> change = [&](JobRecord& job) { old = applyPriorityChange(job, priority, now); };
  co_await changeOne(orgId, jobId, change);
  co_return PriorityChange{jobId, old, priority};
}

Task<int> JobEngine::reapExpiredLeases(int batchLimit) {
  const TimePoint now = now_();
  std::vector<std::pair<JobRecord, bool>> reaped;  // each job and whether it will be retried
  DependencyEffects effects;
  const int moved = co_await store_.write([&](StoreTx& tx) {
    reaped.clear();
    effects.clear();
    auto expired = tx.findExpiredLeases(now, batchLimit);
    for (JobRecord& job : expired) {
      // The worker vanished or hung: count the attempt, but let the job run again at once rather
      // than after a backoff, since the failure was the worker's, not the job's.
      const std::string error = "lease expired: worker " + job.assignedWorkerId.value_or("?") +
                                " stopped renewing it";
      const bool willRetry = applyFailure(job, error, true, now, std::chrono::milliseconds(0));
      storeFinished(tx, job, failureKind(willRetry), JobStatus::Processing, now, effects);
      reaped.emplace_back(job, willRetry);
    }
    return static_cast<int>(expired.size());
  });
  for (const auto& [job, willRetry] : reaped) {
    if (willRetry) notifier_.notify(job.orgId, job.queueName, 1);
    emitFailure(job, willRetry);
  }
  announce(effects);
  co_return moved;
}

}  // namespace spooled::server
