#include "server/core/job_dependencies.hpp"

#include <algorithm>
#include <deque>

#include "server/core/job_transitions.hpp"

namespace spooled::server {
namespace {

bool isTerminalWorkflow(const std::string& status) {
  return status == "completed" || status == "failed" || status == "cancelled";
}

void recordOutcome(StoreTx& tx, const JobRecord& job, TimePoint now) {
  auto workflow = tx.findWorkflow(job.orgId, *job.workflowId);
  if (!workflow) return;  // deleted meanwhile: the job stands alone
  applyWorkflowProgress(*workflow, job.status, now);
  tx.updateWorkflow(*workflow);
}

}  // namespace

void applyWorkflowProgress(WorkflowRecord& workflow, JobStatus finished, TimePoint now) {
  if (finished == JobStatus::Completed) {
    ++workflow.completedJobs;
  } else if (finished == JobStatus::Cancelled) {
    ++workflow.cancelledJobs;
  } else {
    ++workflow.failedJobs;
  }
  workflow.updatedAt = now;
  if (isTerminalWorkflow(workflow.status)) return;  // a cancelled workflow stays cancelled
  if (!workflow.startedAt) workflow.startedAt = now;
  if (workflow.completedJobs + workflow.failedJobs + workflow.cancelledJobs < workflow.totalJobs) {
    workflow.status = "running";
    return;
  }
  // Every job has finished.
  workflow.status = workflow.failedJobs > 0                           ? "failed"
                    : workflow.completedJobs == workflow.totalJobs ? "completed"
                                                                    : "cancelled";
  workflow.completedAt = now;
}

void settleDependents(StoreTx& tx, const JobRecord& job, TimePoint now, DependencyEffects& effects) {
  if (!job.workflowId) return;  // only workflow jobs have dependents (plain jobs take no depends_on)
  // Breadth-first over parents that finished: a cancelled dependent is itself a parent that finished.
  std::deque<JobRecord> finished{job};
  while (!finished.empty()) {
    const JobRecord parent = std::move(finished.front());
    finished.pop_front();
    if (parent.workflowId) recordOutcome(tx, parent, now);
    const bool succeeded = parent.status == JobStatus::Completed;
    for (const JobDependencyRecord& edge : tx.listDependents(parent.orgId, parent.id)) {
      auto child = tx.findJob(parent.orgId, edge.jobId);
      if (!child || child->dependenciesMet || isFinal(child->status)) continue;
      const bool any = child->dependencyMode == kDependencyAny;
      child->dependenciesPending = std::max(0, child->dependenciesPending - 1);
      child->updatedAt = now;
      if (succeeded && (any || child->dependenciesPending == 0)) {
        child->dependenciesMet = true;
        tx.updateJob(*child);
        effects.ready.push_back(*child);
      } else if (!succeeded && (!any || child->dependenciesPending == 0)) {
        const JobStatus before = child->status;
        applyDependencyCancel(*child,
                              "dependency " + parent.id + " ended " + std::string(toString(parent.status)), now);
        tx.updateJob(*child);
        effects.cancelled.emplace_back(*child, before);
        finished.push_back(std::move(*child));
      } else {
        tx.updateJob(*child);
      }
    }
  }
}

void noteWorkflowJobRetried(StoreTx& tx, const JobRecord& job, JobStatus before, TimePoint now) {
  if (!job.workflowId) return;
  auto workflow = tx.findWorkflow(job.orgId, *job.workflowId);
  if (!workflow) return;
  if (before == JobStatus::Cancelled) {
    workflow->cancelledJobs = std::max(0, workflow->cancelledJobs - 1);
  } else {
    workflow->failedJobs = std::max(0, workflow->failedJobs - 1);
  }
  if (workflow->status == "failed" || workflow->status == "completed") {
    workflow->status = "running";
    workflow->completedAt.reset();
  }
  workflow->updatedAt = now;
  tx.updateWorkflow(*workflow);
}

void noteWorkflowStarted(StoreTx& tx, const JobRecord& job, TimePoint now) {
  if (!job.workflowId) return;
  auto workflow = tx.findWorkflow(job.orgId, *job.workflowId);
  if (!workflow || workflow->status != "pending") return;
  workflow->status = "running";
  workflow->startedAt = now;
  workflow->updatedAt = now;
  tx.updateWorkflow(*workflow);
}

}  // namespace spooled::server
