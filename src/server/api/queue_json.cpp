#include "server/api/queue_json.hpp"

#include "server/api/job_json.hpp"

namespace spooled::server {

namespace {

template <typename T>
json orNull(const std::optional<T>& value) {
  return value ? json(*value) : json(nullptr);
}

bool handsOutJobs(const QueueRecord& queue) { return queue.enabled && !queue.paused; }

}  // namespace

json queueConfigToJson(const QueueRecord& queue) {
  return json{
      {"id", queue.id},
      {"organization_id", queue.orgId},
      {"queue_name", queue.queueName},
      {"max_retries", queue.maxRetries},
      {"default_timeout", queue.defaultTimeout},
      {"rate_limit", orNull(queue.rateLimit)},
      {"enabled", handsOutJobs(queue)},
      {"settings", queue.settings},
      {"created_at", formatIso8601(queue.createdAt)},
      {"updated_at", formatIso8601(queue.updatedAt)},
      // Extensions (docs/api.md).
      {"paused", queue.paused},
      {"paused_at", optionalTimeJson(queue.pausedAt)},
      {"pause_reason", orNull(queue.pauseReason)},
  };
}

json queueSummaryToJson(const QueueRecord& queue) {
  return json{
      {"queue_name", queue.queueName},
      {"max_retries", queue.maxRetries},
      {"default_timeout", queue.defaultTimeout},
      {"rate_limit", orNull(queue.rateLimit)},
      {"enabled", handsOutJobs(queue)},
      {"paused", queue.paused},  // extension
  };
}

json queueStatsToJson(const QueueStatsView& stats) {
  return json{
      {"queue_name", stats.queueName},
      {"pending_jobs", stats.pendingJobs},
      {"processing_jobs", stats.processingJobs},
      {"completed_jobs_24h", stats.completedJobs24h},
      {"failed_jobs_24h", stats.failedJobs24h},
      {"avg_processing_time_ms", orNull(stats.avgProcessingTimeMs)},
      {"max_job_age_seconds", orNull(stats.maxJobAgeSeconds)},
      {"active_workers", stats.activeWorkers},
  };
}

json pauseQueueToJson(const QueueRecord& queue) {
  return json{
      {"queue_name", queue.queueName},
      {"paused", true},
      {"paused_at", optionalTimeJson(queue.pausedAt)},
      {"reason", orNull(queue.pauseReason)},
  };
}

json resumeQueueToJson(const ResumeOutcome& outcome) {
  return json{
      {"queue_name", outcome.queue.queueName},
      {"resumed", true},
      {"paused_duration_secs", outcome.pausedDurationSecs},
  };
}

}  // namespace spooled::server
