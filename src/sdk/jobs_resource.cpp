// JobsResource and the job types' fromJson (include/spooled/jobs.hpp). Wire shapes:
// docs/api.md and the official API contract; fields are snake_case.
#include <cmath>
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
using detail::requireField;

const std::string kJobs = "/api/v1/jobs";

std::string jobPath(const std::string& id, const char* action = nullptr) {
  return detail::resourcePath(kJobs, id, action);
}

// The fencing fields every lease-holding call sends.
json leaseBody(const std::string& workerId, const std::optional<std::string>& leaseId) {
  json body = json::object();
  putField(body, "worker_id", workerId);
  putField(body, "lease_id", leaseId);
  return body;
}

}  // namespace

Job Job::fromJson(const json& body) {
  const json& o = detail::requireObject(body, "job");
  Job job;
  requireField(o, "id", job.id);
  readField(o, "organization_id", job.organizationId);
  readField(o, "queue_name", job.queueName);
  readField(o, "status", job.status);
  readField(o, "payload", job.payload);
  readField(o, "result", job.result);
  readField(o, "retry_count", job.retryCount);
  readField(o, "max_retries", job.maxRetries);
  readField(o, "last_error", job.lastError);
  readField(o, "created_at", job.createdAt);
  readField(o, "scheduled_at", job.scheduledAt);
  readField(o, "started_at", job.startedAt);
  readField(o, "completed_at", job.completedAt);
  readField(o, "expires_at", job.expiresAt);
  readField(o, "priority", job.priority);
  readField(o, "tags", job.tags);
  readField(o, "timeout_seconds", job.timeoutSeconds);
  readField(o, "parent_job_id", job.parentJobId);
  readField(o, "completion_webhook", job.completionWebhook);
  readField(o, "assigned_worker_id", job.assignedWorkerId);
  readField(o, "lease_id", job.leaseId);
  readField(o, "lease_expires_at", job.leaseExpiresAt);
  readField(o, "idempotency_key", job.idempotencyKey);
  readField(o, "updated_at", job.updatedAt);
  readField(o, "progress", job.progress);
  readField(o, "progress_message", job.progressMessage);
  readField(o, "workflow_id", job.workflowId);
  readField(o, "dependency_mode", job.dependencyMode);
  readField(o, "dependencies_met", job.dependenciesMet);
  return job;
}

JobSummary JobSummary::fromJson(const json& body) {
  const json& o = detail::requireObject(body, "job summary");
  JobSummary job;
  requireField(o, "id", job.id);
  readField(o, "queue_name", job.queueName);
  readField(o, "status", job.status);
  readField(o, "priority", job.priority);
  readField(o, "retry_count", job.retryCount);
  readField(o, "created_at", job.createdAt);
  readField(o, "scheduled_at", job.scheduledAt);
  readField(o, "started_at", job.startedAt);
  readField(o, "completed_at", job.completedAt);
  return job;
}

ClaimedJob ClaimedJob::fromJson(const json& body) {
  const json& o = detail::requireObject(body, "claimed job");
  ClaimedJob job;
  requireField(o, "id", job.id);
  readField(o, "queue_name", job.queueName);
  readField(o, "payload", job.payload);
  readField(o, "retry_count", job.retryCount);
  readField(o, "max_retries", job.maxRetries);
  readField(o, "timeout_seconds", job.timeoutSeconds);
  readField(o, "lease_expires_at", job.leaseExpiresAt);
  readField(o, "lease_id", job.leaseId);
  return job;
}

CreateJobResult JobsResource::create(const CreateJobParams& params) {
  json body = json::object();
  putField(body, "queue_name", params.queueName);
  putField(body, "payload", params.payload);
  putField(body, "priority", params.priority);
  putField(body, "max_retries", params.maxRetries);
  putField(body, "timeout_seconds", params.timeoutSeconds);
  putField(body, "scheduled_at", params.scheduledAt);
  putField(body, "expires_at", params.expiresAt);
  putField(body, "idempotency_key", params.idempotencyKey);
  putField(body, "parent_job_id", params.parentJobId);
  putField(body, "completion_webhook", params.completionWebhook);
  putField(body, "tags", params.tags);
  // With a key, a repeat returns the first job instead of making a second one.
  const auto idempotency = params.idempotencyKey ? Idempotency::Safe : Idempotency::Unsafe;
  const json response = api_.call(ApiCall::post(kJobs, std::move(body), idempotency));
  const json& o = detail::requireObject(response, "create job response");
  CreateJobResult result;
  requireField(o, "id", result.id);
  readField(o, "created", result.created);
  return result;
}

Job JobsResource::get(const std::string& id) {
  return Job::fromJson(api_.call(ApiCall::get(jobPath(id))));
}

std::vector<JobSummary> JobsResource::list(const ListJobsParams& params) {
  ApiCall call = ApiCall::get(kJobs);
  addQuery(call, "queue_name", params.queueName);
  addQuery(call, "status", params.status);
  addQuery(call, "tag", params.tag);
  addQuery(call, "limit", params.limit);
  addQuery(call, "offset", params.offset);
  addQuery(call, "order_by", params.orderBy);
  addQuery(call, "order_dir", params.orderDir);
  return detail::readArray<JobSummary>(api_.call(call), "jobs");
}

void JobsResource::cancel(const std::string& id) {
  api_.call(ApiCall::del(jobPath(id)));
}

std::vector<ClaimedJob> JobsResource::claim(const ClaimJobsParams& params) {
  json body = json::object();
  putField(body, "queue_name", params.queueName);
  putField(body, "worker_id", params.workerId);
  putField(body, "limit", params.limit);
  putField(body, "lease_duration_secs", params.leaseDurationSecs);
  putField(body, "wait_ms", params.waitMs);
  // Never retried on ambiguous failures: a repeat could lease a second batch.
  ApiCall call = ApiCall::post(kJobs + "/claim", std::move(body), Idempotency::Unsafe);
  call.extraTimeout = std::chrono::milliseconds(params.waitMs.value_or(0));
  const json response = api_.call(call);
  const json& o = detail::requireObject(response, "claim response");
  return detail::readArrayField<ClaimedJob>(o, "jobs");
}

void JobsResource::complete(const std::string& id, const CompleteJobParams& params) {
  json body = leaseBody(params.workerId, params.leaseId);
  putField(body, "result", params.result);
  api_.call(ApiCall::post(jobPath(id, "complete"), std::move(body)));
}

void JobsResource::fail(const std::string& id, const FailJobParams& params) {
  json body = leaseBody(params.workerId, params.leaseId);
  putField(body, "error", params.error);
  putField(body, "retryable", params.retryable);
  api_.call(ApiCall::post(jobPath(id, "fail"), std::move(body)));
}

void JobsResource::heartbeat(const std::string& id, const JobHeartbeatParams& params) {
  json body = leaseBody(params.workerId, params.leaseId);
  putField(body, "lease_duration_secs", params.leaseDurationSecs);
  api_.call(ApiCall::post(jobPath(id, "heartbeat"), std::move(body), Idempotency::Safe));
}

void JobsResource::progress(const std::string& id, const JobProgressParams& params) {
  json body = leaseBody(params.workerId, params.leaseId);
  // Progress is stored in whole percents; sending an integer keeps strict servers happy.
  putField(body, "percent", static_cast<int>(std::lround(params.percent)));
  putField(body, "message", params.message);
  api_.call(ApiCall::post(jobPath(id, "progress"), std::move(body), Idempotency::Safe));
}

JobStats JobStats::fromJson(const json& body) {
  const json& o = detail::requireObject(body, "job stats");
  JobStats stats;
  readField(o, "pending", stats.pending);
  readField(o, "scheduled", stats.scheduled);
  readField(o, "processing", stats.processing);
  readField(o, "completed", stats.completed);
  readField(o, "failed", stats.failed);
  readField(o, "deadletter", stats.deadletter);
  readField(o, "cancelled", stats.cancelled);
  readField(o, "total", stats.total);
  return stats;
}

BatchJobStatus BatchJobStatus::fromJson(const json& body) {
  const json& o = detail::requireObject(body, "job status");
  BatchJobStatus status;
  requireField(o, "id", status.id);
  readField(o, "status", status.status);
  readField(o, "queue_name", status.queueName);
  readField(o, "retry_count", status.retryCount);
  readField(o, "created_at", status.createdAt);
  readField(o, "completed_at", status.completedAt);
  return status;
}

BoostPriorityResult BoostPriorityResult::fromJson(const json& body) {
  const json& o = detail::requireObject(body, "priority response");
  BoostPriorityResult result;
  requireField(o, "job_id", result.jobId);
  readField(o, "old_priority", result.oldPriority);
  readField(o, "new_priority", result.newPriority);
  return result;
}

BulkJobSucceeded BulkJobSucceeded::fromJson(const json& body) {
  const json& o = detail::requireObject(body, "succeeded");
  BulkJobSucceeded item;
  readField(o, "index", item.index);
  requireField(o, "job_id", item.jobId);
  readField(o, "created", item.created);
  return item;
}

BulkJobFailed BulkJobFailed::fromJson(const json& body) {
  const json& o = detail::requireObject(body, "failed");
  BulkJobFailed item;
  readField(o, "index", item.index);
  readField(o, "error", item.error);
  return item;
}

BulkEnqueueResult BulkEnqueueResult::fromJson(const json& body) {
  const json& o = detail::requireObject(body, "bulk enqueue response");
  BulkEnqueueResult result;
  result.succeeded = detail::readArrayField<BulkJobSucceeded>(o, "succeeded");
  result.failed = detail::readArrayField<BulkJobFailed>(o, "failed");
  readField(o, "total", result.total);
  readField(o, "success_count", result.successCount);
  readField(o, "failure_count", result.failureCount);
  return result;
}

BulkEnqueueResult JobsResource::bulkEnqueue(const BulkEnqueueParams& params) {
  json jobs = json::array();
  bool everyItemHasAKey = !params.jobs.empty();
  for (const BulkJobItem& item : params.jobs) {
    json row = json::object();
    putField(row, "payload", item.payload);
    putField(row, "priority", item.priority);
    putField(row, "idempotency_key", item.idempotencyKey);
    putField(row, "scheduled_at", item.scheduledAt);
    everyItemHasAKey = everyItemHasAKey && item.idempotencyKey.has_value();
    jobs.push_back(std::move(row));
  }
  json body = json::object();
  putField(body, "queue_name", params.queueName);
  putField(body, "jobs", jobs);
  putField(body, "default_priority", params.defaultPriority);
  putField(body, "default_max_retries", params.defaultMaxRetries);
  putField(body, "default_timeout_seconds", params.defaultTimeoutSeconds);
  // A repeat could enqueue a second copy of any job without a key.
  const auto idempotency = everyItemHasAKey ? Idempotency::Safe : Idempotency::Unsafe;
  return BulkEnqueueResult::fromJson(api_.call(ApiCall::post(kJobs + "/bulk", std::move(body), idempotency)));
}

JobStats JobsResource::stats() { return JobStats::fromJson(api_.call(ApiCall::get(kJobs + "/stats"))); }

std::vector<BatchJobStatus> JobsResource::batchStatus(const std::vector<std::string>& ids) {
  if (ids.empty()) return {};
  if (ids.size() > 100)
    throw ValidationError("batchStatus takes at most 100 job ids, got " + std::to_string(ids.size()));
  std::string joined;
  for (const std::string& id : ids) joined += (joined.empty() ? "" : ",") + id;
  ApiCall call = ApiCall::get(kJobs + "/status");
  call.query.emplace_back("ids", joined);
  return detail::readArray<BatchJobStatus>(api_.call(call), "job statuses");
}

BoostPriorityResult JobsResource::boostPriority(const std::string& id, int priority) {
  const json body = {{"priority", priority}};
  return BoostPriorityResult::fromJson(api_.call(ApiCall::put(jobPath(id, "priority"), body)));
}

Job JobsResource::retry(const std::string& id) {
  // Not repeated on an ambiguous failure: a second retry of a job already back in its queue is a conflict.
  return Job::fromJson(api_.call(ApiCall::post(jobPath(id, "retry"), std::nullopt)));
}

}  // namespace spooled
