#pragma once
// Cron schedules: jobs created on a timetable ("0 30 2 * * *" in Europe/Berlin: every night at 02:30
// Berlin time). Expressions have six fields, seconds first: second minute hour day-of-month month
// day-of-week. Field names mirror the wire's snake_case fields in camelCase; times are ISO-8601 strings.
#include <optional>
#include <string>
#include <vector>

#include "spooled/json.hpp"

namespace spooled {

namespace detail {
class ApiCaller;
}  // namespace detail

// GET /api/v1/schedules/{id}.
struct Schedule {
  std::string id{};
  std::string organizationId{};
  std::string name{};
  std::optional<std::string> description{};
  std::string cronExpression{};
  std::string timezone{};
  std::string queueName{};
  json payloadTemplate = json::object();
  int priority = 0;
  int maxRetries = 0;
  int timeoutSeconds = 0;
  bool isActive = false;
  std::optional<std::string> lastRunAt{};
  std::optional<std::string> nextRunAt{};  // the next planned run (kept while paused)
  long long runCount = 0;
  std::optional<json> tags{};
  std::optional<json> metadata{};
  std::string createdAt{};
  std::string updatedAt{};

  static Schedule fromJson(const json& body);
};

// POST /api/v1/schedules. Each job the schedule creates gets the template's payload and settings.
struct CreateScheduleParams {
  std::string name{};                         // 1..255 characters
  std::string cronExpression{};               // six fields, seconds first
  std::string queueName{};
  json payloadTemplate = json::object();      // the payload of every job
  std::optional<std::string> description{};
  std::optional<std::string> timezone{};      // IANA name ("Europe/Berlin") or "+05:30"; default UTC
  std::optional<int> priority{};              // -100..100, default 0
  std::optional<int> maxRetries{};            // 0..100, default 3
  std::optional<int> timeoutSeconds{};        // 1..86400, default 300
  std::optional<json> tags{};                 // copied to each job, with "schedule_id" added
  std::optional<json> metadata{};
};

// PUT /api/v1/schedules/{id}: what is set changes, the rest stays.
struct UpdateScheduleParams {
  std::optional<std::string> name{};
  std::optional<std::string> description{};
  std::optional<std::string> cronExpression{};
  std::optional<std::string> timezone{};
  std::optional<json> payloadTemplate{};
  std::optional<int> priority{};
  std::optional<int> maxRetries{};
  std::optional<int> timeoutSeconds{};
  std::optional<bool> isActive{};
  std::optional<json> tags{};
  std::optional<json> metadata{};
};

// POST /api/v1/schedules/{id}/trigger.
struct TriggerScheduleResult {
  std::string jobId{};
  std::string triggeredAt{};

  static TriggerScheduleResult fromJson(const json& body);
};

// One entry of GET /api/v1/schedules/{id}/history, newest first.
struct ScheduleRun {
  std::string id{};
  std::string scheduleId{};
  std::optional<std::string> jobId{};
  std::string status{};                       // "completed" (job created) or "failed"
  std::optional<std::string> errorMessage{};
  std::string startedAt{};
  std::optional<std::string> completedAt{};
  std::optional<std::string> scheduledFor{};  // our extension: the cron time; empty for a trigger
  std::optional<std::string> jobStatus{};     // our extension: the job's status now

  static ScheduleRun fromJson(const json& body);
};

// Obtained from SpooledClient::schedules(); lives as long as the client. Thread-safe. Every call
// throws a SpooledError subclass on failure (ValidationError names a bad expression or time zone,
// NotFoundError an unknown schedule).
class SchedulesResource {
 public:
  SchedulesResource(const SchedulesResource&) = delete;
  SchedulesResource& operator=(const SchedulesResource&) = delete;

  Schedule create(const CreateScheduleParams& params);
  std::vector<Schedule> list(std::optional<int> limit = std::nullopt);
  Schedule get(const std::string& id);
  Schedule update(const std::string& id, const UpdateScheduleParams& params);
  void remove(const std::string& id);
  // Fires nothing until resumed; resuming plans the next run after now (missed runs are not made up).
  Schedule pause(const std::string& id);
  Schedule resume(const std::string& id);
  // Creates one job now, without moving the next planned run.
  TriggerScheduleResult trigger(const std::string& id);
  std::vector<ScheduleRun> history(const std::string& id, std::optional<int> limit = std::nullopt);

 private:
  friend class SpooledClient;
  explicit SchedulesResource(detail::ApiCaller& api) : api_(api) {}
  detail::ApiCaller& api_;
};

}  // namespace spooled
