// JobEngine's workflow operations: create a workflow (its jobs and dependency edges in one
// transaction), cancel it, retry it. The per-job rules stay in job_transitions and job_dependencies.
#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "common/error_code.hpp"
#include "common/ids.hpp"
#include "server/core/job_engine.hpp"
#include "server/core/job_transitions.hpp"
#include "server/core/workflow_graph.hpp"

namespace spooled::server {
namespace {

WorkflowRecord loadWorkflow(StoreTx& tx, const std::string& orgId, const std::string& workflowId) {
  auto workflow = tx.findWorkflow(orgId, workflowId);
  if (!workflow) throw ApiError(ErrorCode::NotFound, "workflow " + workflowId + " not found");
  return std::move(*workflow);
}

// Parents counted once each, whatever the request repeated.
std::vector<std::string> distinctParents(const std::vector<std::string>& keys) {
  std::vector<std::string> out;
  for (const auto& key : keys)
    if (std::find(out.begin(), out.end(), key) == out.end()) out.push_back(key);
  return out;
}

}  // namespace

Task<CreateWorkflowOutcome> JobEngine::createWorkflow(const std::string& orgId, const CreateWorkflowInput& input) {
  validateWorkflowGraph(input.jobs);
  const TimePoint now = now_();
  CreateWorkflowOutcome outcome;
  outcome.workflow.id = newTimeOrderedUuid();
  outcome.workflow.orgId = orgId;
  outcome.workflow.name = input.name;
  outcome.workflow.description = input.description;
  outcome.workflow.metadata = input.metadata;
  outcome.workflow.totalJobs = static_cast<int>(input.jobs.size());
  outcome.workflow.createdAt = now;
  outcome.workflow.updatedAt = now;
  std::vector<std::vector<std::string>> parents;
  for (const WorkflowJobInput& job : input.jobs) parents.push_back(distinctParents(job.dependsOn));

  std::vector<JobRecord> created;
  co_await store_.write([&](StoreTx& tx) {
    created.clear();
    outcome.jobIds.clear();
    tx.insertWorkflow(outcome.workflow);
    std::unordered_map<std::string, std::string> idOf;
    for (std::size_t i = 0; i < input.jobs.size(); ++i) {
      CreateJobInput job = input.jobs[i].job;
      job.idempotencyKey.reset();  // a workflow's jobs are new every time
      job.workflowId = outcome.workflow.id;
      job.workflowKey = input.jobs[i].key;
      job.dependenciesPending = static_cast<int>(parents[i].size());
      if (!parents[i].empty()) job.dependencyMode = input.jobs[i].dependencyMode;
      const std::string id = insertJobUnlessKnown(tx, orgId, job, now, limits_, created).id;
      idOf.emplace(input.jobs[i].key, id);
      outcome.jobIds.emplace_back(input.jobs[i].key, id);
    }
    for (std::size_t i = 0; i < input.jobs.size(); ++i)
      for (const std::string& parent : parents[i])
        tx.insertJobDependency(JobDependencyRecord{idOf.at(input.jobs[i].key), orgId, idOf.at(parent),
                                                   input.jobs[i].dependencyMode, now});
    for (const JobRecord& job : created) recordInTx(tx, JobEvent::Kind::Created, job, job.status);
  });
  announceCreated(created);
  co_return outcome;
}

Task<WorkflowRecord> JobEngine::cancelWorkflow(const std::string& orgId, const std::string& workflowId) {
  const TimePoint now = now_();
  std::vector<std::pair<JobRecord, JobStatus>> cancelled;
  WorkflowRecord result = co_await store_.write([&](StoreTx& tx) {
    cancelled.clear();
    // Jobs before the workflow row: the order in which completions lock them (PostgreSQL).
    auto jobs = tx.listWorkflowJobs(orgId, workflowId);
    WorkflowRecord workflow = loadWorkflow(tx, orgId, workflowId);
    if (workflow.status == "completed" || workflow.status == "failed" || workflow.status == "cancelled")
      throw ApiError(ErrorCode::Conflict, "workflow " + workflowId + " is already " + workflow.status,
                     json{{"status", workflow.status}});
    // Every unfinished job goes, so no dependent is left waiting and nothing needs releasing.
    for (JobRecord& job : jobs) {
      const JobStatus before = job.status;
      if (isFinal(before)) continue;
      applyCancel(job, now);
      tx.updateJob(job);
      recordInTx(tx, JobEvent::Kind::Cancelled, job, before);
      ++workflow.cancelledJobs;
      cancelled.emplace_back(job, before);
    }
    workflow.status = "cancelled";
    workflow.completedAt = now;
    workflow.updatedAt = now;
    tx.updateWorkflow(workflow);
    return workflow;
  });
  for (const auto& [job, before] : cancelled) emit(JobEvent::Kind::Cancelled, job, before);
  co_return result;
}

Task<WorkflowRecord> JobEngine::retryWorkflow(const std::string& orgId, const std::string& workflowId) {
  const TimePoint now = now_();
  std::vector<JobRecord> restarted;
  WorkflowRecord result = co_await store_.write([&](StoreTx& tx) {
    restarted.clear();
    auto jobs = tx.listWorkflowJobs(orgId, workflowId);
    WorkflowRecord workflow = loadWorkflow(tx, orgId, workflowId);
    if (workflow.status != "failed")
      throw ApiError(ErrorCode::Conflict,
                     "workflow " + workflowId + " is " + workflow.status + "; only failed workflows can be retried",
                     json{{"status", workflow.status}});
    std::unordered_map<std::string, JobStatus> statusOf;
    std::unordered_set<std::string> restartedIds;
    for (JobRecord& job : jobs) {
      if (applyWorkflowRestart(job, now)) restartedIds.insert(job.id);
      statusOf[job.id] = job.status;
    }
    // Count each unfinished job's parents again, now that failures are pending once more.
    for (JobRecord& job : jobs) {
      if (isFinal(job.status) || job.status == JobStatus::Processing) continue;
      int pending = 0;
      bool anyCompleted = false;
      const auto edges = tx.listDependencies(orgId, job.id);
      for (const JobDependencyRecord& edge : edges) {
        const auto parent = statusOf.find(edge.dependsOnJobId);
        const bool completed = parent != statusOf.end() && parent->second == JobStatus::Completed;
        anyCompleted = anyCompleted || completed;
        if (!completed) ++pending;
      }
      job.dependenciesPending = pending;
      job.dependenciesMet = edges.empty() || (job.dependencyMode == kDependencyAny ? anyCompleted : pending == 0);
      tx.updateJob(job);
      if (restartedIds.contains(job.id)) restarted.push_back(job);
    }
    workflow.failedJobs = 0;
    workflow.cancelledJobs = 0;
    workflow.status = "running";
    workflow.completedAt.reset();
    workflow.updatedAt = now;
    tx.updateWorkflow(workflow);
    return workflow;
  });
  notifyReady(restarted);
  for (const JobRecord& job : restarted) emit(JobEvent::Kind::Retried, job, JobStatus::Failed);
  co_return result;
}

}  // namespace spooled::server
