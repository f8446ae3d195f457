#pragma once
// Cron schedules as the wire shows them: Schedule, ScheduleRun and the trigger answer of the
// official contract, plus the extensions marked in docs/api.md.
#include <optional>

#include "server/core/schedule_service.hpp"

namespace spooled::server {

json scheduleToJson(const ScheduleRecord& schedule);
// One history entry; `jobStatus` is the job's status now (extension), nullopt when it is gone.
json scheduleRunToJson(const ScheduleRunRecord& run, const std::optional<JobStatus>& jobStatus);
json triggerToJson(const TriggerOutcome& outcome);

}  // namespace spooled::server
