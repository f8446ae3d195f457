// WorkersResource and the worker types' fromJson (include/spooled/workers.hpp).
#include <string>

#include "sdk/api_caller.hpp"
#include "sdk/json_fields.hpp"
#include "spooled/workers.hpp"

namespace spooled {
namespace {

using detail::ApiCall;
using detail::Idempotency;
using detail::putField;
using detail::readField;
using detail::requireField;

const std::string kWorkers = "/api/v1/workers";

std::string workerPath(const std::string& id, const char* action = nullptr) {
  std::string path = kWorkers + "/" + detail::pathSegment(id);
  if (action != nullptr) path += std::string("/") + action;
  return path;
}

}  // namespace

RegisterWorkerResult RegisterWorkerResult::fromJson(const json& body) {
  const json& o = detail::requireObject(body, "register worker response");
  RegisterWorkerResult result;
  requireField(o, "id", result.id);
  readField(o, "queue_name", result.queueName);
  readField(o, "lease_duration_secs", result.leaseDurationSecs);
  readField(o, "heartbeat_interval_secs", result.heartbeatIntervalSecs);
  return result;
}

Worker Worker::fromJson(const json& body) {
  const json& o = detail::requireObject(body, "worker");
  Worker worker;
  requireField(o, "id", worker.id);
  readField(o, "organization_id", worker.organizationId);
  readField(o, "queue_name", worker.queueName);
  readField(o, "hostname", worker.hostname);
  readField(o, "worker_type", worker.workerType);
  readField(o, "max_concurrency", worker.maxConcurrency);
  readField(o, "current_jobs", worker.currentJobs);
  readField(o, "status", worker.status);
  readField(o, "last_heartbeat", worker.lastHeartbeat);
  readField(o, "metadata", worker.metadata);
  readField(o, "version", worker.version);
  readField(o, "registered_at", worker.registeredAt);
  readField(o, "updated_at", worker.updatedAt);
  return worker;
}

WorkerSummary WorkerSummary::fromJson(const json& body) {
  const json& o = detail::requireObject(body, "worker summary");
  WorkerSummary worker;
  requireField(o, "id", worker.id);
  readField(o, "queue_name", worker.queueName);
  readField(o, "hostname", worker.hostname);
  readField(o, "status", worker.status);
  readField(o, "current_jobs", worker.currentJobs);
  readField(o, "max_concurrency", worker.maxConcurrency);
  readField(o, "last_heartbeat", worker.lastHeartbeat);
  return worker;
}

RegisterWorkerResult WorkersResource::registerWorker(const RegisterWorkerParams& params) {
  json body = json::object();
  putField(body, "queue_name", params.queueName);
  putField(body, "hostname", params.hostname);
  putField(body, "worker_type", params.workerType);
  putField(body, "max_concurrency", params.maxConcurrency);
  putField(body, "metadata", params.metadata);
  putField(body, "version", params.version);
  return RegisterWorkerResult::fromJson(
      api_.call(ApiCall::post(kWorkers + "/register", std::move(body))));
}

void WorkersResource::heartbeat(const std::string& id, const WorkerHeartbeatParams& params) {
  json body = json::object();
  putField(body, "current_jobs", params.currentJobs);
  putField(body, "status", params.status);
  putField(body, "metadata", params.metadata);
  api_.call(ApiCall::post(workerPath(id, "heartbeat"), std::move(body), Idempotency::Safe));
}

void WorkersResource::deregister(const std::string& id) {
  api_.call(ApiCall::post(workerPath(id, "deregister"), std::nullopt));
}

Worker WorkersResource::get(const std::string& id) {
  return Worker::fromJson(api_.call(ApiCall::get(workerPath(id))));
}

std::vector<WorkerSummary> WorkersResource::list(const ListWorkersParams& params) {
  ApiCall call = ApiCall::get(kWorkers);
  if (params.queueName) call.query.emplace_back("queue_name", *params.queueName);
  if (params.status) call.query.emplace_back("status", *params.status);
  const json response = api_.call(call);
  if (!response.is_array()) detail::throwInvalidResponse("workers", "expected a JSON array");
  std::vector<WorkerSummary> workers;
  workers.reserve(response.size());
  for (const json& row : response) workers.push_back(WorkerSummary::fromJson(row));
  return workers;
}

}  // namespace spooled
