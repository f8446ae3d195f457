#pragma once
// Workflows: named jobs with dependencies between them (a DAG). A job runs once its parents have
// completed ("all", the default) or once any one has ("any"); when a parent is dead-lettered or
// cancelled, the jobs that can no longer run are cancelled. Field names mirror the wire's snake_case
// fields in camelCase; times are ISO-8601 strings.
#include <optional>
#include <string>
#include <vector>

#include "spooled/json.hpp"

namespace spooled {

namespace detail {
class ApiCaller;
}  // namespace detail

// One job of a new workflow. `key` names it within the workflow; dependsOn lists other keys.
struct WorkflowJobDefinition {
  std::string key{};
  std::string queueName{};
  json payload = json::object();
  std::vector<std::string> dependsOn{};
  std::optional<std::string> dependencyMode{};  // "all" (default) or "any"
  std::optional<int> priority{};
  std::optional<int> maxRetries{};
  std::optional<int> timeoutSeconds{};
};

struct CreateWorkflowParams {
  std::string name{};
  std::optional<std::string> description{};
  std::vector<WorkflowJobDefinition> jobs{};
  std::optional<json> metadata{};
};

struct WorkflowJobMapping {
  std::string key{};
  std::string jobId{};
};

struct CreateWorkflowResult {
  std::string workflowId{};
  std::vector<WorkflowJobMapping> jobIds{};  // in the order the jobs were given
  std::string status{};

  // The job id of `key`; throws std::out_of_range when the workflow has no such key.
  const std::string& jobId(const std::string& key) const;
  static CreateWorkflowResult fromJson(const json& body);
};

struct Workflow {
  std::string id{};
  std::string name{};
  std::optional<std::string> description{};
  std::string status{};  // pending, running, completed, failed, cancelled
  int totalJobs = 0;
  int completedJobs = 0;
  int failedJobs = 0;
  double progressPercent = 0;
  std::string createdAt{};
  std::optional<std::string> startedAt{};
  std::optional<std::string> completedAt{};
  std::optional<json> metadata{};

  static Workflow fromJson(const json& body);
};

struct ListWorkflowsParams {
  std::optional<std::string> status{};
  std::optional<int> limit{};   // default 50, at most 100
  std::optional<int> offset{};
};

// One job of a workflow (GET /workflows/{id}/jobs and /jobs/{job_id}).
struct WorkflowJob {
  std::string id{};
  std::string workflowId{};
  std::string key{};
  std::string queueName{};
  std::string status{};
  json payload = json::object();
  std::optional<json> result{};
  std::optional<std::string> error{};
  std::vector<std::string> dependsOn{};  // job ids
  bool dependenciesMet = true;
  int priority = 0;
  int maxRetries = 0;
  int attempt = 0;
  std::string createdAt{};
  std::optional<std::string> startedAt{};
  std::optional<std::string> completedAt{};

  static WorkflowJob fromJson(const json& body);
};

struct WorkflowJobStatus {
  std::string jobId{};
  std::string key{};
  std::string status{};
  int progress = 0;

  static WorkflowJobStatus fromJson(const json& body);
};

struct DependencyInfo {
  std::string jobId{};
  std::string queueName{};
  std::string status{};
  std::string dependencyType{};
};

// GET /api/v1/jobs/{id}/dependencies.
struct JobDependencies {
  std::string jobId{};
  std::string status{};
  bool dependenciesMet = true;
  std::vector<DependencyInfo> dependencies{};  // the jobs it waits for
  std::vector<DependencyInfo> dependents{};    // the jobs that wait for it

  static JobDependencies fromJson(const json& body);
};

// Obtained from SpooledClient::workflows(); lives as long as the client. Thread-safe. Every call throws a
// SpooledError subclass on failure (ValidationError naming a cycle or an unknown key on create,
// NotFoundError for an unknown id, ConflictError for a cancel or retry the workflow's status forbids).
class WorkflowsResource {
 public:
  WorkflowsResource(const WorkflowsResource&) = delete;
  WorkflowsResource& operator=(const WorkflowsResource&) = delete;

  CreateWorkflowResult create(const CreateWorkflowParams& params);
  std::vector<Workflow> list(const ListWorkflowsParams& params = {});
  Workflow get(const std::string& id);
  // Cancels every unfinished job of the workflow.
  Workflow cancel(const std::string& id);
  // A failed workflow: its failed and cancelled jobs run again, in dependency order.
  Workflow retry(const std::string& id);
  std::vector<WorkflowJob> jobs(const std::string& workflowId);
  WorkflowJob job(const std::string& workflowId, const std::string& jobId);
  std::vector<WorkflowJobStatus> jobsStatus(const std::string& workflowId);
  JobDependencies dependencies(const std::string& jobId);

 private:
  friend class SpooledClient;
  explicit WorkflowsResource(detail::ApiCaller& api) : api_(api) {}
  detail::ApiCaller& api_;
};

}  // namespace spooled
