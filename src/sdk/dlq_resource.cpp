// DlqResource and its result types' fromJson (include/spooled/jobs.hpp): /api/v1/jobs/dlq.
#include <string>

#include "sdk/api_caller.hpp"
#include "sdk/call_helpers.hpp"
#include "sdk/json_fields.hpp"
#include "spooled/jobs.hpp"

namespace spooled {
namespace {

using detail::addQuery;
using detail::ApiCall;
using detail::Idempotency;
using detail::putField;
using detail::readField;

const std::string kDlq = "/api/v1/jobs/dlq";

}  // namespace

RetryDlqResult RetryDlqResult::fromJson(const json& body) {
  const json& o = detail::requireObject(body, "DLQ retry response");
  RetryDlqResult result;
  readField(o, "retried_count", result.retriedCount);
  readField(o, "retried_jobs", result.retriedJobs);
  return result;
}

PurgeDlqResult PurgeDlqResult::fromJson(const json& body) {
  const json& o = detail::requireObject(body, "DLQ purge response");
  PurgeDlqResult result;
  readField(o, "purged_count", result.purgedCount);
  return result;
}

std::vector<JobSummary> DlqResource::list(const ListDlqParams& params) {
  ApiCall call = ApiCall::get(kDlq);
  addQuery(call, "queue_name", params.queueName);
  addQuery(call, "limit", params.limit);
  addQuery(call, "offset", params.offset);
  return detail::readArray<JobSummary>(api_.call(call), "dead-lettered jobs");
}

RetryDlqResult DlqResource::retry(const RetryDlqParams& params) {
  json body = json::object();
  putField(body, "job_ids", params.jobIds);
  putField(body, "queue_name", params.queueName);
  putField(body, "limit", params.limit);
  return RetryDlqResult::fromJson(api_.call(ApiCall::post(kDlq + "/retry", std::move(body), Idempotency::Safe)));
}

PurgeDlqResult DlqResource::purge(const PurgeDlqParams& params) {
  json body = json::object();
  putField(body, "queue_name", params.queueName);
  putField(body, "older_than", params.olderThan);
  putField(body, "limit", params.limit);
  putField(body, "confirm", params.confirm);
  return PurgeDlqResult::fromJson(api_.call(ApiCall::post(kDlq + "/purge", std::move(body))));
}

}  // namespace spooled
