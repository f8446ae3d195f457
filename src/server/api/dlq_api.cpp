// /api/v1/jobs/dlq: list dead-lettered jobs, retry them, purge them. Parse and validate, call
// JobEngine (or the store for the list), render.
#include <algorithm>

#include "common/error_code.hpp"
#include "server/api/api_services.hpp"
#include "server/api/job_json.hpp"
#include "server/api/queue_access.hpp"
#include "server/api/validation.hpp"

namespace spooled::server {

namespace {

constexpr int kMaxRetryIds = 1000;
constexpr int kMaxRetryLimit = 100;    // as the official backend
constexpr int kMaxPurgeLimit = 10000;  // as the official backend

std::optional<std::string> readOptionalQueueName(const FieldReader& f) {
  if (!f.has("queue_name")) return std::nullopt;
  return readQueueName(f, "queue_name");
}

// A key limited to some queues may retry or purge only what it names: its own queue, or jobs of it.
void requireScopedToAllowedQueues(ApiServices& s, const AuthContext& auth, const std::optional<std::string>& queueName,
                                  const std::vector<std::string>& jobIds = {}) {
  if (queueName) requireQueueAccess(auth, *queueName);
  for (const std::string& id : jobIds) requireJobQueueAccess(s.store, auth, id);
  if (!queueName && jobIds.empty() && !auth.allowsAllQueues())
    throw ApiError(ErrorCode::Forbidden, "an API key limited to some queues must name queue_name",
                   json{{"field", "queue_name"}});
}

std::vector<std::string> readJobIds(const json& body) {
  const auto it = body.find("job_ids");
  std::vector<std::string> ids;
  if (it == body.end() || it->is_null()) return ids;
  if (!it->is_array()) throwValidation("job_ids", "job_ids must be an array of job ids");
  if (it->size() > static_cast<std::size_t>(kMaxRetryIds))
    throwValidation("job_ids", "job_ids may name at most " + std::to_string(kMaxRetryIds) + " jobs");
  for (const json& id : *it) {
    if (!id.is_string()) throwValidation("job_ids", "job_ids must contain only strings");
    ids.push_back(id.get<std::string>());
  }
  return ids;
}

HttpResponse listDeadLetters(ApiServices& s, const HttpRequest& req) {
  const AuthContext& auth = req.authContext();
  JobQuery q;
  q.orgId = auth.orgId;
  q.status = JobStatus::Deadletter;
  if (auto queue = req.queryParam("queue_name")) {
    requireQueueName("queue_name", *queue);
    requireQueueAccess(auth, *queue);
    q.queueName = std::move(*queue);
  }
  // As the job list: limit capped at 100 rather than refused.
  q.limit = std::clamp(queryInt(req.queryParam("limit"), "limit", 1, 1000000, 50), 1, 100);
  q.offset = queryInt(req.queryParam("offset"), "offset", 0, 1000000000, 0);
  auto jobs = s.store.readResult([&](StoreReader& r) { return r.listJobs(q); });
  keepAllowedQueues(auth, jobs);
  json out = json::array();
  for (const JobRecord& job : jobs) out.push_back(jobSummaryToJson(job));
  return HttpResponse::json(200, out);
}

Task<HttpResponse> retryDeadLetters(ApiServices& s, const HttpRequest& req) {
  const BodyCall call(req);
  DeadLetterSelection selection;
  const std::vector<std::string> ids = readJobIds(call.body);
  if (call.fields.has("job_ids")) selection.jobIds = ids;
  selection.queueName = readOptionalQueueName(call.fields);
  selection.limit = call.fields.intOr("limit", 1, kMaxRetryLimit, kMaxRetryLimit);
  requireScopedToAllowedQueues(s, call.auth, selection.queueName, ids);

  const std::vector<std::string> retried = co_await s.jobs.retryDeadLetters(call.auth.orgId, selection);
  co_return HttpResponse::json(200, json{{"retried_count", retried.size()}, {"retried_jobs", retried}});
}

Task<HttpResponse> purgeDeadLetters(ApiServices& s, const HttpRequest& req) {
  const BodyCall call(req);
  const FieldReader& f = call.fields;
  // Deleting jobs cannot be undone, so the caller must say so explicitly, as with the official backend.
  if (f.optionalBool("confirm") != true)
    throwValidation("confirm", "Must set 'confirm: true' to purge the dead-letter queue");
  DeadLetterPurge purge;
  purge.queueName = readOptionalQueueName(f);
  purge.olderThan = f.optionalTime("older_than");
  purge.limit = f.optionalInt("limit", 1, kMaxPurgeLimit);
  requireScopedToAllowedQueues(s, call.auth, purge.queueName);

  const long long purged = co_await s.jobs.purgeDeadLetters(call.auth.orgId, purge);
  co_return HttpResponse::json(200, json{{"purged_count", purged}});
}

}  // namespace

void addDlqRoutes(Router& router, ApiServices& s) {
  const auto bind = [&s](auto fn) { return withServices(s, fn); };
  router.add("GET", "/api/v1/jobs/dlq", Access::ApiKey, bind(listDeadLetters), KeyScope::Queues);
  router.add("POST", "/api/v1/jobs/dlq/retry", Access::ApiKey, bind(retryDeadLetters), KeyScope::Queues);
  router.add("POST", "/api/v1/jobs/dlq/purge", Access::ApiKey, bind(purgeDeadLetters), KeyScope::Queues);
}

}  // namespace spooled::server
