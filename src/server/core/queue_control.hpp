#pragma once
// Queues: their configuration (retries, timeout, rate limit, enabled), pause and resume, deletion, and
// the figures GET /queues/{name}/stats shows. A queue exists once it has jobs or a configuration
// record; a queue known only from its jobs has the default configuration until it is configured or
// paused, which stores a record. JobEngine::claim reads the record: a disabled or paused queue hands
// out nothing, and its rate_limit caps claims.
#include <optional>
#include <string>
#include <vector>

#include "server/core/job_engine.hpp"
#include "server/core/job_notifier.hpp"
#include "server/core/org_limits.hpp"
#include "server/store/store.hpp"

namespace spooled::server {

inline constexpr int kDefaultQueueMaxRetries = 3;
inline constexpr int kDefaultQueueTimeoutSecs = 300;

// PUT /queues/{name}/config. A field left empty keeps its current value (the default for a new record).
struct QueueConfigUpdate {
  std::optional<int> maxRetries;
  std::optional<int> defaultTimeout;
  std::optional<std::optional<int>> rateLimit;  // set; an empty inner value removes the limit
  std::optional<bool> enabled;                  // true also lifts a pause, as the official backend does
  std::optional<json> settings;
};

struct ResumeOutcome {
  QueueRecord queue;
  long long pausedDurationSecs = 0;  // 0 when it was not paused
};

struct QueueStatsView {
  std::string queueName;
  long long pendingJobs = 0;
  long long processingJobs = 0;
  long long completedJobs24h = 0;
  long long failedJobs24h = 0;  // failed or dead-lettered in the last 24 h
  std::optional<double> avgProcessingTimeMs;  // of the jobs completed in the last 24 h
  std::optional<long long> maxJobAgeSeconds;  // age of the oldest pending or scheduled job
  long long activeWorkers = 0;                // healthy workers registered for the queue
};

// The id a queue's record has: derived from organization and name, so the id shown for a queue known
// only from its jobs stays the same once its record is stored.
std::string queueRecordId(const std::string& orgId, const std::string& queueName);

class QueueControl {
 public:
  // A configuration or pause on a name that is not yet a queue creates it, within limits.maxQueues.
  // `feed` (may be null) hears of pauses and resumes; it must outlive this object.
  QueueControl(Store& store, JobNotifier& notifier, NowFn now, OrgLimits limits = {}, const ChangeFeed* feed = nullptr);

  // The queue's configuration, or nullopt when the organization has neither jobs nor a record for it.
  std::optional<QueueRecord> find(const std::string& orgId, const std::string& queueName);
  // Every queue of the organization, by name.
  std::vector<QueueRecord> list(const std::string& orgId);

  // Stores the changed configuration (creating the record when absent) and wakes claimers, since a
  // queue enabled again or given a higher rate may now hand out jobs.
  Task<QueueRecord> updateConfig(const std::string& orgId, const std::string& queueName, const QueueConfigUpdate& update);
  // Stops the queue handing out jobs (its jobs wait). Pausing a paused queue keeps the first pause time.
  Task<QueueRecord> pause(const std::string& orgId, const std::string& queueName, const std::optional<std::string>& reason);
  // Lets the queue hand out jobs again and wakes long-polling claimers. 404 for an unknown queue.
  Task<ResumeOutcome> resume(const std::string& orgId, const std::string& queueName);
  // Deletes the queue's configuration, as the official backend: 409 while it has pending or processing
  // jobs, 404 for an unknown queue. Its other jobs stay, under the default configuration.
  Task<> remove(const std::string& orgId, const std::string& queueName);

  // Zeros for a queue nobody has used, as the official backend answers.
  QueueStatsView stats(const std::string& orgId, const std::string& queueName);

 private:
  Store& store_;
  JobNotifier& notifier_;
  NowFn now_;
  OrgLimits limits_;
  const ChangeFeed* feed_;
};

}  // namespace spooled::server
