#pragma once
// Cron schedules: create, change, pause, resume, delete, trigger, and the firing of due runs. Every
// job a schedule makes goes through JobEngine's creation path inside the same transaction that
// records the run and advances next_run_at (compare-and-set on its old value), so a run creates
// exactly one job whatever crashes or how many servers share the database. Throws ApiError for
// anything the caller did wrong; a refused change leaves the stored schedule as it was.
#include <functional>
#include <optional>
#include <string>

#include "common/task.hpp"
#include "server/core/job_engine.hpp"
#include "server/store/store.hpp"

namespace spooled::server {

struct ScheduleInput {
  std::string name;
  std::optional<std::string> description;
  std::string cronExpression;
  std::string timezone = "UTC";
  std::string queueName;
  json payloadTemplate = json::object();
  int priority = 0;
  int maxRetries = 3;
  int timeoutSeconds = 300;
  std::optional<json> tags;  // copied to each job's tags with the link back (schedule_service.cpp)
  std::optional<json> metadata;
};

// PUT /schedules/{id}: the fields present change, the others stay.
struct ScheduleChange {
  std::optional<std::string> name;
  std::optional<std::string> description;
  std::optional<std::string> cronExpression;
  std::optional<std::string> timezone;
  std::optional<std::string> queueName;
  std::optional<json> payloadTemplate;
  std::optional<int> priority;
  std::optional<int> maxRetries;
  std::optional<int> timeoutSeconds;
  std::optional<bool> isActive;
  std::optional<json> tags;
  std::optional<json> metadata;
};

struct TriggerOutcome {
  std::string jobId;
  TimePoint triggeredAt{};
};

class ScheduleService {
 public:
  // What one organization may have (403 LIMIT_EXCEEDED beyond), and the runs kept per schedule.
  static constexpr long long kMaxSchedulesPerOrg = 1000;
  static constexpr int kKeptRunsPerSchedule = 1000;

  // `changed` runs after a commit that may move the earliest next run (the runner re-plans its sleep).
  ScheduleService(Store& store, JobEngine& jobs, std::function<void()> changed = {});

  Task<ScheduleRecord> create(const std::string& orgId, const ScheduleInput& input);
  Task<ScheduleRecord> update(const std::string& orgId, const std::string& scheduleId, const ScheduleChange& change);
  Task<> remove(const std::string& orgId, const std::string& scheduleId);
  // Pause (false) keeps everything but fires nothing; resume (true) plans the next run after now, so
  // the runs missed while paused are not made up.
  Task<ScheduleRecord> setActive(const std::string& orgId, const std::string& scheduleId, bool active);
  // Creates one job now, paused or not, without moving next_run_at; recorded in the history.
  Task<TriggerOutcome> trigger(const std::string& orgId, const std::string& scheduleId);

  // Fires the schedules whose next run is due (at most batchLimit), each run in one transaction with
  // its job. Missed runs collapse into one (nextRunAfterFiring). Returns how many runs it recorded.
  Task<int> fireDue(int batchLimit = 100);

 private:
  void announce() const {
    if (changed_) changed_();
  }

  Store& store_;
  JobEngine& jobs_;
  std::function<void()> changed_;
};

}  // namespace spooled::server
