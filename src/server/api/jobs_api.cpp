// /api/v1/jobs: create, list, get, cancel, and the worker endpoints claim, complete, fail, heartbeat
// and progress. Each handler only parses and validates, calls JobEngine or the store, and renders.
#include <algorithm>
#include <chrono>

#include "common/error_code.hpp"
#include "server/api/api_services.hpp"
#include "server/api/job_json.hpp"
#include "server/api/queue_access.hpp"
#include "server/api/validation.hpp"
#include "server/core/claim_wait.hpp"

namespace spooled::server {

namespace {

constexpr int kMaxClaimWaitMs = 30000;

Task<HttpResponse> createJob(ApiServices& s, const HttpRequest& req) {
  const BodyCall call(req);
  const AuthContext& auth = call.auth;
  const FieldReader& f = call.fields;

  CreateJobInput in;
  in.queueName = readQueueName(f, "queue_name");
  in.payload = f.requiredFreeForm("payload", kMaxPayloadBytes);
  in.priority = f.intOr("priority", -100, 100, 0);
  in.maxRetries = f.intOr("max_retries", 0, 100, 3);
  in.timeoutSeconds = f.intOr("timeout_seconds", 1, 86400, 300);
  in.scheduledAt = f.optionalTime("scheduled_at");
  in.expiresAt = f.optionalTime("expires_at");
  in.idempotencyKey = f.optionalString("idempotency_key", 1, 255);
  // Any value, as the official backend: PHP sends a list of strings, others an object; [] stays [].
  in.tags = f.optionalValue("tags", kMaxTagsBytes);
  in.parentJobId = f.optionalString("parent_job_id", 1, 255);
  in.completionWebhook = f.optionalString("completion_webhook", 1, 2048);
  if (in.completionWebhook && in.completionWebhook->rfind("https://", 0) != 0 &&
      in.completionWebhook->rfind("http://", 0) != 0)
    throwValidation("completion_webhook", "completion_webhook must be an http:// or https:// URL");
  if (in.scheduledAt && in.expiresAt && *in.expiresAt <= *in.scheduledAt)
    throwValidation("expires_at", "expires_at must be later than scheduled_at");
  requireQueueAccess(auth, in.queueName);

  const CreateJobOutcome outcome = co_await s.jobs.create(auth.orgId, in);
  // As the official backend: 201 for a new job, 200 when the idempotency key named an existing one.
  co_return HttpResponse::json(outcome.created ? 201 : 200, json{{"id", outcome.id}, {"created", outcome.created}});
}

HttpResponse listJobs(ApiServices& s, const HttpRequest& req) {
  const AuthContext& auth = req.authContext();
  JobQuery q;
  q.orgId = auth.orgId;
  if (auto queue = req.queryParam("queue_name")) {
    requireQueueName("queue_name", *queue);
    requireQueueAccess(auth, *queue);
    q.queueName = std::move(*queue);
  }
  if (auto status = req.queryParam("status")) {
    q.status = parseJobStatus(*status);
    if (!q.status)
      throwValidation("status", "status must be one of pending, scheduled, processing, completed, failed, "
                                "deadletter, cancelled; got \"" + *status + "\"");
  }
  if (auto tag = req.queryParam("tag"); tag && !tag->empty()) q.tag = std::move(*tag);
  // The official backend caps limit at 100 rather than rejecting larger values.
  q.limit = std::clamp(queryInt(req.queryParam("limit"), "limit", 1, 1000000, 50), 1, 100);
  q.offset = queryInt(req.queryParam("offset"), "offset", 0, 1000000000, 0);
  if (auto orderBy = req.queryParam("order_by")) {
    static const char* const kAllowed[] = {"created_at", "updated_at", "scheduled_at", "priority"};
    if (std::find(std::begin(kAllowed), std::end(kAllowed), *orderBy) == std::end(kAllowed))
      throwValidation("order_by", "order_by must be one of created_at, updated_at, scheduled_at, priority");
    q.orderBy = *orderBy;
  }
  if (auto dir = req.queryParam("order_dir")) {
    if (*dir != "asc" && *dir != "desc") throwValidation("order_dir", "order_dir must be asc or desc");
    q.descending = *dir == "desc";
  }

  auto jobs = s.store.readResult([&](StoreReader& r) { return r.listJobs(q); });
  keepAllowedQueues(auth, jobs);  // a queue-limited key sees its queues only (a page may come out short)
  json out = json::array();
  for (const JobRecord& job : jobs) out.push_back(jobSummaryToJson(job));
  return HttpResponse::json(200, out);
}

HttpResponse getJob(ApiServices& s, const HttpRequest& req) {
  const AuthContext& auth = req.authContext();
  const std::string id = pathUuid(req, "Job");
  const auto job = s.store.readResult([&](StoreReader& r) { return r.findJob(auth.orgId, id); });
  if (!job) throw ApiError(ErrorCode::NotFound, "Job not found");
  requireQueueAccess(auth, job->queueName);
  return HttpResponse::json(200, jobToJson(*job));
}

Task<HttpResponse> cancelJob(ApiServices& s, const HttpRequest& req) {
  const AuthContext& auth = req.authContext();
  const std::string id = pathUuid(req, "Job");
  requireJobQueueAccess(s.store, auth, id);
  co_await s.jobs.cancel(auth.orgId, id);
  co_return HttpResponse::empty(204);
}

Task<HttpResponse> claimJobs(ApiServices& s, const HttpRequest& req) {
  const BodyCall call(req);
  const AuthContext& auth = call.auth;
  const FieldReader& f = call.fields;

  ClaimInput in;
  in.queueName = readQueueName(f, "queue_name");
  in.workerId = f.requiredString("worker_id", 1, 255);
  in.limit = f.intOr("limit", 1, 100, 1);
  in.leaseDurationSecs = f.intOr("lease_duration_secs", 5, 3600, 30);
  const int waitMs = f.intOr("wait_ms", 0, kMaxClaimWaitMs, 0);  // extension: long-poll
  requireQueueAccess(auth, in.queueName);

  const std::vector<JobRecord> claimed =
      co_await claimOrWait(s.jobs, s.notifier, auth.orgId, in, std::chrono::milliseconds(waitMs), s.shuttingDown);
  json jobs = json::array();
  for (const JobRecord& job : claimed) jobs.push_back(claimedJobToJson(job));
  co_return HttpResponse::json(200, json{{"jobs", jobs}});
}

// What complete, fail, heartbeat and progress share: the job id, the body, and the worker_id and
// lease_id that name the lease.
struct LeaseCall {
  LeaseCall(ApiServices& s, const HttpRequest& req)
      : orgId(req.authContext().orgId), jobId(pathUuid(req, "Job")), body(parseJsonObjectBody(req.body)), fields(body) {
    lease.workerId = fields.requiredString("worker_id", 1, 255);
    lease.leaseId = fields.optionalString("lease_id", 1, 255);
    requireJobQueueAccess(s.store, req.authContext(), jobId);
  }

  std::string orgId;
  std::string jobId;
  json body;
  FieldReader fields;  // reads body
  LeaseRef lease;
};

Task<HttpResponse> completeJob(ApiServices& s, const HttpRequest& req) {
  const LeaseCall call(s, req);
  const auto result = call.fields.optionalFreeForm("result", kMaxPayloadBytes);
  co_await s.jobs.complete(call.orgId, call.jobId, call.lease, result);
  co_return successResponse();
}

Task<HttpResponse> failJob(ApiServices& s, const HttpRequest& req) {
  const LeaseCall call(s, req);
  const std::string error = call.fields.requiredString("error", 1, 2048);
  const bool retryable = call.fields.optionalBool("retryable").value_or(true);  // extension
  co_await s.jobs.fail(call.orgId, call.jobId, call.lease, error, retryable);
  co_return successResponse();
}

Task<HttpResponse> heartbeatJob(ApiServices& s, const HttpRequest& req) {
  const LeaseCall call(s, req);
  const int leaseDurationSecs = call.fields.intOr("lease_duration_secs", 5, 3600, 30);
  co_await s.jobs.heartbeat(call.orgId, call.jobId, call.lease, leaseDurationSecs);
  co_return successResponse();
}

Task<HttpResponse> reportProgress(ApiServices& s, const HttpRequest& req) {  // extension
  const LeaseCall call(s, req);
  const int percent = call.fields.requiredInt("percent", 0, 100);
  const auto message = call.fields.optionalString("message", 0, 2048);
  co_await s.jobs.progress(call.orgId, call.jobId, call.lease, percent, message);
  co_return successResponse();
}

}  // namespace

void addJobRoutes(Router& router, ApiServices& s) {
  const auto bind = [&s](auto fn) { return withServices(s, fn); };
  router.add("POST", "/api/v1/jobs", Access::ApiKey, bind(createJob), KeyScope::Queues);
  router.add("GET", "/api/v1/jobs", Access::ApiKey, bind(listJobs), KeyScope::Queues);
  router.add("POST", "/api/v1/jobs/claim", Access::ApiKey, bind(claimJobs), KeyScope::Queues);
  router.add("GET", "/api/v1/jobs/{id}", Access::ApiKey, bind(getJob), KeyScope::Queues);
  router.add("DELETE", "/api/v1/jobs/{id}", Access::ApiKey, bind(cancelJob), KeyScope::Queues);
  router.add("POST", "/api/v1/jobs/{id}/complete", Access::ApiKey, bind(completeJob), KeyScope::Queues);
  router.add("POST", "/api/v1/jobs/{id}/fail", Access::ApiKey, bind(failJob), KeyScope::Queues);
  router.add("POST", "/api/v1/jobs/{id}/heartbeat", Access::ApiKey, bind(heartbeatJob), KeyScope::Queues);
  router.add("POST", "/api/v1/jobs/{id}/progress", Access::ApiKey, bind(reportProgress), KeyScope::Queues);
}

}  // namespace spooled::server
