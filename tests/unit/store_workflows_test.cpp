// Store conformance for workflows and job dependencies, on every backend (SQLite and PostgreSQL): the
// records round-trip, waiting jobs stay out of the claim, edges are found from both ends and leave
// with their jobs.
#include <gtest/gtest.h>

#include "common/ids.hpp"
#include "server/store/store.hpp"
#include "store_fixtures.hpp"

namespace spooled::server {
namespace {

using namespace store_fixtures;

WorkflowRecord fullWorkflow(const std::string& orgId, int createdSec) {
  WorkflowRecord w;
  w.id = newTimeOrderedUuid();
  w.orgId = orgId;
  w.name = "pipeline " + std::to_string(createdSec);
  w.description = "three steps";
  w.status = "running";
  w.totalJobs = 3;
  w.completedJobs = 1;
  w.failedJobs = 1;
  w.cancelledJobs = 1;
  w.createdAt = at(createdSec);
  w.startedAt = at(createdSec + 1);
  w.completedAt = at(createdSec + 2);
  w.metadata = json{{"team", "data"}};
  w.updatedAt = at(createdSec + 2);
  return w;
}

json view(const WorkflowRecord& w) {
  return {{"id", w.id}, {"org", w.orgId}, {"name", w.name}, {"description", opt(w.description)},
          {"status", w.status}, {"total", w.totalJobs}, {"completed", w.completedJobs}, {"failed", w.failedJobs},
          {"cancelled", w.cancelledJobs}, {"created", toEpochMs(w.createdAt)}, {"started", opt(w.startedAt)},
          {"finished", opt(w.completedAt)}, {"metadata", opt(w.metadata)}, {"updated", toEpochMs(w.updatedAt)}};
}

class StoreWorkflows : public ::testing::TestWithParam<StoreBackend> {
 protected:
  void SetUp() override { store_ = GetParam().open(dir_.path()); }
  void TearDown() override { store_.reset(); }

  TempDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_P(StoreWorkflows, AWorkflowRoundTripsEveryFieldAndUpdates) {
  WorkflowRecord w = fullWorkflow("org-a", 10);
  store_->writeNow([&](StoreTx& tx) { tx.insertWorkflow(w); });
  auto read = store_->readResult([&](StoreReader& r) { return r.findWorkflow("org-a", w.id); });
  ASSERT_TRUE(read);
  EXPECT_EQ(view(*read), view(w));
  EXPECT_FALSE(store_->readResult([&](StoreReader& r) { return r.findWorkflow("org-b", w.id); }));

  w.status = "completed";
  w.completedJobs = 3;
  w.metadata.reset();
  store_->writeNow([&](StoreTx& tx) { tx.updateWorkflow(w); });
  EXPECT_EQ(view(*store_->readResult([&](StoreReader& r) { return r.findWorkflow("org-a", w.id); })), view(w));
}

TEST_P(StoreWorkflows, ListsAreNewestFirstPerOrganizationAndStatus) {
  WorkflowRecord older = fullWorkflow("org-a", 1), newer = fullWorkflow("org-a", 2), other = fullWorkflow("org-b", 3);
  newer.status = "failed";
  store_->writeNow([&](StoreTx& tx) {
    tx.insertWorkflow(older);
    tx.insertWorkflow(newer);
    tx.insertWorkflow(other);
  });
  auto all = store_->readResult([&](StoreReader& r) { return r.listWorkflows("org-a", std::nullopt, 50, 0); });
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].id, newer.id);
  EXPECT_EQ(all[1].id, older.id);
  auto failed = store_->readResult([&](StoreReader& r) { return r.listWorkflows("org-a", std::string("failed"), 50, 0); });
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].id, newer.id);
  EXPECT_EQ(store_->readResult([&](StoreReader& r) { return r.listWorkflows("org-a", std::nullopt, 1, 1); }).at(0).id,
            older.id);
}

TEST_P(StoreWorkflows, AWaitingJobIsNotClaimableUntilItsDependenciesAreMet) {
  JobRecord parent = minimalJob("org-a", "q", 0, 1);
  JobRecord child = minimalJob("org-a", "q", 50, 2);  // higher priority: it would be first if claimable
  parent.workflowId = child.workflowId = "wf-1";
  parent.workflowKey = "p";
  child.workflowKey = "c";
  child.dependencyMode = "all";
  child.dependenciesMet = false;
  child.dependenciesPending = 1;
  store_->writeNow([&](StoreTx& tx) {
    tx.insertJob(parent);
    tx.insertJob(child);
    tx.insertJobDependency(JobDependencyRecord{child.id, "org-a", parent.id, "all", at(2)});
  });
  const auto read = store_->readResult([&](StoreReader& r) { return r.findJob("org-a", child.id); });
  ASSERT_TRUE(read);
  EXPECT_EQ(read->workflowId, "wf-1");
  EXPECT_EQ(read->workflowKey, "c");
  EXPECT_EQ(read->dependencyMode, "all");
  EXPECT_FALSE(read->dependenciesMet);
  EXPECT_EQ(read->dependenciesPending, 1);

  auto claimable = store_->writeNow([&](StoreTx& tx) { return tx.findClaimableJobs("org-a", "q", at(100), 10); });
  ASSERT_EQ(claimable.size(), 1u);
  EXPECT_EQ(claimable[0].id, parent.id);

  child.dependenciesMet = true;
  child.dependenciesPending = 0;
  store_->writeNow([&](StoreTx& tx) { tx.updateJob(child); });
  claimable = store_->writeNow([&](StoreTx& tx) { return tx.findClaimableJobs("org-a", "q", at(100), 10); });
  ASSERT_EQ(claimable.size(), 2u);
  EXPECT_EQ(claimable[0].id, child.id);

  const auto jobs = store_->readResult([&](StoreReader& r) { return r.listWorkflowJobs("org-a", "wf-1"); });
  ASSERT_EQ(jobs.size(), 2u);
  EXPECT_EQ(jobs[0].id, parent.id);  // creation order
  EXPECT_TRUE(store_->readResult([&](StoreReader& r) { return r.listWorkflowJobs("org-b", "wf-1"); }).empty());
}

TEST_P(StoreWorkflows, EdgesAreFoundFromBothEndsAndLeaveWithTheirJobs) {
  JobRecord a = minimalJob("org-a", "q", 0, 1), b = minimalJob("org-a", "q", 0, 2), c = minimalJob("org-a", "q", 0, 3);
  store_->writeNow([&](StoreTx& tx) {
    for (const JobRecord* j : {&a, &b, &c}) tx.insertJob(*j);
    tx.insertJobDependency(JobDependencyRecord{c.id, "org-a", a.id, "any", at(3)});
    tx.insertJobDependency(JobDependencyRecord{c.id, "org-a", b.id, "any", at(3)});
  });
  const auto parents = store_->readResult([&](StoreReader& r) { return r.listDependencies("org-a", c.id); });
  ASSERT_EQ(parents.size(), 2u);
  EXPECT_EQ(parents[0].dependencyType, "any");
  const auto dependents = store_->readResult([&](StoreReader& r) { return r.listDependents("org-a", a.id); });
  ASSERT_EQ(dependents.size(), 1u);
  EXPECT_EQ(dependents[0].jobId, c.id);
  EXPECT_TRUE(store_->readResult([&](StoreReader& r) { return r.listDependents("org-b", a.id); }).empty());

  store_->writeNow([&](StoreTx& tx) { tx.deleteJob("org-a", a.id); });
  EXPECT_EQ(store_->readResult([&](StoreReader& r) { return r.listDependencies("org-a", c.id); }).size(), 1u);
  store_->writeNow([&](StoreTx& tx) { tx.deleteOrganization("org-a"); });
  EXPECT_TRUE(store_->readResult([&](StoreReader& r) { return r.listDependents("org-a", b.id); }).empty());
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreWorkflows, ::testing::ValuesIn(storeBackends()), backendTestName);

}  // namespace
}  // namespace spooled::server
