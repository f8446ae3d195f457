#pragma once
// The storage seam. Core code sees only these interfaces; SQLite and PostgreSQL implement them and
// pass one conformance suite (tests/unit/store_test.cpp). Nothing here exposes a backend handle.
#include <coroutine>
#include <cstddef>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "common/executor.hpp"
#include "common/task.hpp"
#include "server/store/records.hpp"
#include "server/store/webhook_records.hpp"
#include "server/store/schedule_records.hpp"

namespace spooled::server {

// Reads. Implementations are used by one thread at a time (Store hands each caller its own).
class StoreReader {
 public:
  virtual ~StoreReader() = default;

  virtual std::optional<JobRecord> findJob(const std::string& orgId, const std::string& jobId) = 0;
  virtual std::optional<JobRecord> findJobByIdempotencyKey(const std::string& orgId, const std::string& key) = 0;
  virtual std::vector<JobRecord> listJobs(const JobQuery& query) = 0;
  // Count of jobs per status for one organization, optionally one queue. Statuses with no jobs may be absent.
  virtual std::map<JobStatus, long long> countJobsByStatus(const std::string& orgId,
                                                           const std::optional<std::string>& queueName) = 0;

  virtual std::optional<WorkerRecord> findWorker(const std::string& orgId, const std::string& workerId) = 0;
  virtual std::vector<WorkerRecord> listWorkers(const WorkerQuery& query) = 0;

  virtual std::optional<OrganizationRecord> findOrganization(const std::string& orgId) = 0;
  virtual std::optional<OrganizationRecord> findOrganizationBySlug(const std::string& slug) = 0;
  virtual std::vector<OrganizationRecord> listOrganizations() = 0;

  virtual std::optional<ApiKeyRecord> findApiKeyByHash(const std::string& keyHash) = 0;
  virtual std::optional<ApiKeyRecord> findApiKey(const std::string& orgId, const std::string& keyId) = 0;
  virtual std::vector<ApiKeyRecord> listApiKeys(const std::string& orgId) = 0;

  virtual std::optional<QueueRecord> findQueue(const std::string& orgId, const std::string& queueName) = 0;
  virtual std::vector<QueueRecord> listQueues(const std::string& orgId) = 0;
  // Names of every queue of the organization that has jobs or a queue record, sorted.
  virtual std::vector<std::string> listQueueNames(const std::string& orgId) = 0;

  virtual JobActivity jobActivity(const std::string& orgId, const std::optional<std::string>& queueName,
                                  TimePoint since) = 0;
  // Job counts by (organization, queue, status), for one organization or (nullopt) all of them.
  virtual std::vector<QueueStatusCount> countJobsByQueueAndStatus(const std::optional<std::string>& orgId) = 0;

  // True when a JWT with this id (jti) was revoked by logout.
  virtual bool isTokenRevoked(const std::string& tokenId) = 0;

  // What an organization has, for its limits (core/org_limits). Each is an index lookup whose cost
  // grows with what it counts, never with the organization's jobs.
  // True when the organization has jobs or a record of this queue.
  virtual bool queueExists(const std::string& orgId, const std::string& queueName) = 0;
  // Queues with jobs or a record (as listQueueNames), counting no further than upTo.
  virtual long long countQueues(const std::string& orgId, long long upTo) = 0;
  // Workers whose status is not offline.
  virtual long long countLiveWorkers(const std::string& orgId) = 0;
  // Keys with is_active set (expired ones included, as the official backend counts them).
  virtual long long countActiveApiKeys(const std::string& orgId) = 0;
  // Workers of every organization by status (metrics).
  virtual std::map<std::string, long long> countWorkersByStatus() = 0;

  // Outgoing webhooks (store/sqlite/sqlite_webhooks.cpp, store/postgres/pg_webhooks.cpp).
  // The organization's webhooks, newest first.
  virtual std::vector<OutgoingWebhookRecord> listOutgoingWebhooks(const std::string& orgId) = 0;
  virtual std::optional<OutgoingWebhookRecord> findOutgoingWebhook(const std::string& orgId, const std::string& id) = 0;
  // The webhook's deliveries, newest first, at most `limit`.
  virtual std::vector<WebhookDeliveryRecord> listWebhookDeliveries(const std::string& orgId, const std::string& webhookId,
                                                                   int limit) = 0;
  virtual std::optional<WebhookDeliveryRecord> findWebhookDelivery(const std::string& orgId,
                                                                   const std::string& deliveryId) = 0;
  // --- Workflows and job dependencies (store/*/..._workflows.cpp) ---
  // In a PostgreSQL write transaction, findWorkflow and listWorkflowJobs lock the rows they return.
  virtual std::optional<WorkflowRecord> findWorkflow(const std::string& orgId, const std::string& workflowId) = 0;
  // Newest first, optionally of one status.
  virtual std::vector<WorkflowRecord> listWorkflows(const std::string& orgId, const std::optional<std::string>& status,
                                                    int limit, int offset) = 0;
  // The workflow's jobs in creation order (an index lookup on workflow_id).
  virtual std::vector<JobRecord> listWorkflowJobs(const std::string& orgId, const std::string& workflowId) = 0;
  // The edges on which jobId waits (its parents), and those that wait on jobId (its dependents).
  virtual std::vector<JobDependencyRecord> listDependencies(const std::string& orgId, const std::string& jobId) = 0;
  virtual std::vector<JobDependencyRecord> listDependents(const std::string& orgId, const std::string& jobId) = 0;
  // --- Cron schedules (core/schedule_service) ---
  virtual std::optional<ScheduleRecord> findSchedule(const std::string& orgId, const std::string& scheduleId) = 0;
  // The organization's schedules, newest first, at most `limit`.
  virtual std::vector<ScheduleRecord> listSchedules(const std::string& orgId, int limit) = 0;
  virtual long long countSchedules(const std::string& orgId) = 0;
  // Runs of one schedule of the organization, newest first, at most `limit`.
  virtual std::vector<ScheduleRunRecord> listScheduleRuns(const std::string& orgId, const std::string& scheduleId,
                                                          int limit) = 0;
  // The earliest next_run_at of any active schedule of any organization (an index lookup).
  virtual std::optional<TimePoint> earliestScheduledRun() = 0;
};

// A write transaction. Its reads see its own writes. Every method throws on a storage failure.
class StoreTx : public StoreReader {
 public:
  // Throws StoreDuplicateKey when the organization has a job with job.idempotencyKey already.
  virtual void insertJob(const JobRecord& job) = 0;
  virtual void updateJob(const JobRecord& job) = 0;  // replaces every column of the row with this id
  // Ready jobs of one queue: status pending or scheduled, scheduled_at absent or <= now, expires_at
  // absent or > now. Highest priority first, then oldest (created_at, then id). At most `limit`.
  // Must be an index lookup. PostgreSQL locks the rows it returns (FOR UPDATE SKIP LOCKED).
  virtual std::vector<JobRecord> findClaimableJobs(const std::string& orgId, const std::string& queueName,
                                                   TimePoint now, int limit) = 0;
  // Processing jobs of every organization whose lease_expires_at <= now, oldest lease first.
  virtual std::vector<JobRecord> findExpiredLeases(TimePoint now, int limit) = 0;

  virtual void insertWorker(const WorkerRecord& worker) = 0;
  virtual void updateWorker(const WorkerRecord& worker) = 0;
  // Workers of every organization, not offline, whose last_heartbeat < cutoff.
  virtual std::vector<WorkerRecord> findWorkersSilentSince(TimePoint cutoff, int limit) = 0;

  virtual void insertOrganization(const OrganizationRecord& org) = 0;
  virtual void updateOrganization(const OrganizationRecord& org) = 0;
  virtual void insertApiKey(const ApiKeyRecord& key) = 0;
  virtual void updateApiKey(const ApiKeyRecord& key) = 0;

  virtual void upsertQueue(const QueueRecord& queue) = 0;
  virtual void deleteQueue(const std::string& orgId, const std::string& queueName) = 0;

  // Deletes the organization's jobs with this status (any status when nullopt), optionally of one
  // queue. Returns how many it deleted.
  virtual long long deleteJobs(const std::string& orgId, std::optional<JobStatus> status,
                               const std::optional<std::string>& queueName) = 0;
  // Deletes one job of the organization; false when it has no job with this id.
  virtual bool deleteJob(const std::string& orgId, const std::string& jobId) = 0;
  // Deletes an organization and everything it owns: jobs, workers, queues, API keys.
  virtual void deleteOrganization(const std::string& orgId) = 0;
  // Remembers a revoked JWT id until its expiry (older entries may be dropped).
  virtual void insertRevokedToken(const std::string& tokenId, TimePoint expiresAt) = 0;

  // Outgoing webhooks and their outbox of deliveries.
  virtual void insertOutgoingWebhook(const OutgoingWebhookRecord& webhook) = 0;
  virtual void updateOutgoingWebhook(const OutgoingWebhookRecord& webhook) = 0;
  // Deletes the webhook and its deliveries; false when the organization has no such webhook.
  virtual bool deleteOutgoingWebhook(const std::string& orgId, const std::string& id) = 0;
  // After an attempt: failure_count reset (success) or incremented, last_status and last_triggered_at
  // set, in one statement (no read, so concurrent senders cannot lose a count).
  virtual void recordWebhookOutcome(const std::string& webhookId, bool success, TimePoint at) = 0;
  virtual void insertWebhookDelivery(const WebhookDeliveryRecord& delivery) = 0;
  virtual void updateWebhookDelivery(const WebhookDeliveryRecord& delivery) = 0;
  // Pending deliveries of every organization with next_attempt_at <= now, oldest due first, at most
  // `limit`. PostgreSQL locks them (FOR UPDATE SKIP LOCKED): two servers never take one row.
  virtual std::vector<WebhookDeliveryRecord> findDueWebhookDeliveries(TimePoint now, int limit) = 0;
  // --- Workflows and job dependencies ---
  virtual void insertWorkflow(const WorkflowRecord& workflow) = 0;
  virtual void updateWorkflow(const WorkflowRecord& workflow) = 0;
  // Both jobs must exist already.
  virtual void insertJobDependency(const JobDependencyRecord& edge) = 0;
  // Cluster limits (h-pgx): a queue's claim rate as one token bucket row per (organization, queue),
  // taken in the claim's own transaction so every process sharing the database draws from it. The
  // bucket holds at most one second's worth (ratePerSecond tokens) and refills at ratePerSecond since
  // its last use (a row not seen before starts full). Takes up to `wanted` whole tokens and returns
  // how many it took. The row stays locked until the transaction ends, so concurrent claims of one
  // queue in other processes queue behind it instead of taking the same tokens.
  virtual int takeClaimTokens(const std::string& orgId, const std::string& queueName, int ratePerSecond, int wanted,
                              TimePoint now) = 0;
  // Puts back tokens taken but not used (fewer ready jobs than granted), up to the bucket's size.
  virtual void returnClaimTokens(const std::string& orgId, const std::string& queueName, int ratePerSecond,
                                 int tokens) = 0;
  // --- Cron schedules (core/schedule_service) ---
  virtual void insertSchedule(const ScheduleRecord& schedule) = 0;
  virtual void updateSchedule(const ScheduleRecord& schedule) = 0;  // every column of the row with this id
  // Compare-and-set: writes the row only while its next_run_at still equals `expectedNextRun`
  // (NULL matches nullopt). False, changing nothing, when another transaction moved it first.
  virtual bool updateScheduleIfNextRun(const ScheduleRecord& schedule, std::optional<TimePoint> expectedNextRun) = 0;
  // Deletes a schedule of the organization with its runs; false when it has none with this id.
  virtual bool deleteSchedule(const std::string& orgId, const std::string& scheduleId) = 0;
  // Active schedules of every organization whose next_run_at <= now, earliest first, at most `limit`.
  // PostgreSQL locks the rows it returns (FOR UPDATE SKIP LOCKED).
  virtual std::vector<ScheduleRecord> findDueSchedules(TimePoint now, int limit) = 0;
  virtual void insertScheduleRun(const ScheduleRunRecord& run) = 0;
  // Deletes the schedule's runs but the newest `keep`.
  virtual void pruneScheduleRuns(const std::string& scheduleId, int keep) = 0;
  // --- Jobs in sets: what a claim or a batch of acknowledgements reads and writes at once ---
  // The jobs of the organization with these ids (unknown ids are left out), in no particular order.
  // A store whose statements cost a round trip each (PostgreSQL) reads them in one.
  virtual std::vector<JobRecord> findJobs(const std::string& orgId, const std::vector<std::string>& ids) {
    std::vector<JobRecord> found;
    for (const std::string& id : ids)
      if (auto job = findJob(orgId, id)) found.push_back(std::move(*job));
    return found;
  }
  // As updateJob for each, in one statement where the store can.
  virtual void updateJobs(const std::vector<JobRecord>& jobs) {
    for (const JobRecord& job : jobs) updateJob(job);
  }
  // As insertJob for each, in one statement where the store can. For jobs without an idempotency
  // key (a taken key is each job's own outcome, so those go through insertJob).
  virtual void insertJobs(const std::vector<JobRecord>& jobs) {
    for (const JobRecord& job : jobs) insertJob(job);
  }
  // --- Retention of webhook deliveries ---
  // Deletes up to `limit` of the webhook's finished deliveries (success or failed) created before
  // `cutoff`, oldest first; pending ones stay whatever their age. Returns how many it deleted.
  virtual long long deleteWebhookDeliveriesBefore(const std::string& webhookId, TimePoint cutoff, int limit) = 0;
};

// What health probes report about a store (GET /health, /health/ready).
struct StoreHealth {
  std::optional<std::string> readProblem;   // why reads fail; nullopt when a read just worked
  std::optional<std::string> writeProblem;  // why writes fail; nullopt when the latest commit worked
  bool ok() const { return !readProblem && !writeProblem; }
};

// A new job's idempotency key is taken: the organization already has a job with it (committed by
// another process, possibly a moment ago). Thrown by StoreTx::insertJob; the transaction stays
// usable, so core answers with the existing job instead of failing.
class StoreDuplicateKey : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// What the server processes sharing one database tell each other (PostgreSQL: LISTEN/NOTIFY and an
// advisory lock). SQLite serves one process and has none. Thread-safe.
class ClusterSignals {
 public:
  using ReadyFn = std::function<void(const std::string& orgId, const std::string& queueName, std::size_t count)>;
  virtual ~ClusterSignals() = default;
  // Tells the other processes that `count` jobs became ready on (orgId, queueName). Never waits; may be
  // lost while the database is unreachable (parked claims also probe once a second).
  virtual void publishReady(const std::string& orgId, const std::string& queueName, std::size_t count) = 0;
  // fn runs, on a thread of the signals, for each such message from another process. Set it once,
  // before jobs are created.
  virtual void onReady(ReadyFn fn) = 0;
  // True when this process holds the cluster's background duties (lease reaper, scheduled promotion,
  // silent-worker sweep, retention), taking them if nobody does. The holder keeps them until its
  // connection ends; then the next caller in any process takes them. May block for a connection.
  virtual bool holdsDuties() = 0;

  // Cluster limits (h-pgx): the per-key request rate as one token bucket row per key. Each process
  // admits requests from its own copy and reports what it used every few tens of milliseconds;
  // syncRateBuckets sends those reports in one statement and returns, in the same order, each shared
  // bucket's tokens after refilling (at its rate, up to its burst, by the database's clock) and
  // subtracting the uses. A bucket may go below zero when processes admitted at once; they then refuse
  // until it is paid back, so over any window the cluster admits what one bucket would, within a
  // sync interval's worth. Blocks for a round trip; throws when the database cannot be reached.
  struct BucketUse {
    std::string key;
    double used = 0;
    double perSecond = 0;
    double burst = 0;
  };
  virtual std::vector<double> syncRateBuckets(const std::vector<BucketUse>& uses) = 0;

  // Cluster events (h-pgx): live events cross processes as opaque messages. publishEvent never waits;
  // messages are delivered to every process's onEvent (this one's included, with fromHere true), in
  // one order that all of them share (the order their NOTIFYs committed). Set onEvent once, before
  // events are published.
  using EventFn = std::function<void(const std::string& message, bool fromHere)>;
  virtual void publishEvent(std::string message) = 0;
  virtual void onEvent(EventFn fn) = 0;
  // Listener presence: relaying events costs the database a NOTIFY per batch and every server a
  // round trip, and is wasted while no other process has a subscriber. A process with subscribers
  // (`hasListeners`, polled) announces itself now and then; relayEvents() is true while another
  // process announced itself lately, and for a while after this one started (it has not heard
  // everyone yet). listenerJoined() announces a new subscriber at once.
  virtual void watchListeners(std::function<bool()> hasListeners) = 0;
  virtual void listenerJoined() = 0;
  virtual bool relayEvents() = 0;
};

// A database. Thread-safe: any thread may call read() and write() at any time.
//
// Writes are asynchronous, so a request waiting for its commit holds no thread: submitWrite() is the
// one primitive, and write() (a coroutine) and writeNow() (blocking) are built on it.
class Store {
 public:
  using WriteFn = std::function<void(StoreTx&)>;
  // Called once with nullptr after fn's changes are durably committed, or with the error that undid
  // them. Runs on the store's writer thread: it must be quick and must not wait for the store.
  using WriteDone = std::function<void(std::exception_ptr)>;

  virtual ~Store() = default;

  // Queues fn to run in a write transaction. Concurrent writes may share one commit (group commit).
  // If fn throws, its changes are rolled back and done gets the exception; other writes in the same
  // commit are unaffected. A store that cannot write (closing, storage fault) calls done with an
  // ApiError(Unavailable), possibly before submitWrite returns.
  virtual void submitWrite(WriteFn fn, WriteDone done) = 0;

  // Runs fn against committed data on a connection of its own.
  virtual void read(const std::function<void(StoreReader&)>& fn) = 0;

  // "sqlite" or "postgres".
  virtual std::string backendName() const = 0;

  // True when the database answers a trivial query.
  virtual bool ping() = 0;

  // Whether reads and writes work, as far as the store can tell without waiting: a read of its own
  // (which never waits longer than any read may) and the outcome of the latest commit.
  virtual StoreHealth health() {
    return ping() ? StoreHealth{} : StoreHealth{"the database does not answer", "the database does not answer"};
  }

  // True on the thread that runs write transactions (where a blocking write would deadlock).
  virtual bool onWriterThread() const { return false; }

  // How this process coordinates with others on the same database; nullptr when none can share it.
  virtual ClusterSignals* cluster() { return nullptr; }

  // Where coroutines suspended in write() continue after their commit; nullptr (the default) resumes
  // them on the writer thread, which only unit tests should do. Set before the store is shared.
  void setResumeExecutor(Executor* executor) { resumeExecutor_ = executor; }

  // Awaitable write: `R r = co_await store.write([&](StoreTx& tx) { ...; return r; });` The
  // coroutine resumes after the commit, on the resume executor; fn's exception is rethrown there.
  template <typename F>
  auto write(F fn) -> Task<decltype(fn(std::declval<StoreTx&>()))> {
    using R = decltype(fn(std::declval<StoreTx&>()));
    // The awaiters are named locals, not temporaries: GCC 12 may copy an aggregate temporary awaiter
    // bitwise and then destroy both copies.
    if constexpr (std::is_void_v<R>) {
      WriteAwaiter awaiter{*this, WriteFn(std::move(fn)), nullptr};
      co_await awaiter;
    } else {
      std::optional<R> out;
      WriteAwaiter awaiter{*this, [&out, &fn](StoreTx& tx) { out.emplace(fn(tx)); }, nullptr};
      co_await awaiter;
      co_return std::move(*out);
    }
  }

  // Blocking write, for start-up, background loops, tools and tests. Throws std::logic_error on the
  // writer thread (inside another write), where waiting for the writer would never end.
  template <typename F>
  auto writeNow(F fn) {
    if (onWriterThread()) throw std::logic_error("Store::writeNow called from inside a write transaction");
    return syncWait(write(std::move(fn)));
  }

  template <typename F>
  auto readResult(F&& fn) {
    using R = decltype(fn(std::declval<StoreReader&>()));
    std::optional<R> out;
    read([&](StoreReader& r) { out.emplace(fn(r)); });
    return std::move(*out);
  }

 private:
  struct WriteAwaiter {
    Store& store;
    WriteFn fn;
    std::exception_ptr error;

    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> handle) {
      // Nothing of *this is touched after submitWrite: done may already have resumed the coroutine.
      Store& s = store;
      s.submitWrite(std::move(fn), [this, &s, handle](std::exception_ptr e) {
        error = e;
        resumeOn(s.resumeExecutor_, handle);
      });
    }
    void await_resume() const {
      if (error) std::rethrow_exception(error);
    }
  };

  Executor* resumeExecutor_ = nullptr;
};

// How long a store waits for what another process holds.
struct StoreOptions {
  // A write waits this long for the database lock another process holds, then fails with 503.
  int busyTimeoutMs = 2000;
  // PostgreSQL: connections for reads and writes together (--db-pool-size).
  int poolSize = 10;
  // PostgreSQL: how often a server with live-event subscribers tells the others (--cluster-presence-ms).
  int clusterPresenceMs = 10000;
};

// Opens the database named by a URL: "sqlite:PATH" (relative or absolute; parent folders are created)
// or "postgres://..." / "postgresql://...". Applies pending migrations. Throws std::runtime_error
// with a readable message when the URL is unsupported or the database cannot be opened.
std::unique_ptr<Store> openStore(const std::string& databaseUrl, const StoreOptions& options = {});

}  // namespace spooled::server
