#pragma once
// The job lifecycle: create (one or many), claim, complete, fail, heartbeat, progress, cancel, manual
// and dead-letter retries, priority changes, dead-letter purges, and the reaper's return of expired
// leases. Every state change of a job happens here, inside a store transaction,
// through the transitions in job_transitions.hpp. Throws ApiError for anything the caller did wrong.
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/error_code.hpp"
#include "server/core/claim_rate_limiter.hpp"
#include "server/core/job_dependencies.hpp"
#include "server/core/job_events.hpp"
#include "server/core/job_notifier.hpp"
#include "server/core/org_limits.hpp"
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
  // Set by workflow creation only (core/job_dependencies.hpp).
  std::optional<std::string> workflowId;
  std::optional<std::string> workflowKey;
  std::optional<std::string> dependencyMode;
  int dependenciesPending = 0;  // parents it waits for; 0: claimable at once
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

// PUT /jobs/{id}/priority: the job and its priority before and after.
struct PriorityChange {
  std::string jobId;
  int oldPriority = 0;
  int newPriority = 0;
};

// Which dead-lettered jobs to retry: these ids (others and unknown ids are skipped), else the oldest of
// one queue, else the oldest of the organization; at most `limit` when chosen by queue or organization.
struct DeadLetterSelection {
  std::optional<std::vector<std::string>> jobIds;
  std::optional<std::string> queueName;
  int limit = 100;
};

// Which dead-lettered jobs to delete: optionally one queue, only those created before `olderThan`,
// at most `limit` (oldest first). No limit and no time: every one.
struct DeadLetterPurge {
  std::optional<std::string> queueName;
  std::optional<TimePoint> olderThan;
  std::optional<int> limit;
};

// One item of a batched acknowledgement (POST /api/v1/jobs/ack, our extension): complete or fail
// one job, fenced by its own lease.
struct AckInput {
  std::string jobId;
  LeaseRef lease;
  bool completed = true;       // false: a failure
  std::optional<json> result;  // when completed
  std::string error;           // when failed
  bool retryable = true;       // when failed
};

// What became of one AckInput: `error` says why it changed nothing; otherwise it was applied.
struct AckOutcome {
  std::optional<ApiError> error;
  bool willRetry = false;  // a failure that returns the job to the queue
};

struct AckBatchOutcome {
  std::vector<AckOutcome> items;  // in the order of the inputs
  std::vector<JobRecord> claimed;
};

struct FailOutcome {
  JobStatus status;  // pending (will retry) or deadletter
  bool willRetry = false;
  std::optional<TimePoint> retryAt;
};

// One job of POST /api/v1/workflows: its key in the workflow and the keys it waits for.
struct WorkflowJobInput {
  std::string key;
  CreateJobInput job;
  std::vector<std::string> dependsOn;
  std::string dependencyMode = "all";  // "all" | "any"
};

struct CreateWorkflowInput {
  std::string name;
  std::optional<std::string> description;
  std::optional<json> metadata;
  std::vector<WorkflowJobInput> jobs;
};

struct CreateWorkflowOutcome {
  WorkflowRecord workflow;
  std::vector<std::pair<std::string, std::string>> jobIds;  // (key, job id), in the order given
};

// Inserts the job `input` describes inside tx, unless its idempotency key names an existing job of the
// organization; a new job is appended to `created`. Shared by job and workflow creation. With
// `deferred`, a job without an idempotency key is appended there instead of inserted, for the caller
// to insert with the others (StoreTx::insertJobs) before its transaction ends.
CreateJobOutcome insertJobUnlessKnown(StoreTx& tx, const std::string& orgId, const CreateJobInput& input,
                                      TimePoint now, const OrgLimits& limits, std::vector<JobRecord>& created,
                                      std::vector<JobRecord>* deferred = nullptr);

// Every operation is a coroutine: it suspends while its transaction waits for the group commit, and
// resumes (on the store's resume executor) once the change is on disk. Arguments passed by reference
// must outlive the returned Task; callers await at once.
class JobEngine {
 public:
  JobEngine(Store& store, JobNotifier& notifier, RetryPolicy retry = {}, NowFn now = nowMs);

  Task<CreateJobOutcome> create(const std::string& orgId, const CreateJobInput& input);
  // Creates every input in one transaction (all or nothing on a storage failure), each as create()
  // would; idempotency keys repeated within the batch return the first item's job.
  Task<std::vector<CreateJobOutcome>> createMany(const std::string& orgId, std::span<const CreateJobInput> inputs);
  Task<std::vector<JobRecord>> claim(const std::string& orgId, const ClaimInput& input);
  Task<> complete(const std::string& orgId, const std::string& jobId, const LeaseRef& lease,
                const std::optional<json>& result);
  Task<FailOutcome> fail(const std::string& orgId, const std::string& jobId, const LeaseRef& lease,
                   const std::string& error, bool retryable);
  Task<JobRecord> heartbeat(const std::string& orgId, const std::string& jobId, const LeaseRef& lease,
                      int leaseDurationSecs);
  Task<> progress(const std::string& orgId, const std::string& jobId, const LeaseRef& lease, int percent,
                const std::optional<std::string>& message);
  // Applies every item in one transaction, each on its own (one item's error leaves the others
  // alone), then, when `claim` is set, claims in the same transaction: a busy worker returns its
  // results and receives new jobs with one commit. `mayUseQueue` says whether the caller may touch a
  // job of that queue (403 for the item otherwise).
  Task<AckBatchOutcome> acknowledge(const std::string& orgId, const std::vector<AckInput>& items,
                                    const std::optional<ClaimInput>& claim,
                                    const std::function<bool(const std::string& queueName)>& mayUseQueue);
  // Pending or scheduled: cancelled. Processing: cancelled and its lease revoked, so the worker's next
  // call gets JOB_CANCELLED. Any other state: 409 CONFLICT.
  Task<JobRecord> cancel(const std::string& orgId, const std::string& jobId);

  // A failed or dead-lettered job back to the queue (404 unknown, 409 any other state).
  Task<JobRecord> retry(const std::string& orgId, const std::string& jobId);
  // Dead-lettered jobs back to the queue with a fresh retry budget; returns the ids it moved.
  Task<std::vector<std::string>> retryDeadLetters(const std::string& orgId, const DeadLetterSelection& selection);
  // Deletes dead-lettered jobs; returns how many.
  Task<long long> purgeDeadLetters(const std::string& orgId, const DeadLetterPurge& purge);
  // New priority for a pending or scheduled job (404 unknown, 409 any other state).
  Task<PriorityChange> changePriority(const std::string& orgId, const std::string& jobId, int priority);

  // Returns processing jobs whose lease ran out to the queue as a failed attempt (or to the DLQ when
  // no retries are left). Returns how many jobs it moved.
  Task<int> reapExpiredLeases(int batchLimit = 500);

  // Workflows (job_engine_workflows.cpp). create: validates the graph (400 naming unknown keys or a
  // cycle; nothing stored), then stores the workflow, its jobs and edges in one transaction.
  Task<CreateWorkflowOutcome> createWorkflow(const std::string& orgId, const CreateWorkflowInput& input);
  // Cancels every unfinished job of the workflow and the workflow itself (409 when already finished).
  Task<WorkflowRecord> cancelWorkflow(const std::string& orgId, const std::string& workflowId);
  // A failed workflow: its failed, dead-lettered and cancelled jobs back to pending (fresh retries),
  // dependencies counted again, status running. Any other status: 409.
  Task<WorkflowRecord> retryWorkflow(const std::string& orgId, const std::string& workflowId);
  // Jobs made by another feature's transaction (cron schedules): fn runs in one write transaction
  // and may call `create` there, which inserts as create() does (queue limits, idempotency keys);
  // after the commit the jobs are announced as create()'s are (parked claims wake, events go out).
  using JobCreator = std::function<CreateJobOutcome(const std::string& orgId, const CreateJobInput& input)>;
  Task<> writeCreatingJobs(const std::function<void(StoreTx&, const JobCreator&)>& fn);

  NowFn now() const { return now_; }

  // What one organization may create; a job on a new queue counts against maxQueues. Set before the
  // engine is shared between threads.
  void setOrgLimits(const OrgLimits& limits) { limits_ = limits; }
  const OrgLimits& orgLimits() const { return limits_; }

  // Adds an observer of committed changes. Call before the engine is shared between threads; the
  // listener must outlive the engine.
  void addListener(JobEventListener* listener) { feed_.add(listener); }
  // Adds an observer that acts inside each change's transaction (same rules).
  void addTxListener(TxChangeListener* listener) { feed_.addInTx(listener); }
  // The same listeners, for WorkerRegistry and QueueControl to tell about their changes.
  const ChangeFeed& feed() const { return feed_; }

 private:
  // The event for a change of `job` (as stored), which was in `oldStatus` before.
  JobEvent eventFor(JobEvent::Kind kind, const JobRecord& job, JobStatus oldStatus) const;
  // Tells listeners about a committed change of `job` (as stored), which was in `oldStatus` before.
  void emit(JobEvent::Kind kind, const JobRecord& job, JobStatus oldStatus) const;
  // Tells in-transaction listeners (the webhook outbox) about the change, inside its transaction.
  void recordInTx(StoreTx& tx, JobEvent::Kind kind, const JobRecord& job, JobStatus oldStatus) const;
  void emitFailure(const JobRecord& job, bool willRetry) const;
  // Loads one job of the organization (404 when it has none), applies a transition and stores it, in
  // one transaction. Returns the job as stored.
  // `apply` is a named local of the caller, never a temporary in the co_await expression: GCC 12 may
  // destroy such temporaries twice.
  // With `txKind`, in-transaction listeners hear of the change as that kind.
  Task<JobRecord> changeOne(const std::string& orgId, const std::string& jobId,
                            const std::function<void(JobRecord&)>& apply,
                            std::optional<JobEvent::Kind> txKind = std::nullopt);
  // Claims inside a write transaction (shared by claim and acknowledge).
  std::vector<JobRecord> claimIn(StoreTx& tx, const std::string& orgId, const ClaimInput& input, TimePoint now);
  // Applies one AckInput inside a write transaction to its job in `rows` (the batch's jobs, read at
  // once) and leaves the job's row to be written with the rest of the batch; throws ApiError when
  // the item may not change.
  AckOutcome acknowledgeOne(StoreTx& tx, const AckInput& item, TimePoint now,
                            const std::function<bool(const std::string&)>& mayUseQueue,
                            std::unordered_map<std::string, JobRecord>& rows, JobRecord& changed,
                            DependencyEffects& effects);
  // Wakes claimers of each queue that got jobs, and tells listeners about each job.
  void announceCreated(const std::vector<JobRecord>& created) const;
  // Wakes as many claimers of each queue as it got ready jobs.
  void notifyReady(const std::vector<JobRecord>& jobs) const;
  // Stores a job an attempt or a cancel changed, lets its workflow and dependents follow when it is
  // final, and tells in-transaction listeners (the outbox) about it as `kind`, all in tx.
  void storeFinished(StoreTx& tx, const JobRecord& job, JobEvent::Kind kind, JobStatus oldStatus, TimePoint now,
                     DependencyEffects& effects) const;
  // storeFinished but the write of the job's own row, which the caller does (with others) in tx.
  void settleFinished(StoreTx& tx, const JobRecord& job, JobEvent::Kind kind, JobStatus oldStatus, TimePoint now,
                      DependencyEffects& effects) const;
  // After the commit: wakes the queues of released dependents and tells listeners of cancelled ones.
  void announce(const DependencyEffects& effects) const;

  Store& store_;
  JobNotifier& notifier_;
  RetryPolicy retry_;
  NowFn now_;
  ClaimRateLimiter rateLimiter_;  // enforces each queue's rate_limit on claims (one process)
  // Several processes on one database: the bucket is a row taken in the claim's own transaction.
  const bool sharedRateLimits_ = store_.cluster() != nullptr;
  OrgLimits limits_;
  ChangeFeed feed_;
};

}  // namespace spooled::server
