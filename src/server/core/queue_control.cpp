#include "server/core/queue_control.hpp"

#include "common/error_code.hpp"
#include "common/ids.hpp"

namespace spooled::server {

namespace {

constexpr auto kStatsWindow = std::chrono::hours(24);

[[noreturn]] void throwQueueNotFound(const std::string& queueName) {
  throw ApiError(ErrorCode::NotFound, "Queue " + queueName + " not found");
}

QueueRecord defaultQueue(const std::string& orgId, const std::string& queueName, TimePoint createdAt) {
  QueueRecord queue;
  queue.id = queueRecordId(orgId, queueName);
  queue.orgId = orgId;
  queue.queueName = queueName;
  queue.maxRetries = kDefaultQueueMaxRetries;
  queue.defaultTimeout = kDefaultQueueTimeoutSecs;
  queue.createdAt = createdAt;
  queue.updatedAt = createdAt;
  return queue;
}

// The oldest job of the queue, if it has any: when a queue known only from its jobs came to be.
std::optional<TimePoint> firstJobCreatedAt(StoreReader& reader, const std::string& orgId,
                                          const std::string& queueName) {
  JobQuery query;
  query.orgId = orgId;
  query.queueName = queueName;
  query.limit = 1;
  query.orderBy = "created_at";
  query.descending = false;
  const auto jobs = reader.listJobs(query);
  if (jobs.empty()) return std::nullopt;
  return jobs.front().createdAt;
}

std::optional<QueueRecord> findQueue(StoreReader& reader, const std::string& orgId, const std::string& queueName) {
  if (auto queue = reader.findQueue(orgId, queueName)) return queue;
  if (auto since = firstJobCreatedAt(reader, orgId, queueName)) return defaultQueue(orgId, queueName, *since);
  return std::nullopt;
}

// The stored record, or a new one with the defaults (to be stored by the caller); a new record on a
// name without jobs creates the queue, so it must fit the organization's limit.
QueueRecord recordToChange(StoreTx& tx, const std::string& orgId, const std::string& queueName, TimePoint now,
                           const OrgLimits& limits) {
  if (auto queue = tx.findQueue(orgId, queueName)) return std::move(*queue);
  requireQueueRoom(tx, limits, orgId, queueName);
  return defaultQueue(orgId, queueName, now);
}

void liftPause(QueueRecord& queue) {
  queue.paused = false;
  queue.pausedAt.reset();
  queue.pauseReason.reset();
}

long long countOf(const std::map<JobStatus, long long>& counts, JobStatus status) {
  const auto it = counts.find(status);
  return it == counts.end() ? 0 : it->second;
}

}  // namespace

std::string queueRecordId(const std::string& orgId, const std::string& queueName) {
  // A name-based UUID (version 5 layout over SHA-256), so it reads like every other id.
  std::string hex = sha256Hex(orgId + '\n' + queueName).substr(0, 32);
  hex[12] = '5';
  hex[16] = "89ab"[std::stoi(hex.substr(16, 1), nullptr, 16) & 3];
  return hex.substr(0, 8) + '-' + hex.substr(8, 4) + '-' + hex.substr(12, 4) + '-' + hex.substr(16, 4) + '-' +
         hex.substr(20, 12);
}

QueueControl::QueueControl(Store& store, JobNotifier& notifier, NowFn now, OrgLimits limits, const ChangeFeed* feed)
    : store_(store), notifier_(notifier), now_(std::move(now)), limits_(limits), feed_(feed) {}

std::optional<QueueRecord> QueueControl::find(const std::string& orgId, const std::string& queueName) {
  return store_.readResult([&](StoreReader& r) { return findQueue(r, orgId, queueName); });
}

std::vector<QueueRecord> QueueControl::list(const std::string& orgId) {
  const TimePoint now = now_();
  return store_.readResult([&](StoreReader& r) {
    std::map<std::string, QueueRecord> stored;
    for (QueueRecord& queue : r.listQueues(orgId)) stored.emplace(queue.queueName, std::move(queue));
    std::vector<QueueRecord> queues;
    for (const std::string& name : r.listQueueNames(orgId)) {
      const auto it = stored.find(name);
      // A list shows no creation times, so a queue known from its jobs needs no look at them here.
      queues.push_back(it != stored.end() ? it->second : defaultQueue(orgId, name, now));
    }
    return queues;
  });
}

Task<QueueRecord> QueueControl::updateConfig(const std::string& orgId, const std::string& queueName,
                                       const QueueConfigUpdate& update) {
  const TimePoint now = now_();
  QueueRecord queue = co_await store_.write([&](StoreTx& tx) {
    QueueRecord queue = recordToChange(tx, orgId, queueName, now, limits_);
    if (update.maxRetries) queue.maxRetries = *update.maxRetries;
    if (update.defaultTimeout) queue.defaultTimeout = *update.defaultTimeout;
    if (update.rateLimit) queue.rateLimit = *update.rateLimit;
    if (update.settings) queue.settings = *update.settings;
    if (update.enabled) {
      queue.enabled = *update.enabled;
      if (*update.enabled) liftPause(queue);
    }
    queue.updatedAt = now;
    tx.upsertQueue(queue);
    return queue;
  });
  notifier_.notify(orgId, queueName);
  co_return queue;
}

Task<QueueRecord> QueueControl::pause(const std::string& orgId, const std::string& queueName,
                                const std::optional<std::string>& reason) {
  const TimePoint now = now_();
  QueueRecord paused = co_await store_.write([&](StoreTx& tx) {
    QueueRecord queue = recordToChange(tx, orgId, queueName, now, limits_);
    if (!queue.paused) {
      queue.paused = true;
      queue.pausedAt = now;
      queue.pauseReason = reason;
    } else if (reason) {
      queue.pauseReason = reason;
    }
    queue.updatedAt = now;
    tx.upsertQueue(queue);
    if (feed_ != nullptr && feed_->wantsTx())
      feed_->emitInTx(tx, QueueEvent{QueueEvent::Kind::Paused, orgId, queueName, queue.pauseReason});
    return queue;
  });
  if (feed_ != nullptr) feed_->emit(QueueEvent{QueueEvent::Kind::Paused, orgId, queueName, paused.pauseReason});
  co_return paused;
}

Task<ResumeOutcome> QueueControl::resume(const std::string& orgId, const std::string& queueName) {
  const TimePoint now = now_();
  ResumeOutcome outcome = co_await store_.write([&](StoreTx& tx) {
    auto queue = tx.findQueue(orgId, queueName);
    if (!queue) {
      // Known only from its jobs: it was never paused, and there is nothing to store.
      auto known = findQueue(tx, orgId, queueName);
      if (!known) throwQueueNotFound(queueName);
      return ResumeOutcome{std::move(*known), 0};
    }
    ResumeOutcome outcome;
    if (queue->paused && queue->pausedAt)
      outcome.pausedDurationSecs = std::chrono::duration_cast<std::chrono::seconds>(now - *queue->pausedAt).count();
    liftPause(*queue);
    queue->enabled = true;  // resuming is how the official backend turns a queue back on
    queue->updatedAt = now;
    tx.upsertQueue(*queue);
    if (feed_ != nullptr && feed_->wantsTx())
      feed_->emitInTx(tx, QueueEvent{QueueEvent::Kind::Resumed, orgId, queueName, std::nullopt});
    outcome.queue = std::move(*queue);
    return outcome;
  });
  notifier_.notify(orgId, queueName);
  if (feed_ != nullptr) feed_->emit(QueueEvent{QueueEvent::Kind::Resumed, orgId, queueName, std::nullopt});
  co_return outcome;
}

Task<> QueueControl::remove(const std::string& orgId, const std::string& queueName) {
  co_await store_.write([&](StoreTx& tx) {
    const auto counts = tx.countJobsByStatus(orgId, queueName);
    const long long pending = countOf(counts, JobStatus::Pending);
    const long long processing = countOf(counts, JobStatus::Processing);
    if (pending + processing > 0)
      throw ApiError(ErrorCode::Conflict,
                     "Cannot delete queue " + queueName + " with " + std::to_string(pending + processing) +
                         " pending/processing jobs",
                     json{{"pending_jobs", pending}, {"processing_jobs", processing}});
    if (!tx.findQueue(orgId, queueName)) {
      if (!findQueue(tx, orgId, queueName)) throwQueueNotFound(queueName);
      return;  // known only from its jobs: it already has the default configuration
    }
    tx.deleteQueue(orgId, queueName);
  });
  // A paused queue's scheduled jobs may hand out again now.
  notifier_.notify(orgId, queueName);
}

QueueStatsView QueueControl::stats(const std::string& orgId, const std::string& queueName) {
  const TimePoint now = now_();
  QueueStatsView view;
  view.queueName = queueName;
  store_.read([&](StoreReader& r) {
    const auto counts = r.countJobsByStatus(orgId, queueName);
    view.pendingJobs = countOf(counts, JobStatus::Pending);
    view.processingJobs = countOf(counts, JobStatus::Processing);
    const JobActivity activity = r.jobActivity(orgId, queueName, now - kStatsWindow);
    view.completedJobs24h = activity.completedSince;
    view.failedJobs24h = activity.failedSince;
    view.avgProcessingTimeMs = activity.avgProcessingMs;
    if (activity.oldestReadyCreatedAt) {
      const auto age = std::chrono::duration_cast<std::chrono::seconds>(now - *activity.oldestReadyCreatedAt);
      view.maxJobAgeSeconds = std::max<long long>(0, age.count());
    }
    WorkerQuery workers;
    workers.orgId = orgId;
    workers.queueName = queueName;
    workers.status = "healthy";
    workers.limit = 100000;
    view.activeWorkers = static_cast<long long>(r.listWorkers(workers).size());
  });
  return view;
}

}  // namespace spooled::server
