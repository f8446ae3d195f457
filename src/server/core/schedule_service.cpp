#include "server/core/schedule_service.hpp"

#include "common/error_code.hpp"
#include "common/ids.hpp"
#include "server/core/cron_schedule.hpp"

namespace spooled::server {

namespace {

// The expression and zone as a schedule, or 400 naming the field at fault.
CronSchedule compile(const std::string& expression, const std::string& timezone) {
  try {
    return CronSchedule::parse(expression, timezone);
  } catch (const CronError& e) {
    json details{{"field", e.field()}};
    if (!e.part().empty()) details["cron_field"] = e.part();
    throw ApiError(ErrorCode::Validation, e.what(), details);
  }
}

ScheduleRecord loadSchedule(StoreTx& tx, const std::string& orgId, const std::string& scheduleId) {
  auto schedule = tx.findSchedule(orgId, scheduleId);
  if (!schedule) throw ApiError(ErrorCode::NotFound, "Schedule " + scheduleId + " not found");
  return std::move(*schedule);
}

// The job a run makes: the schedule's template, and tags that lead back to the schedule and run.
// Object tags (the official SDKs' type) get keys "schedule_id" and "schedule_run_id", so
// GET /jobs?tag=schedule_id lists the jobs schedules made; a list of strings (PHP) gets
// "schedule_id:<id>" and "schedule_run_id:<id>" appended; any other value is kept under "tags".
CreateJobInput jobFor(const ScheduleRecord& schedule, const std::string& runId) {
  CreateJobInput input;
  input.queueName = schedule.queueName;
  input.payload = schedule.payloadTemplate;
  input.priority = schedule.priority;
  input.maxRetries = schedule.maxRetries;
  input.timeoutSeconds = schedule.timeoutSeconds;
  if (schedule.tags && schedule.tags->is_array()) {
    json tags = *schedule.tags;
    tags.push_back("schedule_id:" + schedule.id);
    tags.push_back("schedule_run_id:" + runId);
    input.tags = std::move(tags);
    return input;
  }
  json tags = schedule.tags && schedule.tags->is_object() ? *schedule.tags : json::object();
  if (schedule.tags && !schedule.tags->is_object()) tags["tags"] = *schedule.tags;
  tags["schedule_id"] = schedule.id;
  tags["schedule_run_id"] = runId;
  input.tags = std::move(tags);
  return input;
}

ScheduleRunRecord newRun(const ScheduleRecord& schedule, TimePoint now) {
  ScheduleRunRecord run;
  run.id = newTimeOrderedUuid();
  run.orgId = schedule.orgId;
  run.scheduleId = schedule.id;
  run.startedAt = now;
  run.completedAt = now;
  return run;
}

}  // namespace

ScheduleService::ScheduleService(Store& store, JobEngine& jobs, std::function<void()> changed)
    : store_(store), jobs_(jobs), changed_(std::move(changed)) {}

Task<ScheduleRecord> ScheduleService::create(const std::string& orgId, const ScheduleInput& input) {
  const TimePoint now = jobs_.now()();
  const CronSchedule cron = compile(input.cronExpression, input.timezone);
  ScheduleRecord schedule;
  schedule.id = newUuid();
  schedule.orgId = orgId;
  schedule.name = input.name;
  schedule.description = input.description;
  schedule.cronExpression = input.cronExpression;
  schedule.timezone = input.timezone;
  schedule.queueName = input.queueName;
  schedule.payloadTemplate = input.payloadTemplate;
  schedule.priority = input.priority;
  schedule.maxRetries = input.maxRetries;
  schedule.timeoutSeconds = input.timeoutSeconds;
  schedule.tags = input.tags;
  schedule.metadata = input.metadata;
  schedule.nextRunAt = cron.nextAfter(now);
  schedule.createdAt = now;
  schedule.updatedAt = now;
  co_await store_.write([&](StoreTx& tx) {
    // Counted inside the transaction, so two concurrent creates cannot both take the last slot.
    if (const long long current = tx.countSchedules(orgId); current >= kMaxSchedulesPerOrg)
      throw ApiError(ErrorCode::LimitExceeded,
                     "This organization has reached its limit of " + std::to_string(kMaxSchedulesPerOrg) +
                         " schedules; delete one first",
                     json{{"resource", "schedules"}, {"current", current}, {"limit", kMaxSchedulesPerOrg}});
    tx.insertSchedule(schedule);
  });
  announce();
  co_return schedule;
}

Task<ScheduleRecord> ScheduleService::update(const std::string& orgId, const std::string& scheduleId,
                                             const ScheduleChange& change) {
  const TimePoint now = jobs_.now()();
  auto updated = co_await store_.write([&](StoreTx& tx) {
    ScheduleRecord s = loadSchedule(tx, orgId, scheduleId);
    const bool wasActive = s.isActive;
    if (change.name) s.name = *change.name;
    if (change.description) s.description = *change.description;
    if (change.cronExpression) s.cronExpression = *change.cronExpression;
    if (change.timezone) s.timezone = *change.timezone;
    if (change.queueName) s.queueName = *change.queueName;
    if (change.payloadTemplate) s.payloadTemplate = *change.payloadTemplate;
    if (change.priority) s.priority = *change.priority;
    if (change.maxRetries) s.maxRetries = *change.maxRetries;
    if (change.timeoutSeconds) s.timeoutSeconds = *change.timeoutSeconds;
    if (change.isActive) s.isActive = *change.isActive;
    if (change.tags) s.tags = *change.tags;
    if (change.metadata) s.metadata = *change.metadata;
    // A new time (or a resume) plans from now; the throw on a bad expression undoes everything.
    if (change.cronExpression || change.timezone || (s.isActive && !wasActive))
      s.nextRunAt = compile(s.cronExpression, s.timezone).nextAfter(now);
    s.updatedAt = now;
    tx.updateSchedule(s);
    return s;
  });
  announce();
  co_return updated;
}

Task<> ScheduleService::remove(const std::string& orgId, const std::string& scheduleId) {
  const bool deleted = co_await store_.write([&](StoreTx& tx) { return tx.deleteSchedule(orgId, scheduleId); });
  if (!deleted) throw ApiError(ErrorCode::NotFound, "Schedule " + scheduleId + " not found");
}

Task<ScheduleRecord> ScheduleService::setActive(const std::string& orgId, const std::string& scheduleId, bool active) {
  ScheduleChange change;
  change.isActive = active;
  co_return co_await update(orgId, scheduleId, change);
}

Task<TriggerOutcome> ScheduleService::trigger(const std::string& orgId, const std::string& scheduleId) {
  const TimePoint now = jobs_.now()();
  TriggerOutcome outcome;
  outcome.triggeredAt = now;
  const auto fire = [&](StoreTx& tx, const JobEngine::JobCreator& createJob) {
    ScheduleRecord s = loadSchedule(tx, orgId, scheduleId);
    ScheduleRunRecord run = newRun(s, now);
    run.jobId = createJob(orgId, jobFor(s, run.id)).id;  // a refusal (e.g. queue limit) undoes it all
    tx.insertScheduleRun(run);
    s.lastRunAt = now;
    ++s.runCount;
    s.updatedAt = now;
    tx.updateSchedule(s);
    outcome.jobId = *run.jobId;
  };
  const std::function<void(StoreTx&, const JobEngine::JobCreator&)> fn = fire;
  co_await jobs_.writeCreatingJobs(fn);
  co_return outcome;
}

Task<int> ScheduleService::fireDue(int batchLimit) {
  const TimePoint now = jobs_.now()();
  int fired = 0;
  const auto fireAll = [&](StoreTx& tx, const JobEngine::JobCreator& createJob) {
    fired = 0;
    for (ScheduleRecord s : tx.findDueSchedules(now, batchLimit)) {
      const std::optional<TimePoint> due = s.nextRunAt;
      ScheduleRunRecord run = newRun(s, now);
      run.scheduledFor = due;
      try {
        s.nextRunAt = nextRunAfterFiring(compile(s.cronExpression, s.timezone), *due, now);
      } catch (const ApiError& e) {
        // Stored before a rule changed: stop it rather than retry it every second.
        s.nextRunAt.reset();
        s.isActive = false;
        run.status = "failed";
        run.errorMessage = e.what();
      }
      s.lastRunAt = now;
      ++s.runCount;
      s.updatedAt = now;
      // Compare-and-set: only the transaction that moves next_run_at off `due` fires that run.
      if (!tx.updateScheduleIfNextRun(s, due)) continue;
      if (run.status == "completed") {
        try {
          run.jobId = createJob(s.orgId, jobFor(s, run.id)).id;
        } catch (const ApiError& e) {
          // Refused before anything was inserted (e.g. the queue limit): the run is recorded as
          // failed and the schedule moves on, as the official backend does.
          run.status = "failed";
          run.errorMessage = e.what();
        }
      }
      tx.insertScheduleRun(run);
      if (s.runCount % 100 == 0) tx.pruneScheduleRuns(s.id, kKeptRunsPerSchedule);
      ++fired;
    }
  };
  const std::function<void(StoreTx&, const JobEngine::JobCreator&)> fn = fireAll;
  co_await jobs_.writeCreatingJobs(fn);
  co_return fired;
}

}  // namespace spooled::server
