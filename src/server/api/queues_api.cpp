// /api/v1/queues: list, get, configure, stats, pause, resume, delete. Parse and validate, call
// QueueControl, render (queue_json.cpp).
#include "common/error_code.hpp"
#include "server/api/api_services.hpp"
#include "server/api/queue_access.hpp"
#include "server/api/queue_json.hpp"
#include "server/api/validation.hpp"
#include "server/core/queue_control.hpp"

namespace spooled::server {

namespace {

constexpr int kMaxRateLimit = 100000;  // jobs per second, as the official backend
constexpr std::size_t kMaxSettingsBytes = 64 * 1024;
constexpr std::size_t kMaxPauseReason = 500;

QueueControl queuesOf(ApiServices& s) {
  return QueueControl(s.store, s.notifier, s.jobs.now(), s.jobs.orgLimits(), &s.jobs.feed());
}

// The "{name}" of the path: a valid queue name the caller's key may use.
std::string pathQueueName(const HttpRequest& req) {
  std::string name = req.pathParam("name");
  requireQueueName("queue_name", name);
  requireQueueAccess(req.authContext(), name);
  return name;
}

HttpResponse listQueues(ApiServices& s, const HttpRequest& req) {
  const AuthContext& auth = req.authContext();
  auto queues = queuesOf(s).list(auth.orgId);
  keepAllowedQueues(auth, queues);
  json out = json::array();
  for (const QueueRecord& queue : queues) out.push_back(queueSummaryToJson(queue));
  return HttpResponse::json(200, out);
}

HttpResponse getQueue(ApiServices& s, const HttpRequest& req) {
  const std::string name = pathQueueName(req);
  const auto queue = queuesOf(s).find(req.authContext().orgId, name);
  if (!queue) throw ApiError(ErrorCode::NotFound, "Queue " + name + " not found");
  return HttpResponse::json(200, queueConfigToJson(*queue));
}

Task<HttpResponse> updateQueueConfig(ApiServices& s, const HttpRequest& req) {
  const std::string name = pathQueueName(req);
  const BodyCall call(req);
  const FieldReader& f = call.fields;
  // Official SDKs send the queue's name in the body too; a different one is a mistake worth naming.
  if (f.has("queue_name") && readQueueName(f, "queue_name") != name)
    throwValidation("queue_name", "queue_name in the body must match the queue in the path (" + name + ")");

  QueueConfigUpdate update;
  update.maxRetries = f.optionalInt("max_retries", 0, 100);
  update.defaultTimeout = f.optionalInt("default_timeout", 1, 86400);
  if (f.has("rate_limit")) {
    update.rateLimit = f.optionalInt("rate_limit", 1, kMaxRateLimit);
  } else if (call.body.contains("rate_limit")) {
    update.rateLimit = std::optional<int>{};  // an explicit null removes the limit
  }
  update.enabled = f.optionalBool("enabled");
  update.settings = f.optionalFreeForm("settings", kMaxSettingsBytes);

  QueueControl queues = queuesOf(s);
  const QueueRecord queue = co_await queues.updateConfig(call.auth.orgId, name, update);
  co_return HttpResponse::json(200, queueConfigToJson(queue));
}

HttpResponse queueStats(ApiServices& s, const HttpRequest& req) {
  const std::string name = pathQueueName(req);
  return HttpResponse::json(200, queueStatsToJson(queuesOf(s).stats(req.authContext().orgId, name)));
}

Task<HttpResponse> pauseQueue(ApiServices& s, const HttpRequest& req) {
  const std::string name = pathQueueName(req);
  // The body is optional: official SDKs send one only when there is a reason.
  std::optional<std::string> reason;
  if (req.body.find_first_not_of(" \t\r\n") != std::string::npos) {
    const json body = parseJsonObjectBody(req.body);
    reason = FieldReader(body).optionalString("reason", 0, kMaxPauseReason);
  }
  QueueControl queues = queuesOf(s);
  const QueueRecord queue = co_await queues.pause(req.authContext().orgId, name, reason);
  co_return HttpResponse::json(200, pauseQueueToJson(queue));
}

Task<HttpResponse> resumeQueue(ApiServices& s, const HttpRequest& req) {
  const std::string name = pathQueueName(req);
  QueueControl queues = queuesOf(s);
  const ResumeOutcome outcome = co_await queues.resume(req.authContext().orgId, name);
  co_return HttpResponse::json(200, resumeQueueToJson(outcome));
}

Task<HttpResponse> deleteQueue(ApiServices& s, const HttpRequest& req) {
  const std::string name = pathQueueName(req);
  QueueControl queues = queuesOf(s);
  co_await queues.remove(req.authContext().orgId, name);
  co_return HttpResponse::empty(204);
}

}  // namespace

void addQueueRoutes(Router& router, ApiServices& s) {
  const auto bind = [&s](auto fn) { return withServices(s, fn); };
  // A key limited to some queues may read its queues; configuring, pausing, resuming and deleting
  // queues is management and needs a key with every queue (the default KeyScope).
  router.add("GET", "/api/v1/queues", Access::ApiKey, bind(listQueues), KeyScope::Queues);
  router.add("GET", "/api/v1/queues/{name}", Access::ApiKey, bind(getQueue), KeyScope::Queues);
  router.add("DELETE", "/api/v1/queues/{name}", Access::ApiKey, bind(deleteQueue));
  router.add("PUT", "/api/v1/queues/{name}/config", Access::ApiKey, bind(updateQueueConfig));
  router.add("GET", "/api/v1/queues/{name}/stats", Access::ApiKey, bind(queueStats), KeyScope::Queues);
  router.add("POST", "/api/v1/queues/{name}/pause", Access::ApiKey, bind(pauseQueue));
  router.add("POST", "/api/v1/queues/{name}/resume", Access::ApiKey, bind(resumeQueue));
}

}  // namespace spooled::server
