#pragma once
// The columns of the schedule records (store/record_columns.hpp explains Spec): both stores derive
// their SELECT, INSERT and UPDATE texts and their row mapping from these lists.
#include "server/store/record_columns.hpp"
#include "server/store/schedule_records.hpp"

namespace spooled::server::columns {

template <>
struct Spec<ScheduleRecord> {
  static constexpr const char* kTable = "schedules";
  static constexpr bool kOrgScoped = true;
  template <class Visit, class... Rec>
  static void fields(Visit& v, Rec&... r) {
    v("id", r.id...), v("org_id", r.orgId...), v("name", r.name...), v("description", r.description...);
    v("cron_expression", r.cronExpression...), v("timezone", r.timezone...), v("queue_name", r.queueName...);
    v("payload_template", r.payloadTemplate...), v("priority", r.priority...), v("max_retries", r.maxRetries...);
    v("timeout_seconds", r.timeoutSeconds...), v("is_active", r.isActive...), v("last_run_at", r.lastRunAt...);
    v("next_run_at", r.nextRunAt...), v("run_count", r.runCount...), v("tags", r.tags...);
    v("metadata", r.metadata...), v("created_at", r.createdAt...), v("updated_at", r.updatedAt...);
  }
};

template <>
struct Spec<ScheduleRunRecord> {
  static constexpr const char* kTable = "schedule_runs";
  static constexpr bool kOrgScoped = true;
  template <class Visit, class... Rec>
  static void fields(Visit& v, Rec&... r) {
    v("id", r.id...), v("org_id", r.orgId...), v("schedule_id", r.scheduleId...), v("job_id", r.jobId...);
    v("status", r.status...), v("error_message", r.errorMessage...), v("scheduled_for", r.scheduledFor...);
    v("started_at", r.startedAt...), v("completed_at", r.completedAt...);
  }
};

}  // namespace spooled::server::columns
