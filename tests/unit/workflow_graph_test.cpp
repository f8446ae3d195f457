// The checks a new workflow's graph passes before anything is stored, and how a workflow's status
// follows its jobs (pure functions of core).
#include <gtest/gtest.h>

#include "common/error_code.hpp"
#include "server/core/job_dependencies.hpp"
#include "server/core/job_engine.hpp"
#include "server/core/workflow_graph.hpp"

namespace spooled::server {
namespace {

WorkflowJobInput node(const std::string& key, std::vector<std::string> dependsOn = {}) {
  WorkflowJobInput in;
  in.key = key;
  in.job.queueName = "q";
  in.dependsOn = std::move(dependsOn);
  return in;
}

ApiError refusal(const std::vector<WorkflowJobInput>& jobs) {
  try {
    validateWorkflowGraph(jobs);
  } catch (const ApiError& e) {
    return e;
  }
  ADD_FAILURE() << "the graph was accepted";
  return ApiError(ErrorCode::Internal, "accepted");
}

TEST(WorkflowGraph, ADiamondAndRepeatedParentsAreAccepted) {
  EXPECT_NO_THROW(validateWorkflowGraph({node("a"), node("b", {"a"}), node("c", {"a", "a"}), node("d", {"b", "c"})}));
}

TEST(WorkflowGraph, ACycleIsNamedAsAPathThatReturnsToItsStart) {
  const ApiError e = refusal({node("start"), node("x", {"start", "z"}), node("y", {"x"}), node("z", {"y"}),
                              node("after", {"z"})});
  EXPECT_EQ(e.code(), ErrorCode::Validation);
  EXPECT_NE(std::string(e.what()).find("circular dependency in workflow:"), std::string::npos) << e.what();
  const json cycle = e.details().at("cycle");
  ASSERT_EQ(cycle.size(), 4u) << cycle.dump();
  EXPECT_EQ(cycle.front(), cycle.back());
  for (const char* key : {"x", "y", "z"}) EXPECT_NE(std::string(e.what()).find(key), std::string::npos) << e.what();
  EXPECT_EQ(std::string(e.what()).find("start"), std::string::npos) << "not on the cycle: " << e.what();
}

TEST(WorkflowGraph, ASelfDependencyIsACycle) {
  EXPECT_NE(std::string(refusal({node("a", {"a"})}).what()).find("a -> a"), std::string::npos);
}

TEST(WorkflowGraph, EveryUnknownReferenceIsNamed) {
  const ApiError e = refusal({node("a", {"ghost"}), node("b", {"a", "phantom"})});
  EXPECT_NE(std::string(e.what()).find("job 'a' depends on unknown job 'ghost'"), std::string::npos) << e.what();
  EXPECT_NE(std::string(e.what()).find("job 'b' depends on unknown job 'phantom'"), std::string::npos) << e.what();
  EXPECT_EQ(e.details().at("unknown_dependencies").size(), 2u);
}

TEST(WorkflowGraph, ADuplicateKeyIsRefused) {
  EXPECT_NE(std::string(refusal({node("a"), node("a")}).what()).find("duplicate job key 'a'"), std::string::npos);
}

TEST(WorkflowGraph, ALongChainIsCheckedWithoutDeepRecursion) {
  std::vector<WorkflowJobInput> chain{node("n0")};
  for (int i = 1; i < 100000; ++i) chain.push_back(node("n" + std::to_string(i), {"n" + std::to_string(i - 1)}));
  EXPECT_NO_THROW(validateWorkflowGraph(chain));
}

TEST(WorkflowProgress, TheStatusFollowsItsJobs) {
  WorkflowRecord w;
  w.totalJobs = 3;
  applyWorkflowProgress(w, JobStatus::Completed, fromEpochMs(1000));
  EXPECT_EQ(w.status, "running");
  EXPECT_TRUE(w.startedAt.has_value());
  applyWorkflowProgress(w, JobStatus::Deadletter, fromEpochMs(2000));
  EXPECT_EQ(w.status, "running");
  applyWorkflowProgress(w, JobStatus::Cancelled, fromEpochMs(3000));
  EXPECT_EQ(w.status, "failed");
  EXPECT_EQ(w.completedJobs, 1);
  EXPECT_EQ(w.failedJobs, 1);
  EXPECT_EQ(w.cancelledJobs, 1);
  EXPECT_EQ(w.completedAt, fromEpochMs(3000));

  WorkflowRecord all;
  all.totalJobs = 1;
  applyWorkflowProgress(all, JobStatus::Completed, fromEpochMs(1000));
  EXPECT_EQ(all.status, "completed");

  WorkflowRecord cancelled;
  cancelled.totalJobs = 2;
  cancelled.status = "cancelled";
  applyWorkflowProgress(cancelled, JobStatus::Completed, fromEpochMs(1000));
  EXPECT_EQ(cancelled.status, "cancelled");  // a cancelled workflow stays cancelled
}

}  // namespace
}  // namespace spooled::server
