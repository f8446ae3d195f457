#include "server/api/job_json.hpp"

namespace spooled::server {

namespace {

template <typename T>
json optionalJson(const std::optional<T>& value) {
  return value ? json(*value) : json(nullptr);
}

}  // namespace

json optionalTimeJson(const std::optional<TimePoint>& t) { return t ? json(formatIso8601(*t)) : json(nullptr); }

json jobToJson(const JobRecord& job) {
  return json{
      {"id", job.id},
      {"organization_id", job.orgId},
      {"queue_name", job.queueName},
      {"status", std::string(toString(job.status))},
      {"payload", job.payload},
      {"result", optionalJson(job.result)},
      {"retry_count", job.retryCount},
      {"max_retries", job.maxRetries},
      {"last_error", optionalJson(job.lastError)},
      {"created_at", formatIso8601(job.createdAt)},
      {"scheduled_at", optionalTimeJson(job.scheduledAt)},
      {"started_at", optionalTimeJson(job.startedAt)},
      {"completed_at", optionalTimeJson(job.completedAt)},
      {"expires_at", optionalTimeJson(job.expiresAt)},
      {"priority", job.priority},
      {"tags", optionalJson(job.tags)},
      {"timeout_seconds", job.timeoutSeconds},
      {"parent_job_id", optionalJson(job.parentJobId)},
      {"completion_webhook", optionalJson(job.completionWebhook)},
      {"assigned_worker_id", optionalJson(job.assignedWorkerId)},
      {"lease_id", optionalJson(job.leaseId)},
      {"lease_expires_at", optionalTimeJson(job.leaseExpiresAt)},
      {"idempotency_key", optionalJson(job.idempotencyKey)},
      {"updated_at", formatIso8601(job.updatedAt)},
      // Null for plain jobs, as the official backend sends them (dependencies_met: true for a job that
      // waits for nothing, false while a workflow job waits for its parents).
      {"workflow_id", optionalJson(job.workflowId)},
      {"dependency_mode", optionalJson(job.dependencyMode)},
      {"dependencies_met", job.workflowId ? json(job.dependenciesMet) : json(nullptr)},
      // Extensions (docs/api.md): set by POST /api/v1/jobs/{id}/progress.
      {"progress", optionalJson(job.progress)},
      {"progress_message", optionalJson(job.progressMessage)},
  };
}

json jobSummaryToJson(const JobRecord& job) {
  return json{
      {"id", job.id},
      {"queue_name", job.queueName},
      {"status", std::string(toString(job.status))},
      {"priority", job.priority},
      {"retry_count", job.retryCount},
      {"created_at", formatIso8601(job.createdAt)},
      {"scheduled_at", optionalTimeJson(job.scheduledAt)},
      {"started_at", optionalTimeJson(job.startedAt)},
      {"completed_at", optionalTimeJson(job.completedAt)},
  };
}

json claimedJobToJson(const JobRecord& job) {
  return json{
      {"id", job.id},
      {"queue_name", job.queueName},
      {"payload", job.payload},
      {"retry_count", job.retryCount},
      {"max_retries", job.maxRetries},
      {"timeout_seconds", job.timeoutSeconds},
      {"lease_expires_at", optionalTimeJson(job.leaseExpiresAt)},
      {"lease_id", optionalJson(job.leaseId)},
  };
}

}  // namespace spooled::server
