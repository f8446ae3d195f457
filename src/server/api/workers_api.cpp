// /api/v1/workers: register, list, get, heartbeat, deregister. Parse, call WorkerRegistry, render.
#include <algorithm>

#include "common/error_code.hpp"
#include "server/api/api_services.hpp"
#include "server/api/queue_access.hpp"
#include "server/api/validation.hpp"
#include "server/api/worker_json.hpp"

namespace spooled::server {

namespace {

// What the official backend tells a new worker (its defaults).
constexpr int kLeaseDurationSecs = 30;
constexpr int kHeartbeatIntervalSecs = 10;

constexpr const char* kWorkerStatuses[] = {"healthy", "degraded", "draining", "offline"};

bool isHostnameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
         c == '_';
}

std::string readHostname(const FieldReader& f) {
  std::string host = f.requiredString("hostname", 1, 255);
  if (!std::all_of(host.begin(), host.end(), isHostnameChar))
    throwValidation("hostname", "hostname may contain only letters, digits, '.', '-' and '_'");
  if (host.front() == '.' || host.front() == '-' || host.back() == '.' || host.back() == '-')
    throwValidation("hostname", "hostname must not start or end with '.' or '-'");
  return host;
}

std::optional<std::string> readWorkerStatus(std::optional<std::string> status) {
  if (status && std::find(std::begin(kWorkerStatuses), std::end(kWorkerStatuses), *status) == std::end(kWorkerStatuses))
    throwValidation("status", "status must be one of healthy, degraded, draining, offline; got \"" + *status + "\"");
  return status;
}

Task<HttpResponse> registerWorker(ApiServices& s, const HttpRequest& req) {
  const BodyCall call(req);
  const AuthContext& auth = call.auth;
  const FieldReader& f = call.fields;

  RegisterWorkerInput in;
  in.queueName = readQueueName(f, "queue_name");
  in.hostname = readHostname(f);
  in.workerType = f.optionalString("worker_type", 0, 50);
  in.maxConcurrency = f.intOr("max_concurrency", 1, 100, 5);
  in.metadata = f.optionalFreeForm("metadata", kMaxMetadataBytes).value_or(json::object());
  in.version = f.optionalString("version", 0, 50);
  requireQueueAccess(auth, in.queueName);

  const WorkerRecord worker = co_await s.workers.registerWorker(auth.orgId, in);
  co_return HttpResponse::json(201, json{{"id", worker.id},
                                      {"queue_name", worker.queueName},
                                      {"lease_duration_secs", kLeaseDurationSecs},
                                      {"heartbeat_interval_secs", kHeartbeatIntervalSecs}});
}

HttpResponse listWorkers(ApiServices& s, const HttpRequest& req) {
  const AuthContext& auth = req.authContext();
  WorkerQuery q;
  q.orgId = auth.orgId;
  if (auto queue = req.queryParam("queue_name")) {  // extension filter
    requireQueueName("queue_name", *queue);
    requireQueueAccess(auth, *queue);
    q.queueName = std::move(*queue);
  }
  q.status = readWorkerStatus(req.queryParam("status"));  // extension filter
  q.limit = 100;  // as the official backend
  auto workers = s.store.readResult([&](StoreReader& r) { return r.listWorkers(q); });
  keepAllowedQueues(auth, workers);
  json out = json::array();
  for (const WorkerRecord& w : workers) out.push_back(workerSummaryToJson(w));
  return HttpResponse::json(200, out);
}

HttpResponse getWorker(ApiServices& s, const HttpRequest& req) {
  const AuthContext& auth = req.authContext();
  const std::string id = pathUuid(req, "Worker");
  const auto worker = s.store.readResult([&](StoreReader& r) { return r.findWorker(auth.orgId, id); });
  if (!worker) throw ApiError(ErrorCode::NotFound, "Worker not found");
  requireQueueAccess(auth, worker->queueName);
  return HttpResponse::json(200, workerToJson(*worker));
}

Task<HttpResponse> heartbeatWorker(ApiServices& s, const HttpRequest& req) {
  const std::string id = pathUuid(req, "Worker");
  const BodyCall call(req);
  const FieldReader& f = call.fields;
  WorkerHeartbeatInput in;
  in.currentJobs = f.requiredInt("current_jobs", 0, 1000);
  in.status = readWorkerStatus(f.optionalString("status", 1, 20));
  in.metadata = f.optionalFreeForm("metadata", kMaxMetadataBytes);
  requireWorkerQueueAccess(s.store, call.auth, id);
  co_await s.workers.heartbeat(call.auth.orgId, id, in);
  co_return successResponse();
}

Task<HttpResponse> deregisterWorker(ApiServices& s, const HttpRequest& req) {
  const AuthContext& auth = req.authContext();
  const std::string id = pathUuid(req, "Worker");
  requireWorkerQueueAccess(s.store, auth, id);
  co_await s.workers.deregister(auth.orgId, id);
  co_return HttpResponse::empty(204);  // as the official backend
}

}  // namespace

void addWorkerRoutes(Router& router, ApiServices& s) {
  router.add("GET", "/api/v1/workers", Access::ApiKey, withServices(s, listWorkers), KeyScope::Queues);
  router.add("POST", "/api/v1/workers/register", Access::ApiKey, withServices(s, registerWorker), KeyScope::Queues);
  router.add("GET", "/api/v1/workers/{id}", Access::ApiKey, withServices(s, getWorker), KeyScope::Queues);
  router.add("POST", "/api/v1/workers/{id}/heartbeat", Access::ApiKey, withServices(s, heartbeatWorker), KeyScope::Queues);
  router.add("POST", "/api/v1/workers/{id}/deregister", Access::ApiKey, withServices(s, deregisterWorker), KeyScope::Queues);
}

}  // namespace spooled::server
