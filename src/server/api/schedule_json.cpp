#include "server/api/schedule_json.hpp"

#include "server/api/job_json.hpp"

namespace spooled::server {

namespace {

template <typename T>
json orNull(const std::optional<T>& value) {
  return value ? json(*value) : json(nullptr);
}

}  // namespace

json scheduleToJson(const ScheduleRecord& s) {
  return json{
      {"id", s.id},
      {"organization_id", s.orgId},
      {"name", s.name},
      {"description", orNull(s.description)},
      {"cron_expression", s.cronExpression},
      {"timezone", s.timezone},
      {"queue_name", s.queueName},
      {"payload_template", s.payloadTemplate},
      {"priority", s.priority},
      {"max_retries", s.maxRetries},
      {"timeout_seconds", s.timeoutSeconds},
      {"is_active", s.isActive},
      {"last_run_at", optionalTimeJson(s.lastRunAt)},
      {"next_run_at", optionalTimeJson(s.nextRunAt)},
      {"run_count", s.runCount},
      {"tags", orNull(s.tags)},
      {"metadata", orNull(s.metadata)},
      {"created_at", formatIso8601(s.createdAt)},
      {"updated_at", formatIso8601(s.updatedAt)},
  };
}

json scheduleRunToJson(const ScheduleRunRecord& run, const std::optional<JobStatus>& jobStatus) {
  return json{
      {"id", run.id},
      {"schedule_id", run.scheduleId},
      {"job_id", orNull(run.jobId)},
      {"status", run.status},
      {"error_message", orNull(run.errorMessage)},
      {"started_at", formatIso8601(run.startedAt)},
      {"completed_at", optionalTimeJson(run.completedAt)},
      // Extensions (docs/api.md): the cron time the run fired for (null: a manual trigger), and
      // what became of its job.
      {"scheduled_for", optionalTimeJson(run.scheduledFor)},
      {"job_status", jobStatus ? json(std::string(toString(*jobStatus))) : json(nullptr)},
  };
}

json triggerToJson(const TriggerOutcome& outcome) {
  const std::string at = formatIso8601(outcome.triggeredAt);
  // The backend names the time triggered_at; the Node SDK's type reads scheduled_at. Both are sent.
  return json{{"job_id", outcome.jobId}, {"triggered_at", at}, {"scheduled_at", at}};
}

}  // namespace spooled::server
