#pragma once
// JSON shapes of workflows and job dependencies, as the official backend and Node SDK name them.
#include <vector>

#include "server/store/records.hpp"
#include "spooled/json.hpp"

namespace spooled::server {

// WorkflowResponse: counts, progress_percent, times, metadata.
json workflowToJson(const WorkflowRecord& workflow);
// WorkflowJob: one job of a workflow with its key and the ids of the jobs it depends on.
json workflowJobToJson(const JobRecord& job, const std::vector<JobDependencyRecord>& dependsOn);
// WorkflowJobStatus: job_id, key, status, progress.
json workflowJobStatusToJson(const JobRecord& job);
// One entry of JobWithDependencies.dependencies / .dependents.
json dependencyInfoToJson(const JobRecord& job, const std::string& dependencyType);

}  // namespace spooled::server
