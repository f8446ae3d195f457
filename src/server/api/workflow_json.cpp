#include "server/api/workflow_json.hpp"

#include "server/api/job_json.hpp"

namespace spooled::server {

namespace {

template <typename T>
json optionalJson(const std::optional<T>& value) {
  return value ? json(*value) : json(nullptr);
}

}  // namespace

json workflowToJson(const WorkflowRecord& w) {
  const double progress = w.totalJobs == 0 ? 0.0 : 100.0 * w.completedJobs / w.totalJobs;
  return json{
      {"id", w.id},
      {"name", w.name},
      {"description", optionalJson(w.description)},
      {"status", w.status},
      {"total_jobs", w.totalJobs},
      {"completed_jobs", w.completedJobs},
      {"failed_jobs", w.failedJobs},
      {"progress_percent", progress},
      {"created_at", formatIso8601(w.createdAt)},
      {"started_at", optionalTimeJson(w.startedAt)},
      {"completed_at", optionalTimeJson(w.completedAt)},
      {"metadata", optionalJson(w.metadata)},
      // Extension: jobs cancelled (by a cancel, or because a parent failed).
      {"cancelled_jobs", w.cancelledJobs},
  };
}

json workflowJobToJson(const JobRecord& job, const std::vector<JobDependencyRecord>& dependsOn) {
  json parents = json::array();
  for (const JobDependencyRecord& edge : dependsOn) parents.push_back(edge.dependsOnJobId);
  return json{
      {"id", job.id},
      {"workflow_id", optionalJson(job.workflowId)},
      {"key", optionalJson(job.workflowKey)},
      {"queue_name", job.queueName},
      {"status", std::string(toString(job.status))},
      {"payload", job.payload},
      {"result", optionalJson(job.result)},
      {"error", optionalJson(job.lastError)},
      {"depends_on", parents},
      {"dependency_mode", optionalJson(job.dependencyMode)},
      {"dependencies_met", job.dependenciesMet},
      {"priority", job.priority},
      {"max_retries", job.maxRetries},
      {"attempt", job.retryCount},
      {"timeout_seconds", job.timeoutSeconds},
      {"created_at", formatIso8601(job.createdAt)},
      {"started_at", optionalTimeJson(job.startedAt)},
      {"completed_at", optionalTimeJson(job.completedAt)},
  };
}

json workflowJobStatusToJson(const JobRecord& job) {
  json progress = job.progress ? json(*job.progress) : json(job.status == JobStatus::Completed ? 100 : 0);
  return json{{"job_id", job.id},
              {"key", optionalJson(job.workflowKey)},
              {"status", std::string(toString(job.status))},
              {"dependencies_met", job.dependenciesMet},
              {"progress", progress}};
}

json dependencyInfoToJson(const JobRecord& job, const std::string& dependencyType) {
  return json{{"job_id", job.id},
              {"queue_name", job.queueName},
              {"status", std::string(toString(job.status))},
              {"dependency_type", dependencyType}};
}

}  // namespace spooled::server
