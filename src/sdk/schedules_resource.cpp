// SchedulesResource and the schedule types' fromJson (include/spooled/schedules.hpp): /api/v1/schedules.
#include <string>

#include "sdk/api_caller.hpp"
#include "sdk/call_helpers.hpp"
#include "sdk/json_fields.hpp"
#include "spooled/schedules.hpp"

namespace spooled {
namespace {

using detail::ApiCall;
using detail::Idempotency;
using detail::putField;
using detail::readField;
using detail::requireField;

const std::string kSchedules = "/api/v1/schedules";

std::string schedulePath(const std::string& id, const char* action = nullptr) {
  return detail::resourcePath(kSchedules, id, action);
}

}  // namespace

Schedule Schedule::fromJson(const json& body) {
  const json& o = detail::requireObject(body, "schedule");
  Schedule s;
  requireField(o, "id", s.id);
  readField(o, "organization_id", s.organizationId);
  readField(o, "name", s.name);
  readField(o, "description", s.description);
  readField(o, "cron_expression", s.cronExpression);
  readField(o, "timezone", s.timezone);
  readField(o, "queue_name", s.queueName);
  readField(o, "payload_template", s.payloadTemplate);
  readField(o, "priority", s.priority);
  readField(o, "max_retries", s.maxRetries);
  readField(o, "timeout_seconds", s.timeoutSeconds);
  readField(o, "is_active", s.isActive);
  readField(o, "last_run_at", s.lastRunAt);
  readField(o, "next_run_at", s.nextRunAt);
  readField(o, "run_count", s.runCount);
  readField(o, "tags", s.tags);
  readField(o, "metadata", s.metadata);
  readField(o, "created_at", s.createdAt);
  readField(o, "updated_at", s.updatedAt);
  return s;
}

TriggerScheduleResult TriggerScheduleResult::fromJson(const json& body) {
  const json& o = detail::requireObject(body, "trigger response");
  TriggerScheduleResult result;
  requireField(o, "job_id", result.jobId);
  readField(o, "scheduled_at", result.triggeredAt);
  readField(o, "triggered_at", result.triggeredAt);  // the backend's name wins when both are sent
  return result;
}

ScheduleRun ScheduleRun::fromJson(const json& body) {
  const json& o = detail::requireObject(body, "schedule run");
  ScheduleRun run;
  requireField(o, "id", run.id);
  readField(o, "schedule_id", run.scheduleId);
  readField(o, "job_id", run.jobId);
  readField(o, "status", run.status);
  readField(o, "error_message", run.errorMessage);
  readField(o, "started_at", run.startedAt);
  readField(o, "completed_at", run.completedAt);
  readField(o, "scheduled_for", run.scheduledFor);
  readField(o, "job_status", run.jobStatus);
  return run;
}

Schedule SchedulesResource::create(const CreateScheduleParams& params) {
  json body = json::object();
  putField(body, "name", params.name);
  putField(body, "cron_expression", params.cronExpression);
  putField(body, "queue_name", params.queueName);
  body["payload_template"] = params.payloadTemplate;
  putField(body, "description", params.description);
  putField(body, "timezone", params.timezone);
  putField(body, "priority", params.priority);
  putField(body, "max_retries", params.maxRetries);
  putField(body, "timeout_seconds", params.timeoutSeconds);
  putField(body, "tags", params.tags);
  putField(body, "metadata", params.metadata);
  // Not retried: a lost answer to a create that succeeded would make a second schedule.
  const json answer = api_.call(ApiCall::post(kSchedules, std::move(body)));
  // Spooled Cloud answers with {id, name, cron_expression, next_run_at} only; read the whole schedule.
  if (!answer.contains("organization_id")) return get(answer.at("id").get<std::string>());
  return Schedule::fromJson(answer);
}

std::vector<Schedule> SchedulesResource::list(std::optional<int> limit) {
  ApiCall call = ApiCall::get(kSchedules);
  detail::addQuery(call, "limit", limit);
  return detail::readArray<Schedule>(api_.call(std::move(call)), "schedules");
}

Schedule SchedulesResource::get(const std::string& id) { return Schedule::fromJson(api_.call(ApiCall::get(schedulePath(id)))); }

Schedule SchedulesResource::update(const std::string& id, const UpdateScheduleParams& params) {
  json body = json::object();
  putField(body, "name", params.name);
  putField(body, "description", params.description);
  putField(body, "cron_expression", params.cronExpression);
  putField(body, "timezone", params.timezone);
  putField(body, "payload_template", params.payloadTemplate);
  putField(body, "priority", params.priority);
  putField(body, "max_retries", params.maxRetries);
  putField(body, "timeout_seconds", params.timeoutSeconds);
  putField(body, "is_active", params.isActive);
  putField(body, "tags", params.tags);
  putField(body, "metadata", params.metadata);
  return Schedule::fromJson(api_.call(ApiCall::put(schedulePath(id), std::move(body))));
}

void SchedulesResource::remove(const std::string& id) { api_.call(ApiCall::del(schedulePath(id))); }

Schedule SchedulesResource::pause(const std::string& id) {
  return Schedule::fromJson(api_.call(ApiCall::post(schedulePath(id, "pause"), std::nullopt, Idempotency::Safe)));
}

Schedule SchedulesResource::resume(const std::string& id) {
  return Schedule::fromJson(api_.call(ApiCall::post(schedulePath(id, "resume"), std::nullopt, Idempotency::Safe)));
}

TriggerScheduleResult SchedulesResource::trigger(const std::string& id) {
  // Not retried: each trigger creates a job.
  return TriggerScheduleResult::fromJson(api_.call(ApiCall::post(schedulePath(id, "trigger"), std::nullopt)));
}

std::vector<ScheduleRun> SchedulesResource::history(const std::string& id, std::optional<int> limit) {
  ApiCall call = ApiCall::get(schedulePath(id, "history"));
  detail::addQuery(call, "limit", limit);
  return detail::readArray<ScheduleRun>(api_.call(std::move(call)), "schedule history");
}

}  // namespace spooled
