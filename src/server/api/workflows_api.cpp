// /api/v1/workflows (create, list, get, cancel, retry, the workflow's jobs) and
// GET /api/v1/jobs/{id}/dependencies. Parses and validates; the graph check and every state change are
// in core (JobEngine::createWorkflow..., core/workflow_graph, core/job_dependencies).
#include <algorithm>
#include <cctype>

#include "common/error_code.hpp"
#include "server/api/api_services.hpp"
#include "server/api/workflow_json.hpp"

namespace spooled::server {

namespace {

// The official backend allows 100 jobs per workflow; ours allows more (docs/api.md), bounded so one
// request's transaction stays short, and by the 1.5 MiB body limit in any case.
constexpr std::size_t kMaxWorkflowJobs = 5000;
constexpr std::size_t kMaxWorkflowEdges = 50000;

bool isKeyChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_'; }
bool isNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == ' ' || c == '-' || c == '_' || c == '.' || c == '(' ||
         c == ')';
}

std::vector<std::string> readDependsOn(const json& job, const std::string& field) {
  std::vector<std::string> keys;
  const auto it = job.find("depends_on");
  if (it == job.end() || it->is_null()) return keys;
  if (!it->is_array()) throwValidation(field, field + " must be an array of job keys");
  for (const json& key : *it) {
    if (!key.is_string()) throwValidation(field, field + " must be an array of job keys");
    keys.push_back(key.get<std::string>());
  }
  return keys;
}

WorkflowJobInput readWorkflowJob(const json& job, std::size_t index) {
  const std::string where = "jobs[" + std::to_string(index) + "]";
  if (!job.is_object()) throwValidation(where, where + " must be an object");
  const FieldReader f(job);
  WorkflowJobInput in;
  in.key = f.requiredString("key", 1, 100);
  if (!std::all_of(in.key.begin(), in.key.end(), isKeyChar))
    throwValidation(where + ".key", "job key '" + in.key + "' may only contain letters, digits, '-' and '_'");
  in.job.queueName = readQueueName(f, "queue_name");
  in.job.payload = f.requiredFreeForm("payload", kMaxPayloadBytes);
  in.job.priority = f.intOr("priority", -100, 100, 0);
  in.job.maxRetries = f.intOr("max_retries", 0, 100, 3);
  in.job.timeoutSeconds = f.intOr("timeout_seconds", 1, 86400, 300);
  in.dependsOn = readDependsOn(job, where + ".depends_on");
  in.dependencyMode = f.optionalString("dependency_mode", 1, 10).value_or("all");
  if (in.dependencyMode != "all" && in.dependencyMode != "any")
    throwValidation(where + ".dependency_mode", "dependency_mode must be 'all' or 'any'");
  return in;
}

Task<HttpResponse> createWorkflow(ApiServices& s, const HttpRequest& req) {
  const BodyCall call(req);
  const FieldReader& f = call.fields;
  CreateWorkflowInput in;
  in.name = f.requiredString("name", 1, 255);
  if (!std::all_of(in.name.begin(), in.name.end(), isNameChar))
    throwValidation("name", "name may only contain letters, digits, spaces and - _ . ( )");
  in.description = f.optionalString("description", 0, 1000);
  in.metadata = f.optionalFreeForm("metadata", kMaxMetadataBytes);
  const auto jobs = call.body.find("jobs");
  if (jobs == call.body.end() || !jobs->is_array() || jobs->empty() || jobs->size() > kMaxWorkflowJobs)
    throwValidation("jobs", "jobs must be an array of 1 to " + std::to_string(kMaxWorkflowJobs) + " jobs");
  std::size_t edges = 0;
  for (std::size_t i = 0; i < jobs->size(); ++i) {
    in.jobs.push_back(readWorkflowJob((*jobs)[i], i));
    edges += in.jobs.back().dependsOn.size();
  }
  if (edges > kMaxWorkflowEdges)
    throwValidation("jobs", "a workflow may have at most " + std::to_string(kMaxWorkflowEdges) + " dependencies");
  const CreateWorkflowOutcome outcome = co_await s.jobs.createWorkflow(call.auth.orgId, in);
  json ids = json::array();
  for (const auto& [key, id] : outcome.jobIds) ids.push_back({{"key", key}, {"job_id", id}});
  co_return HttpResponse::json(
      200, json{{"workflow_id", outcome.workflow.id}, {"job_ids", ids}, {"status", outcome.workflow.status}});
}

HttpResponse listWorkflows(ApiServices& s, const HttpRequest& req) {
  const AuthContext& auth = req.authContext();
  auto status = req.queryParam("status");
  if (status && *status != "pending" && *status != "running" && *status != "completed" && *status != "failed" &&
      *status != "cancelled")
    throwValidation("status", "status must be one of pending, running, completed, failed, cancelled");
  // As the official backend: limit defaults to 50 and is capped at 100.
  const int limit = std::clamp(queryInt(req.queryParam("limit"), "limit", 1, 1000000, 50), 1, 100);
  const int offset = queryInt(req.queryParam("offset"), "offset", 0, 1000000000, 0);
  const auto workflows =
      s.store.readResult([&](StoreReader& r) { return r.listWorkflows(auth.orgId, status, limit, offset); });
  json out = json::array();
  for (const WorkflowRecord& w : workflows) out.push_back(workflowToJson(w));
  return HttpResponse::json(200, out);
}

WorkflowRecord requireWorkflow(StoreReader& r, const std::string& orgId, const std::string& id) {
  auto workflow = r.findWorkflow(orgId, id);
  if (!workflow) throw ApiError(ErrorCode::NotFound, "Workflow " + id + " not found");
  return std::move(*workflow);
}

HttpResponse getWorkflow(ApiServices& s, const HttpRequest& req) {
  const std::string id = pathUuid(req, "Workflow");
  const std::string& orgId = req.authContext().orgId;
  return HttpResponse::json(200, workflowToJson(s.store.readResult([&](StoreReader& r) {
    return requireWorkflow(r, orgId, id);
  })));
}

Task<HttpResponse> cancelWorkflow(ApiServices& s, const HttpRequest& req) {
  const std::string id = pathUuid(req, "Workflow");
  const WorkflowRecord workflow = co_await s.jobs.cancelWorkflow(req.authContext().orgId, id);
  co_return HttpResponse::json(200, workflowToJson(workflow));
}

Task<HttpResponse> retryWorkflow(ApiServices& s, const HttpRequest& req) {
  const std::string id = pathUuid(req, "Workflow");
  const WorkflowRecord workflow = co_await s.jobs.retryWorkflow(req.authContext().orgId, id);
  co_return HttpResponse::json(200, workflowToJson(workflow));
}

HttpResponse listWorkflowJobs(ApiServices& s, const HttpRequest& req) {
  const std::string id = pathUuid(req, "Workflow");
  const std::string& orgId = req.authContext().orgId;
  return HttpResponse::json(200, s.store.readResult([&](StoreReader& r) {
    requireWorkflow(r, orgId, id);
    json out = json::array();
    for (const JobRecord& job : r.listWorkflowJobs(orgId, id))
      out.push_back(workflowJobToJson(job, r.listDependencies(orgId, job.id)));
    return out;
  }));
}

HttpResponse workflowJobsStatus(ApiServices& s, const HttpRequest& req) {
  const std::string id = pathUuid(req, "Workflow");
  const std::string& orgId = req.authContext().orgId;
  return HttpResponse::json(200, s.store.readResult([&](StoreReader& r) {
    requireWorkflow(r, orgId, id);
    json out = json::array();
    for (const JobRecord& job : r.listWorkflowJobs(orgId, id)) out.push_back(workflowJobStatusToJson(job));
    return out;
  }));
}

HttpResponse getWorkflowJob(ApiServices& s, const HttpRequest& req) {
  const std::string id = pathUuid(req, "Workflow");
  const std::string& jobId = req.pathParam("job_id");
  const std::string& orgId = req.authContext().orgId;
  return HttpResponse::json(200, s.store.readResult([&](StoreReader& r) {
    requireWorkflow(r, orgId, id);
    const auto job = r.findJob(orgId, jobId);
    if (!job || job->workflowId != id) throw ApiError(ErrorCode::NotFound, "Job " + jobId + " not found in workflow");
    return workflowJobToJson(*job, r.listDependencies(orgId, jobId));
  }));
}

HttpResponse getJobDependencies(ApiServices& s, const HttpRequest& req) {
  const std::string id = pathUuid(req, "Job");
  const std::string& orgId = req.authContext().orgId;
  return HttpResponse::json(200, s.store.readResult([&](StoreReader& r) {
    const auto job = r.findJob(orgId, id);
    if (!job) throw ApiError(ErrorCode::NotFound, "Job " + id + " not found");
    json dependencies = json::array();
    for (const JobDependencyRecord& edge : r.listDependencies(orgId, id))
      if (auto parent = r.findJob(orgId, edge.dependsOnJobId))
        dependencies.push_back(dependencyInfoToJson(*parent, edge.dependencyType));
    json dependents = json::array();
    for (const JobDependencyRecord& edge : r.listDependents(orgId, id))
      if (auto child = r.findJob(orgId, edge.jobId)) dependents.push_back(dependencyInfoToJson(*child, edge.dependencyType));
    return json{{"job_id", job->id},
                {"status", std::string(toString(job->status))},
                {"dependency_mode", job->dependencyMode ? json(*job->dependencyMode) : json(nullptr)},
                {"dependencies_met", job->dependenciesMet},
                {"dependencies", dependencies},
                {"dependents", dependents}};
  }));
}

}  // namespace

void addWorkflowRoutes(Router& router, ApiServices& s) {
  const auto bind = [&s](auto fn) { return withServices(s, fn); };
  // A workflow spans queues, so a key limited to some queues may not use these (docs/api.md).
  router.add("POST", "/api/v1/workflows", Access::ApiKey, bind(createWorkflow));
  router.add("GET", "/api/v1/workflows", Access::ApiKey, bind(listWorkflows));
  router.add("GET", "/api/v1/workflows/{id}", Access::ApiKey, bind(getWorkflow));
  router.add("POST", "/api/v1/workflows/{id}/cancel", Access::ApiKey, bind(cancelWorkflow));
  router.add("POST", "/api/v1/workflows/{id}/retry", Access::ApiKey, bind(retryWorkflow));
  router.add("GET", "/api/v1/workflows/{id}/jobs", Access::ApiKey, bind(listWorkflowJobs));
  router.add("GET", "/api/v1/workflows/{id}/jobs/status", Access::ApiKey, bind(workflowJobsStatus));
  router.add("GET", "/api/v1/workflows/{id}/jobs/{job_id}", Access::ApiKey, bind(getWorkflowJob));
  router.add("GET", "/api/v1/jobs/{id}/dependencies", Access::ApiKey, bind(getJobDependencies));
}

}  // namespace spooled::server
