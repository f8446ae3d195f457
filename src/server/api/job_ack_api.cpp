// POST /api/v1/jobs/ack — our extension: batched acknowledgements. One request completes and fails
// many jobs, each fenced by its own lease_id and answered with its own outcome, and may carry the
// worker's next claim, so a busy worker returns results and receives new jobs in one round trip and
// one commit. See docs/api.md.
//
// Request:  {"worker_id": "w", "acks": [{"job_id", "lease_id", "status": "completed", "result"} |
//                                        {"job_id", "lease_id", "status": "failed", "error", "retryable"}],
//            "claim": {"queue_name", "limit", "lease_duration_secs", "wait_ms"}}   (claim optional)
// Response: {"results": [{"job_id", "success": true, "will_retry"?} |
//                        {"job_id", "success": false, "error": {"code", "message"}}],
//            "jobs": [claimed jobs, as POST /jobs/claim returns them]}
#include <chrono>
#include <functional>

#include "common/error_code.hpp"
#include "common/ids.hpp"
#include "server/api/api_services.hpp"
#include "server/api/job_json.hpp"
#include "server/core/claim_wait.hpp"

namespace spooled::server {

namespace {

constexpr std::size_t kMaxAcks = 1000;
constexpr int kMaxClaimWaitMs = 30000;

// One item; throws ApiError(Validation) naming what is wrong with it.
AckInput readAck(const json& item, const std::string& workerId) {
  if (!item.is_object()) throwValidation("acks", std::string("each ack must be a JSON object, got ") + item.type_name());
  const FieldReader f(item);
  AckInput ack;
  ack.jobId = f.requiredString("job_id", 1, 255);
  ack.lease = LeaseRef{workerId, f.optionalString("lease_id", 1, 255)};
  const std::string status = f.requiredString("status", 1, 20);
  if (status == "completed") {
    ack.result = f.optionalFreeForm("result", kMaxPayloadBytes);
  } else if (status == "failed") {
    ack.completed = false;
    ack.error = f.requiredString("error", 1, 2048);
    ack.retryable = f.optionalBool("retryable").value_or(true);
  } else {
    throwValidation("status", "status must be completed or failed, got \"" + status + "\"");
  }
  return ack;
}

json errorJson(const ApiError& e) { return json{{"code", wireCode(e.code())}, {"message", e.what()}}; }

Task<HttpResponse> acknowledgeJobs(ApiServices& s, const HttpRequest& req) {
  const BodyCall call(req);
  const AuthContext& auth = call.auth;
  const std::string workerId = call.fields.requiredString("worker_id", 1, 255);

  const auto acks = call.body.find("acks");
  if (acks != call.body.end() && !acks->is_null() && !acks->is_array()) throwValidation("acks", "acks must be an array");
  const std::size_t count = acks == call.body.end() || acks->is_null() ? 0 : acks->size();
  if (count > kMaxAcks)
    throwValidation("acks", "at most " + std::to_string(kMaxAcks) + " acks per request, got " + std::to_string(count));

  // Items that fail validation are answered on their own; the rest go to the engine.
  std::vector<json> results(count);
  std::vector<AckInput> valid;
  std::vector<std::size_t> validIndex;
  for (std::size_t i = 0; i < count; ++i) {
    const json& item = (*acks)[i];
    const json jobId = item.is_object() && item.contains("job_id") ? item["job_id"] : json(nullptr);
    try {
      AckInput ack = readAck(item, workerId);
      if (!isUuid(ack.jobId)) throw ApiError(ErrorCode::NotFound, "Job not found");
      valid.push_back(std::move(ack));
      validIndex.push_back(i);
    } catch (const ApiError& e) {
      results[i] = json{{"job_id", jobId}, {"success", false}, {"error", errorJson(e)}};
    }
  }

  std::optional<ClaimInput> claim;
  int waitMs = 0;
  if (call.fields.has("claim")) {
    const json& c = call.body["claim"];
    if (!c.is_object()) throwValidation("claim", "claim must be an object");
    const FieldReader f(c);
    ClaimInput in;
    in.queueName = readQueueName(f, "queue_name");
    in.workerId = workerId;
    in.limit = f.intOr("limit", 1, 100, 1);
    in.leaseDurationSecs = f.intOr("lease_duration_secs", 5, 3600, 30);
    waitMs = f.intOr("wait_ms", 0, kMaxClaimWaitMs, 0);
    requireQueueAccess(auth, in.queueName);
    claim = std::move(in);
  }

  // Named locals passed by reference, not temporaries in the co_await expression: GCC 12 may destroy
  // such temporaries twice (a double free, seen here with the vector and the optional).
  const AuthContext caller = auth;
  const std::function<bool(const std::string&)> mayUseQueue = [caller](const std::string& queue) {
    return caller.allowsQueue(queue);
  };
  AckBatchOutcome batch = co_await s.jobs.acknowledge(auth.orgId, valid, claim, mayUseQueue);
  for (std::size_t k = 0; k < valid.size(); ++k) {
    const AckOutcome& outcome = batch.items[k];
    json out{{"job_id", valid[k].jobId}, {"success", !outcome.error}};
    if (outcome.error) out["error"] = errorJson(*outcome.error);
    if (!valid[k].completed && !outcome.error) out["will_retry"] = outcome.willRetry;
    results[validIndex[k]] = std::move(out);
  }
  // Nothing to hand out now: park like a long-poll claim, after the acknowledgements are committed.
  if (claim && batch.claimed.empty() && waitMs > 0)
    batch.claimed = co_await claimOrWait(s.jobs, s.notifier, auth.orgId, *claim, std::chrono::milliseconds(waitMs),
                                         s.shuttingDown);

  json jobs = json::array();
  for (const JobRecord& job : batch.claimed) jobs.push_back(claimedJobToJson(job));
  co_return HttpResponse::json(200, json{{"results", results}, {"jobs", jobs}});
}

}  // namespace

void addJobAckRoutes(Router& router, ApiServices& s) {
  router.add("POST", "/api/v1/jobs/ack", Access::ApiKey, withServices(s, acknowledgeJobs), KeyScope::Queues);
}

}  // namespace spooled::server
