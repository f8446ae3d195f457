// WorkflowsResource and the workflow types' fromJson (include/spooled/workflows.hpp): /api/v1/workflows
// and GET /api/v1/jobs/{id}/dependencies.
#include <stdexcept>
#include <string>

#include "sdk/api_caller.hpp"
#include "sdk/call_helpers.hpp"
#include "sdk/json_fields.hpp"
#include "spooled/workflows.hpp"

namespace spooled {
namespace {

using detail::ApiCall;
using detail::putField;
using detail::readField;
using detail::requireField;

const std::string kWorkflows = "/api/v1/workflows";

DependencyInfo dependencyFromJson(const json& row) {
  const json& o = detail::requireObject(row, "dependency");
  DependencyInfo info;
  requireField(o, "job_id", info.jobId);
  readField(o, "queue_name", info.queueName);
  readField(o, "status", info.status);
  readField(o, "dependency_type", info.dependencyType);
  return info;
}

json definitionToJson(const WorkflowJobDefinition& job) {
  json body{{"key", job.key}, {"queue_name", job.queueName}, {"payload", job.payload}, {"depends_on", job.dependsOn}};
  putField(body, "dependency_mode", job.dependencyMode);
  putField(body, "priority", job.priority);
  putField(body, "max_retries", job.maxRetries);
  putField(body, "timeout_seconds", job.timeoutSeconds);
  return body;
}

}  // namespace

const std::string& CreateWorkflowResult::jobId(const std::string& key) const {
  for (const WorkflowJobMapping& m : jobIds)
    if (m.key == key) return m.jobId;
  throw std::out_of_range("workflow has no job with key '" + key + "'");
}

CreateWorkflowResult CreateWorkflowResult::fromJson(const json& body) {
  const json& o = detail::requireObject(body, "workflow creation");
  CreateWorkflowResult result;
  requireField(o, "workflow_id", result.workflowId);
  readField(o, "status", result.status);
  result.jobIds = detail::readArrayField<WorkflowJobMapping>(o, "job_ids", [](const json& row) {
    WorkflowJobMapping m;
    requireField(row, "key", m.key);
    requireField(row, "job_id", m.jobId);
    return m;
  });
  return result;
}

Workflow Workflow::fromJson(const json& body) {
  const json& o = detail::requireObject(body, "workflow");
  Workflow w;
  requireField(o, "id", w.id);
  readField(o, "name", w.name);
  readField(o, "description", w.description);
  readField(o, "status", w.status);
  readField(o, "total_jobs", w.totalJobs);
  readField(o, "completed_jobs", w.completedJobs);
  readField(o, "failed_jobs", w.failedJobs);
  readField(o, "progress_percent", w.progressPercent);
  readField(o, "created_at", w.createdAt);
  readField(o, "started_at", w.startedAt);
  readField(o, "completed_at", w.completedAt);
  readField(o, "metadata", w.metadata);
  return w;
}

WorkflowJob WorkflowJob::fromJson(const json& body) {
  const json& o = detail::requireObject(body, "workflow job");
  WorkflowJob j;
  requireField(o, "id", j.id);
  readField(o, "workflow_id", j.workflowId);
  readField(o, "key", j.key);
  readField(o, "queue_name", j.queueName);
  readField(o, "status", j.status);
  readField(o, "payload", j.payload);
  readField(o, "result", j.result);
  readField(o, "error", j.error);
  readField(o, "depends_on", j.dependsOn);
  readField(o, "dependencies_met", j.dependenciesMet);
  readField(o, "priority", j.priority);
  readField(o, "max_retries", j.maxRetries);
  readField(o, "attempt", j.attempt);
  readField(o, "created_at", j.createdAt);
  readField(o, "started_at", j.startedAt);
  readField(o, "completed_at", j.completedAt);
  return j;
}

WorkflowJobStatus WorkflowJobStatus::fromJson(const json& body) {
  const json& o = detail::requireObject(body, "workflow job status");
  WorkflowJobStatus s;
  requireField(o, "job_id", s.jobId);
  readField(o, "key", s.key);
  readField(o, "status", s.status);
  readField(o, "progress", s.progress);
  return s;
}

JobDependencies JobDependencies::fromJson(const json& body) {
  const json& o = detail::requireObject(body, "job dependencies");
  JobDependencies d;
  requireField(o, "job_id", d.jobId);
  readField(o, "status", d.status);
  readField(o, "dependencies_met", d.dependenciesMet);
  d.dependencies = detail::readArrayField<DependencyInfo>(o, "dependencies", dependencyFromJson);
  d.dependents = detail::readArrayField<DependencyInfo>(o, "dependents", dependencyFromJson);
  return d;
}

CreateWorkflowResult WorkflowsResource::create(const CreateWorkflowParams& params) {
  json jobs = json::array();
  for (const WorkflowJobDefinition& job : params.jobs) jobs.push_back(definitionToJson(job));
  json body{{"name", params.name}, {"jobs", std::move(jobs)}};
  putField(body, "description", params.description);
  putField(body, "metadata", params.metadata);
  // Not retried: a repeat would create a second workflow.
  return CreateWorkflowResult::fromJson(api_.call(ApiCall::post(kWorkflows, std::move(body))));
}

std::vector<Workflow> WorkflowsResource::list(const ListWorkflowsParams& params) {
  ApiCall call = ApiCall::get(kWorkflows);
  detail::addQuery(call, "status", params.status);
  detail::addQuery(call, "limit", params.limit);
  detail::addQuery(call, "offset", params.offset);
  return detail::readArray<Workflow>(api_.call(std::move(call)), "workflows");
}

Workflow WorkflowsResource::get(const std::string& id) {
  return Workflow::fromJson(api_.call(ApiCall::get(detail::resourcePath(kWorkflows, id))));
}

Workflow WorkflowsResource::cancel(const std::string& id) {
  return Workflow::fromJson(api_.call(ApiCall::post(detail::resourcePath(kWorkflows, id, "cancel"), std::nullopt)));
}

Workflow WorkflowsResource::retry(const std::string& id) {
  return Workflow::fromJson(api_.call(ApiCall::post(detail::resourcePath(kWorkflows, id, "retry"), std::nullopt)));
}

std::vector<WorkflowJob> WorkflowsResource::jobs(const std::string& workflowId) {
  return detail::readArray<WorkflowJob>(api_.call(ApiCall::get(detail::resourcePath(kWorkflows, workflowId, "jobs"))),
                                        "workflow jobs");
}

WorkflowJob WorkflowsResource::job(const std::string& workflowId, const std::string& jobId) {
  const std::string path = detail::resourcePath(kWorkflows, workflowId, "jobs") + "/" + detail::pathSegment(jobId);
  return WorkflowJob::fromJson(api_.call(ApiCall::get(path)));
}

std::vector<WorkflowJobStatus> WorkflowsResource::jobsStatus(const std::string& workflowId) {
  return detail::readArray<WorkflowJobStatus>(
      api_.call(ApiCall::get(detail::resourcePath(kWorkflows, workflowId, "jobs/status"))), "workflow job statuses");
}

JobDependencies WorkflowsResource::dependencies(const std::string& jobId) {
  return JobDependencies::fromJson(
      api_.call(ApiCall::get(detail::resourcePath("/api/v1/jobs", jobId, "dependencies"))));
}

}  // namespace spooled
