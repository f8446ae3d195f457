// QueuesResource and the queue types' fromJson (include/spooled/queues.hpp): /api/v1/queues.
#include <string>

#include "sdk/api_caller.hpp"
#include "sdk/call_helpers.hpp"
#include "sdk/json_fields.hpp"
#include "spooled/queues.hpp"

namespace spooled {
namespace {

using detail::ApiCall;
using detail::Idempotency;
using detail::putField;
using detail::readField;
using detail::requireField;

const std::string kQueues = "/api/v1/queues";

std::string queuePath(const std::string& name, const char* action = nullptr) {
  return detail::resourcePath(kQueues, name, action);
}

}  // namespace

QueueConfig QueueConfig::fromJson(const json& body) {
  const json& o = detail::requireObject(body, "queue");
  QueueConfig queue;
  readField(o, "id", queue.id);
  readField(o, "organization_id", queue.organizationId);
  requireField(o, "queue_name", queue.queueName);
  readField(o, "max_retries", queue.maxRetries);
  readField(o, "default_timeout", queue.defaultTimeout);
  readField(o, "rate_limit", queue.rateLimit);
  readField(o, "enabled", queue.enabled);
  readField(o, "settings", queue.settings);
  readField(o, "created_at", queue.createdAt);
  readField(o, "updated_at", queue.updatedAt);
  readField(o, "paused", queue.paused);
  readField(o, "paused_at", queue.pausedAt);
  readField(o, "pause_reason", queue.pauseReason);
  return queue;
}

QueueConfigSummary QueueConfigSummary::fromJson(const json& body) {
  const json& o = detail::requireObject(body, "queue summary");
  QueueConfigSummary queue;
  requireField(o, "queue_name", queue.queueName);
  readField(o, "max_retries", queue.maxRetries);
  readField(o, "default_timeout", queue.defaultTimeout);
  readField(o, "rate_limit", queue.rateLimit);
  readField(o, "enabled", queue.enabled);
  readField(o, "paused", queue.paused);
  return queue;
}

QueueStats QueueStats::fromJson(const json& body) {
  const json& o = detail::requireObject(body, "queue stats");
  QueueStats stats;
  readField(o, "queue_name", stats.queueName);
  readField(o, "pending_jobs", stats.pendingJobs);
  readField(o, "processing_jobs", stats.processingJobs);
  readField(o, "completed_jobs_24h", stats.completedJobs24h);
  readField(o, "failed_jobs_24h", stats.failedJobs24h);
  readField(o, "avg_processing_time_ms", stats.avgProcessingTimeMs);
  readField(o, "max_job_age_seconds", stats.maxJobAgeSeconds);
  readField(o, "active_workers", stats.activeWorkers);
  return stats;
}

PauseQueueResult PauseQueueResult::fromJson(const json& body) {
  const json& o = detail::requireObject(body, "pause response");
  PauseQueueResult result;
  readField(o, "queue_name", result.queueName);
  readField(o, "paused", result.paused);
  readField(o, "paused_at", result.pausedAt);
  readField(o, "reason", result.reason);
  return result;
}

ResumeQueueResult ResumeQueueResult::fromJson(const json& body) {
  const json& o = detail::requireObject(body, "resume response");
  ResumeQueueResult result;
  readField(o, "queue_name", result.queueName);
  readField(o, "resumed", result.resumed);
  readField(o, "paused_duration_secs", result.pausedDurationSecs);
  return result;
}

std::vector<QueueConfigSummary> QueuesResource::list() {
  return detail::readArray<QueueConfigSummary>(api_.call(ApiCall::get(kQueues)), "queues");
}

QueueConfig QueuesResource::get(const std::string& name) {
  return QueueConfig::fromJson(api_.call(ApiCall::get(queuePath(name))));
}

QueueConfig QueuesResource::updateConfig(const std::string& name, const UpdateQueueConfigParams& params) {
  json body = json::object();
  // Spooled Cloud requires the name in the body as well as in the path.
  putField(body, "queue_name", name);
  putField(body, "max_retries", params.maxRetries);
  putField(body, "default_timeout", params.defaultTimeout);
  if (params.rateLimit) {
    putField(body, "rate_limit", params.rateLimit);
  } else if (params.removeRateLimit) {
    body["rate_limit"] = nullptr;
  }
  putField(body, "enabled", params.enabled);
  putField(body, "settings", params.settings);
  return QueueConfig::fromJson(api_.call(ApiCall::put(queuePath(name, "config"), std::move(body))));
}

QueueStats QueuesResource::stats(const std::string& name) {
  return QueueStats::fromJson(api_.call(ApiCall::get(queuePath(name, "stats"))));
}

PauseQueueResult QueuesResource::pause(const std::string& name, const std::optional<std::string>& reason) {
  // Always a JSON object: Spooled Cloud refuses a pause without a body.
  json body = json::object();
  putField(body, "reason", reason);
  return PauseQueueResult::fromJson(
      api_.call(ApiCall::post(queuePath(name, "pause"), std::move(body), Idempotency::Safe)));
}

ResumeQueueResult QueuesResource::resume(const std::string& name) {
  return ResumeQueueResult::fromJson(
      api_.call(ApiCall::post(queuePath(name, "resume"), std::nullopt, Idempotency::Safe)));
}

void QueuesResource::remove(const std::string& name) { api_.call(ApiCall::del(queuePath(name))); }

}  // namespace spooled
