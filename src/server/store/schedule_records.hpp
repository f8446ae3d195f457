#pragma once
// Rows of cron schedules and of their runs (history). Plain data: the rules live in
// core/schedule_service.cpp, the columns in schedule_columns.hpp.
#include <optional>
#include <string>

#include "common/time.hpp"
#include "spooled/json.hpp"

namespace spooled::server {

struct ScheduleRecord {
  std::string id;
  std::string orgId;
  std::string name;
  std::optional<std::string> description;
  std::string cronExpression;
  std::string timezone = "UTC";
  std::string queueName;
  json payloadTemplate = json::object();
  int priority = 0;
  int maxRetries = 3;
  int timeoutSeconds = 300;
  bool isActive = true;
  std::optional<TimePoint> lastRunAt;
  std::optional<TimePoint> nextRunAt;  // the run the scheduler fires next; nullopt while it has none
  int runCount = 0;
  std::optional<json> tags;      // copied into each job's tags, with the link back to the schedule
  std::optional<json> metadata;
  TimePoint createdAt{};
  TimePoint updatedAt{};
};

// One firing (or manual trigger) of a schedule. status: "completed" when its job was created,
// "failed" (with errorMessage) when the job could not be (e.g. the organization's queue limit).
struct ScheduleRunRecord {
  std::string id;
  std::string orgId;
  std::string scheduleId;
  std::optional<std::string> jobId;
  std::string status = "completed";
  std::optional<std::string> errorMessage;
  std::optional<TimePoint> scheduledFor;  // the cron time it fired for; nullopt for a manual trigger
  TimePoint startedAt{};
  std::optional<TimePoint> completedAt;
};

}  // namespace spooled::server
