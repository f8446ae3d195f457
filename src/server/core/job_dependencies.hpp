#pragma once
// Jobs that wait for other jobs, and the workflows that group them. Everything here runs inside the
// write transaction that changed a job, so a dependent becomes claimable (or is cancelled) in the same
// commit that finishes its last parent, and a workflow's counts never lag behind its jobs.
//
// Each waiting job keeps the number of parents that have not finished (dependencies_pending):
//   parent completed:  pending - 1; mode "all": met when it reaches 0; mode "any": met at once.
//   parent dead-lettered, failed or cancelled: mode "all": the dependent can never run, so it is
//     cancelled (and, in turn, its own dependents); mode "any": pending - 1, cancelled only when no
//     parent is left that could still complete.
// A completion therefore costs O(its dependents), and a whole workflow O(jobs + edges).
#include <string>
#include <utility>
#include <vector>

#include "server/store/store.hpp"

namespace spooled::server {

// What settling jobs did to others, for JobEngine to announce once the commit is durable.
struct DependencyEffects {
  std::vector<JobRecord> ready;                               // now claimable: wake their queues
  std::vector<std::pair<JobRecord, JobStatus>> cancelled;     // cancelled dependents, with their old status
  void clear() {
    ready.clear();
    cancelled.clear();
  }
};

inline constexpr const char* kDependencyAll = "all";
inline constexpr const char* kDependencyAny = "any";

// `job` was just stored in a final state (completed, failed, deadletter, cancelled) in tx. Updates its
// workflow's counts and status, and releases or cancels the jobs that wait for it.
void settleDependents(StoreTx& tx, const JobRecord& job, TimePoint now, DependencyEffects& effects);

// A finished job of a workflow (`before`: its old status) was retried by hand: it no longer counts as
// failed or cancelled, and a finished workflow is running again. The dependents it cancelled stay
// cancelled (a workflow retry brings them back).
void noteWorkflowJobRetried(StoreTx& tx, const JobRecord& job, JobStatus before, TimePoint now);

// A job of a workflow was claimed: a pending workflow is now running.
void noteWorkflowStarted(StoreTx& tx, const JobRecord& job, TimePoint now);

// A workflow's counts after one of its jobs reached `finished` (pure; also used by tests).
void applyWorkflowProgress(WorkflowRecord& workflow, JobStatus finished, TimePoint now);

}  // namespace spooled::server
