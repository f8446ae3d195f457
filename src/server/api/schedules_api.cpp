// /api/v1/schedules: cron schedules. Create, list, get, update, delete, pause, resume, trigger and
// history. Parse and validate, call ScheduleService, render (schedule_json.cpp). Managing schedules
// needs a key with every queue (the default KeyScope): a schedule can feed any queue.
#include "common/error_code.hpp"
#include "server/api/api_services.hpp"
#include "server/api/schedule_json.hpp"
#include "server/api/validation.hpp"

namespace spooled::server {

namespace {

// As the official backend's request validation.
constexpr std::size_t kMaxName = 255;
constexpr std::size_t kMaxDescription = 1000;
constexpr std::size_t kMinCron = 9;
constexpr std::size_t kMaxCron = 100;
constexpr std::size_t kMaxTimezone = 64;

ScheduleService schedulesOf(ApiServices& s) { return ScheduleService(s.store, s.jobs, s.scheduleChanged); }

std::string pathScheduleId(const HttpRequest& req) { return pathUuid(req, "Schedule"); }

// The fields both create and update read, each when present.
void readCommon(const FieldReader& f, ScheduleChange& c) {
  c.name = f.optionalString("name", 1, kMaxName);
  c.description = f.optionalString("description", 0, kMaxDescription);
  c.cronExpression = f.optionalString("cron_expression", kMinCron, kMaxCron);
  c.timezone = f.optionalString("timezone", 1, kMaxTimezone);
  if (f.has("queue_name")) c.queueName = readQueueName(f, "queue_name");
  c.payloadTemplate = f.optionalFreeForm("payload_template", kMaxPayloadBytes);
  c.priority = f.optionalInt("priority", -100, 100);
  c.maxRetries = f.optionalInt("max_retries", 0, 100);
  c.timeoutSeconds = f.optionalInt("timeout_seconds", 1, 86400);
  c.tags = f.optionalValue("tags", kMaxTagsBytes);
  c.metadata = f.optionalFreeForm("metadata", kMaxMetadataBytes);
}

Task<HttpResponse> createSchedule(ApiServices& s, const HttpRequest& req) {
  const BodyCall call(req);
  const FieldReader& f = call.fields;
  ScheduleInput in;
  in.name = f.requiredString("name", 1, kMaxName);
  in.cronExpression = f.requiredString("cron_expression", kMinCron, kMaxCron);
  in.queueName = readQueueName(f, "queue_name");
  in.payloadTemplate = f.requiredFreeForm("payload_template", kMaxPayloadBytes);
  ScheduleChange c;
  readCommon(f, c);
  in.description = c.description;
  if (c.timezone) in.timezone = *c.timezone;
  in.priority = c.priority.value_or(0);
  in.maxRetries = c.maxRetries.value_or(3);
  in.timeoutSeconds = c.timeoutSeconds.value_or(300);
  in.tags = c.tags;
  in.metadata = c.metadata;
  requireQueueAccess(call.auth, in.queueName);

  ScheduleService schedules = schedulesOf(s);
  const ScheduleRecord created = co_await schedules.create(call.auth.orgId, in);
  // The official answer is {id, name, cron_expression, next_run_at}; the whole schedule contains it.
  co_return HttpResponse::json(201, scheduleToJson(created));
}

HttpResponse listSchedules(ApiServices& s, const HttpRequest& req) {
  const int limit = queryInt(req.queryParam("limit"), "limit", 1, 500, 100);
  const std::string& orgId = req.authContext().orgId;
  const auto schedules = s.store.readResult([&](StoreReader& r) { return r.listSchedules(orgId, limit); });
  json out = json::array();
  for (const ScheduleRecord& schedule : schedules) out.push_back(scheduleToJson(schedule));
  return HttpResponse::json(200, out);
}

HttpResponse getSchedule(ApiServices& s, const HttpRequest& req) {
  const std::string id = pathScheduleId(req);
  const std::string& orgId = req.authContext().orgId;
  const auto schedule = s.store.readResult([&](StoreReader& r) { return r.findSchedule(orgId, id); });
  if (!schedule) throw ApiError(ErrorCode::NotFound, "Schedule " + id + " not found");
  return HttpResponse::json(200, scheduleToJson(*schedule));
}

Task<HttpResponse> updateSchedule(ApiServices& s, const HttpRequest& req) {
  const std::string id = pathScheduleId(req);
  const BodyCall call(req);
  ScheduleChange change;
  readCommon(call.fields, change);
  change.isActive = call.fields.optionalBool("is_active");
  if (change.queueName) requireQueueAccess(call.auth, *change.queueName);
  ScheduleService schedules = schedulesOf(s);
  const ScheduleRecord updated = co_await schedules.update(call.auth.orgId, id, change);
  co_return HttpResponse::json(200, scheduleToJson(updated));
}

Task<HttpResponse> deleteSchedule(ApiServices& s, const HttpRequest& req) {
  const std::string id = pathScheduleId(req);
  ScheduleService schedules = schedulesOf(s);
  co_await schedules.remove(req.authContext().orgId, id);
  co_return HttpResponse::empty(204);
}

Task<HttpResponse> pauseSchedule(ApiServices& s, const HttpRequest& req) {
  const std::string id = pathScheduleId(req);
  ScheduleService schedules = schedulesOf(s);
  const ScheduleRecord paused = co_await schedules.setActive(req.authContext().orgId, id, false);
  co_return HttpResponse::json(200, scheduleToJson(paused));
}

Task<HttpResponse> resumeSchedule(ApiServices& s, const HttpRequest& req) {
  const std::string id = pathScheduleId(req);
  ScheduleService schedules = schedulesOf(s);
  const ScheduleRecord resumed = co_await schedules.setActive(req.authContext().orgId, id, true);
  co_return HttpResponse::json(200, scheduleToJson(resumed));
}

Task<HttpResponse> triggerSchedule(ApiServices& s, const HttpRequest& req) {
  const std::string id = pathScheduleId(req);
  ScheduleService schedules = schedulesOf(s);
  const TriggerOutcome outcome = co_await schedules.trigger(req.authContext().orgId, id);
  co_return HttpResponse::json(200, triggerToJson(outcome));
}

HttpResponse scheduleHistory(ApiServices& s, const HttpRequest& req) {
  const std::string id = pathScheduleId(req);
  const int limit = queryInt(req.queryParam("limit"), "limit", 1, 500, 50);
  const std::string& orgId = req.authContext().orgId;
  json out = json::array();
  bool found = false;
  // One read: the runs and their jobs' present status agree with each other.
  s.store.read([&](StoreReader& r) {
    found = r.findSchedule(orgId, id).has_value();
    if (!found) return;
    for (const ScheduleRunRecord& run : r.listScheduleRuns(orgId, id, limit)) {
      std::optional<JobStatus> jobStatus;
      if (run.jobId)
        if (auto job = r.findJob(orgId, *run.jobId)) jobStatus = job->status;
      out.push_back(scheduleRunToJson(run, jobStatus));
    }
  });
  if (!found) throw ApiError(ErrorCode::NotFound, "Schedule " + id + " not found");
  return HttpResponse::json(200, out);
}

}  // namespace

void addScheduleRoutes(Router& router, ApiServices& s) {
  const auto bind = [&s](auto fn) { return withServices(s, fn); };
  router.add("GET", "/api/v1/schedules", Access::ApiKey, bind(listSchedules));
  router.add("POST", "/api/v1/schedules", Access::ApiKey, bind(createSchedule));
  router.add("GET", "/api/v1/schedules/{id}", Access::ApiKey, bind(getSchedule));
  router.add("PUT", "/api/v1/schedules/{id}", Access::ApiKey, bind(updateSchedule));
  router.add("DELETE", "/api/v1/schedules/{id}", Access::ApiKey, bind(deleteSchedule));
  router.add("POST", "/api/v1/schedules/{id}/pause", Access::ApiKey, bind(pauseSchedule));
  router.add("POST", "/api/v1/schedules/{id}/resume", Access::ApiKey, bind(resumeSchedule));
  router.add("POST", "/api/v1/schedules/{id}/trigger", Access::ApiKey, bind(triggerSchedule));
  router.add("GET", "/api/v1/schedules/{id}/history", Access::ApiKey, bind(scheduleHistory));
}

}  // namespace spooled::server
