// /api/v1/jobs: bulk enqueue, stats, batch status, priority boost and manual retry. Parse and
// validate, call JobEngine or the store, render.
#include <set>

#include "common/error_code.hpp"
#include "server/api/api_services.hpp"
#include "server/api/job_json.hpp"
#include "server/api/queue_access.hpp"
#include "server/api/validation.hpp"

namespace spooled::server {

namespace {

// The official backend takes at most 100; we take up to 1000 (an extension, docs/api.md), so a
// producer with many jobs pays one request and one commit per thousand, not per hundred.
constexpr std::size_t kMaxBulkJobs = 1000;
constexpr std::size_t kMaxStatusIds = 100;   // as the official backend

// One item of a bulk request as a job to create; throws ApiError naming what is wrong with it.
CreateJobInput readBulkItem(const json& item, const CreateJobInput& defaults) {
  if (!item.is_object())
    throwValidation("jobs", std::string("each job must be a JSON object, got ") + item.type_name());
  const FieldReader f(item);
  CreateJobInput in = defaults;
  in.payload = f.requiredFreeForm("payload", kMaxPayloadBytes);
  in.priority = f.intOr("priority", -100, 100, defaults.priority);
  in.idempotencyKey = f.optionalString("idempotency_key", 1, 255);
  in.scheduledAt = f.optionalTime("scheduled_at");
  return in;
}

Task<HttpResponse> bulkEnqueue(ApiServices& s, const HttpRequest& req) {
  const BodyCall call(req);
  const FieldReader& f = call.fields;
  CreateJobInput defaults;
  defaults.queueName = readQueueName(f, "queue_name");
  defaults.priority = f.intOr("default_priority", -100, 100, 0);
  defaults.maxRetries = f.intOr("default_max_retries", 0, 100, 3);
  defaults.timeoutSeconds = f.intOr("default_timeout_seconds", 1, 86400, 300);
  const auto jobs = call.body.find("jobs");
  if (jobs == call.body.end() || !jobs->is_array() || jobs->empty() || jobs->size() > kMaxBulkJobs)
    throwValidation("jobs", "jobs must be an array of 1-" + std::to_string(kMaxBulkJobs) + " jobs");
  requireQueueAccess(call.auth, defaults.queueName);

  // An invalid item fails alone; the valid ones are created together, in one transaction.
  std::vector<CreateJobInput> valid;
  std::vector<std::size_t> validIndex;
  json failed = json::array();
  for (std::size_t i = 0; i < jobs->size(); ++i) {
    try {
      valid.push_back(readBulkItem((*jobs)[i], defaults));
      validIndex.push_back(i);
    } catch (const ApiError& e) {
      failed.push_back(json{{"index", i}, {"error", e.what()}});
    }
  }
  json succeeded = json::array();
  if (!valid.empty()) {
    const auto outcomes = co_await s.jobs.createMany(call.auth.orgId, valid);
    for (std::size_t k = 0; k < outcomes.size(); ++k)
      succeeded.push_back(json{{"index", validIndex[k]}, {"job_id", outcomes[k].id}, {"created", outcomes[k].created}});
  }
  co_return HttpResponse::json(200, json{{"succeeded", succeeded},
                                      {"failed", failed},
                                      {"total", jobs->size()},
                                      {"success_count", succeeded.size()},
                                      {"failure_count", failed.size()}});
}

HttpResponse jobStats(ApiServices& s, const HttpRequest& req) {
  const AuthContext& auth = req.authContext();
  std::map<JobStatus, long long> counts;
  if (auth.allowsAllQueues()) {
    counts = s.store.readResult([&](StoreReader& r) { return r.countJobsByStatus(auth.orgId, std::nullopt); });
  } else {
    // A key limited to some queues counts only those.
    const auto rows = s.store.readResult([&](StoreReader& r) { return r.countJobsByQueueAndStatus(auth.orgId); });
    for (const QueueStatusCount& row : rows)
      if (auth.allowsQueue(row.queueName)) counts[row.status] += row.count;
  }
  json out = json::object();
  long long total = 0;
  for (const JobStatus status : kAllJobStatuses) {
    const auto it = counts.find(status);
    const long long n = it == counts.end() ? 0 : it->second;
    out[std::string(toString(status))] = n;
    total += n;
  }
  out["total"] = total;
  return HttpResponse::json(200, out);
}

// "a, b,,c" -> {"a", "b", "c"}: trimmed, empty entries dropped, each id once.
std::vector<std::string> splitIds(const std::string& text) {
  std::vector<std::string> ids;
  std::set<std::string> seen;
  std::size_t start = 0;
  for (;;) {
    const std::size_t comma = text.find(',', start);
    std::string part = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    const std::size_t first = part.find_first_not_of(" \t");
    if (first != std::string::npos) {
      part = part.substr(first, part.find_last_not_of(" \t") - first + 1);
      if (seen.insert(part).second) ids.push_back(std::move(part));
    }
    if (comma == std::string::npos) return ids;
    start = comma + 1;
  }
}

HttpResponse batchStatus(ApiServices& s, const HttpRequest& req) {
  const AuthContext& auth = req.authContext();
  const auto param = req.queryParam("ids");
  if (!param) throwValidation("ids", "ids is required: a comma-separated list of job ids");
  const std::vector<std::string> ids = splitIds(*param);
  if (ids.size() > kMaxStatusIds)
    throwValidation("ids", "Maximum " + std::to_string(kMaxStatusIds) + " job IDs allowed per request");

  auto jobs = s.store.readResult([&](StoreReader& r) {
    std::vector<JobRecord> found;
    for (const std::string& id : ids)
      if (auto job = r.findJob(auth.orgId, id)) found.push_back(std::move(*job));
    return found;
  });
  keepAllowedQueues(auth, jobs);
  // Unknown ids (and other organizations' ids) are left out, as the official backend does.
  json out = json::array();
  for (const JobRecord& job : jobs)
    out.push_back(json{{"id", job.id},
                       {"status", std::string(toString(job.status))},
                       {"queue_name", job.queueName},
                       {"retry_count", job.retryCount},
                       {"created_at", formatIso8601(job.createdAt)},
                       {"completed_at", optionalTimeJson(job.completedAt)}});
  return HttpResponse::json(200, out);
}

Task<HttpResponse> boostPriority(ApiServices& s, const HttpRequest& req) {
  const std::string id = pathUuid(req, "Job");
  const BodyCall call(req);
  const int priority = call.fields.requiredInt("priority", -100, 100);
  requireJobQueueAccess(s.store, call.auth, id);
  const PriorityChange change = co_await s.jobs.changePriority(call.auth.orgId, id, priority);
  co_return HttpResponse::json(
      200, json{{"job_id", change.jobId}, {"old_priority", change.oldPriority}, {"new_priority", change.newPriority}});
}

Task<HttpResponse> retryJob(ApiServices& s, const HttpRequest& req) {
  const AuthContext& auth = req.authContext();
  const std::string id = pathUuid(req, "Job");
  requireJobQueueAccess(s.store, auth, id);
  const JobRecord job = co_await s.jobs.retry(auth.orgId, id);
  co_return HttpResponse::json(200, jobToJson(job));
}

}  // namespace

void addJobAdminRoutes(Router& router, ApiServices& s) {
  const auto bind = [&s](auto fn) { return withServices(s, fn); };
  router.add("POST", "/api/v1/jobs/bulk", Access::ApiKey, bind(bulkEnqueue), KeyScope::Queues);
  router.add("GET", "/api/v1/jobs/stats", Access::ApiKey, bind(jobStats), KeyScope::Queues);
  router.add("GET", "/api/v1/jobs/status", Access::ApiKey, bind(batchStatus), KeyScope::Queues);
  router.add("PUT", "/api/v1/jobs/{id}/priority", Access::ApiKey, bind(boostPriority), KeyScope::Queues);
  router.add("POST", "/api/v1/jobs/{id}/retry", Access::ApiKey, bind(retryJob), KeyScope::Queues);
}

}  // namespace spooled::server
