#include "cli/json_views.hpp"

namespace spooled::cli {

namespace {

template <typename T>
json opt(const std::optional<T>& value) {
  return value ? json(*value) : json(nullptr);
}

}  // namespace

json toJson(const Job& j) {
  return {{"id", j.id},
          {"organization_id", j.organizationId},
          {"queue_name", j.queueName},
          {"status", j.status},
          {"payload", j.payload},
          {"result", opt(j.result)},
          {"retry_count", j.retryCount},
          {"max_retries", j.maxRetries},
          {"last_error", opt(j.lastError)},
          {"created_at", j.createdAt},
          {"scheduled_at", opt(j.scheduledAt)},
          {"started_at", opt(j.startedAt)},
          {"completed_at", opt(j.completedAt)},
          {"expires_at", opt(j.expiresAt)},
          {"priority", j.priority},
          {"tags", opt(j.tags)},
          {"timeout_seconds", j.timeoutSeconds},
          {"parent_job_id", opt(j.parentJobId)},
          {"completion_webhook", opt(j.completionWebhook)},
          {"assigned_worker_id", opt(j.assignedWorkerId)},
          {"lease_id", opt(j.leaseId)},
          {"lease_expires_at", opt(j.leaseExpiresAt)},
          {"idempotency_key", opt(j.idempotencyKey)},
          {"updated_at", j.updatedAt},
          {"progress", opt(j.progress)},
          {"progress_message", opt(j.progressMessage)}};
}

json toJson(const JobSummary& j) {
  return {{"id", j.id},
          {"queue_name", j.queueName},
          {"status", j.status},
          {"priority", j.priority},
          {"retry_count", j.retryCount},
          {"created_at", j.createdAt},
          {"scheduled_at", opt(j.scheduledAt)},
          {"started_at", opt(j.startedAt)},
          {"completed_at", opt(j.completedAt)}};
}

json toJson(const JobStats& s) {
  return {{"pending", s.pending},       {"scheduled", s.scheduled}, {"processing", s.processing},
          {"completed", s.completed},   {"failed", s.failed},       {"deadletter", s.deadletter},
          {"cancelled", s.cancelled},   {"total", s.total}};
}

json toJson(const CreateJobResult& r) { return {{"id", r.id}, {"created", r.created}}; }

json toJson(const BoostPriorityResult& r) {
  return {{"job_id", r.jobId}, {"old_priority", r.oldPriority}, {"new_priority", r.newPriority}};
}

json toJson(const QueueConfig& q) {
  return {{"id", q.id},
          {"organization_id", q.organizationId},
          {"queue_name", q.queueName},
          {"max_retries", q.maxRetries},
          {"default_timeout", q.defaultTimeout},
          {"rate_limit", opt(q.rateLimit)},
          {"enabled", q.enabled},
          {"settings", q.settings},
          {"created_at", q.createdAt},
          {"updated_at", q.updatedAt},
          {"paused", q.paused},
          {"paused_at", opt(q.pausedAt)},
          {"pause_reason", opt(q.pauseReason)}};
}

json toJson(const QueueConfigSummary& q) {
  return {{"queue_name", q.queueName}, {"max_retries", q.maxRetries}, {"default_timeout", q.defaultTimeout},
          {"rate_limit", opt(q.rateLimit)}, {"enabled", q.enabled}, {"paused", q.paused}};
}

json toJson(const QueueStats& s) {
  return {{"queue_name", s.queueName},
          {"pending_jobs", s.pendingJobs},
          {"processing_jobs", s.processingJobs},
          {"completed_jobs_24h", s.completedJobs24h},
          {"failed_jobs_24h", s.failedJobs24h},
          {"avg_processing_time_ms", opt(s.avgProcessingTimeMs)},
          {"max_job_age_seconds", opt(s.maxJobAgeSeconds)},
          {"active_workers", s.activeWorkers}};
}

json toJson(const PauseQueueResult& r) {
  return {{"queue_name", r.queueName}, {"paused", r.paused}, {"paused_at", r.pausedAt}, {"reason", opt(r.reason)}};
}

json toJson(const ResumeQueueResult& r) {
  return {{"queue_name", r.queueName}, {"resumed", r.resumed}, {"paused_duration_secs", r.pausedDurationSecs}};
}

json toJson(const WorkerSummary& w) {
  return {{"id", w.id},
          {"queue_name", w.queueName},
          {"hostname", w.hostname},
          {"status", w.status},
          {"current_jobs", w.currentJobs},
          {"max_concurrency", w.maxConcurrency},
          {"last_heartbeat", w.lastHeartbeat}};
}

json toJson(const ApiKeySummary& k) {
  return {{"id", k.id},
          {"name", k.name},
          {"queues", k.queues},
          {"rate_limit", opt(k.rateLimit)},
          {"is_active", k.isActive},
          {"created_at", k.createdAt},
          {"last_used", opt(k.lastUsed)},
          {"expires_at", opt(k.expiresAt)}};
}

json toJson(const CreateApiKeyResult& k) {
  return {{"id", k.id}, {"key", k.key}, {"name", k.name}, {"created_at", k.createdAt}, {"expires_at", opt(k.expiresAt)}};
}

json toJson(const DashboardData& d) {
  json queues = json::array();
  for (const auto& q : d.queues)
    queues.push_back({{"name", q.name}, {"pending", q.pending}, {"processing", q.processing}, {"paused", q.paused}});
  return {{"system",
           {{"version", d.system.version},
            {"uptime_seconds", d.system.uptimeSeconds},
            {"started_at", d.system.startedAt},
            {"database_status", d.system.databaseStatus},
            {"cache_status", d.system.cacheStatus},
            {"environment", d.system.environment}}},
          {"jobs",
           {{"total", d.jobs.total},
            {"pending", d.jobs.pending},
            {"processing", d.jobs.processing},
            {"completed_24h", d.jobs.completed24h},
            {"failed_24h", d.jobs.failed24h},
            {"deadletter", d.jobs.deadletter},
            {"avg_wait_time_ms", opt(d.jobs.avgWaitTimeMs)},
            {"avg_processing_time_ms", opt(d.jobs.avgProcessingTimeMs)}}},
          {"queues", queues},
          {"workers", {{"total", d.workers.total}, {"healthy", d.workers.healthy}, {"unhealthy", d.workers.unhealthy}}},
          {"recent_activity",
           {{"jobs_created_1h", d.recentActivity.jobsCreated1h},
            {"jobs_completed_1h", d.recentActivity.jobsCompleted1h},
            {"jobs_failed_1h", d.recentActivity.jobsFailed1h}}}};
}

json toJson(const RetryDlqResult& r) { return {{"retried_count", r.retriedCount}, {"retried_jobs", r.retriedJobs}}; }

json toJson(const PurgeDlqResult& r) { return {{"purged_count", r.purgedCount}}; }

}  // namespace spooled::cli
