// JobsResource::acknowledge and its types (include/spooled/jobs.hpp): our batched-acknowledgement
// extension, POST /api/v1/jobs/ack. Wire shape: docs/api.md.
#include <chrono>
#include <string>

#include "sdk/api_caller.hpp"
#include "sdk/json_fields.hpp"
#include "spooled/errors.hpp"
#include "spooled/jobs.hpp"

namespace spooled {
namespace {

using detail::putField;
using detail::readField;

// The server's cap on one request.
constexpr std::size_t kMaxAcks = 1000;

json ackJson(const AckItem& item) {
  json row = json::object();
  putField(row, "job_id", item.jobId);
  putField(row, "lease_id", item.leaseId);
  if (item.status == AckStatus::completed) {
    putField(row, "status", std::string("completed"));
    putField(row, "result", item.result);
  } else {
    putField(row, "status", std::string("failed"));
    putField(row, "error", item.error);
    putField(row, "retryable", item.retryable);
  }
  return row;
}

json claimJson(const AckClaimParams& claim) {
  json body = json::object();
  putField(body, "queue_name", claim.queueName);
  putField(body, "limit", claim.limit);
  putField(body, "lease_duration_secs", claim.leaseDurationSecs);
  putField(body, "wait_ms", claim.waitMs);
  return body;
}

}  // namespace

AckItemResult AckItemResult::fromJson(const json& body) {
  const json& o = detail::requireObject(body, "ack result");
  AckItemResult item;
  readField(o, "job_id", item.jobId);  // null when the item had no job_id
  readField(o, "success", item.success);
  readField(o, "will_retry", item.willRetry);
  const json& error = detail::childObject(o, "error");
  readField(error, "code", item.errorCode);
  readField(error, "message", item.errorMessage);
  if (!item.success && item.errorCode.empty()) item.errorCode = "UNKNOWN";
  return item;
}

AckBatchResult AckBatchResult::fromJson(const json& body) {
  const json& o = detail::requireObject(body, "ack response");
  AckBatchResult result;
  result.results = detail::readArrayField<AckItemResult>(o, "results");
  result.jobs = detail::readArrayField<ClaimedJob>(o, "jobs");
  return result;
}

AckBatchResult JobsResource::acknowledge(const AckBatchParams& params) {
  if (params.acks.size() > kMaxAcks) {
    throw ValidationError("acknowledge takes at most 1000 acks, got " + std::to_string(params.acks.size()));
  }
  json acks = json::array();
  for (const AckItem& item : params.acks) acks.push_back(ackJson(item));
  json body = json::object();
  putField(body, "worker_id", params.workerId);
  putField(body, "acks", acks);
  if (params.claim) body["claim"] = claimJson(*params.claim);
  // Never repeated on an ambiguous failure: a repeat would find its acks settled (LEASE_EXPIRED) and
  // could lease a second batch of jobs.
  detail::ApiCall call = detail::ApiCall::post("/api/v1/jobs/ack", std::move(body), detail::Idempotency::Unsafe);
  if (params.claim) call.extraTimeout = std::chrono::milliseconds(params.claim->waitMs.value_or(0));
  AckBatchResult result = AckBatchResult::fromJson(api_.call(call));
  if (result.results.size() != params.acks.size()) {
    throw SpooledError("the Spooled server answered " + std::to_string(result.results.size()) + " results to " +
                           std::to_string(params.acks.size()) + " acks",
                       200, "INVALID_RESPONSE");
  }
  return result;
}

}  // namespace spooled
