// Store conformance for the job-set methods a claim and a batch of acknowledgements use, on every
// backend: findJobs reads only the organization's jobs whatever the ids hold, and updateJobs writes
// each job as updateJob would, also when the jobs changed different columns and their text holds
// the characters an array parameter must escape.
#include <gtest/gtest.h>

#include <algorithm>

#include "server/store/store.hpp"
#include "store_fixtures.hpp"

namespace spooled::server {
namespace {

using namespace store_fixtures;

class StoreJobSets : public ::testing::TestWithParam<StoreBackend> {
 protected:
  void SetUp() override { store_ = GetParam().open(dir_.path()); }
  void TearDown() override { store_.reset(); }

  std::optional<JobRecord> read(const std::string& orgId, const std::string& id) {
    return store_->readResult([&](StoreReader& r) { return r.findJob(orgId, id); });
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_P(StoreJobSets, FindJobsReadsOnlyTheOrganizationsJobsAndSkipsUnknownIds) {
  const JobRecord a1 = fullJob("org-a", "q"), a2 = minimalJob("org-a", "q"), b1 = fullJob("org-b", "q");
  store_->writeNow([&](StoreTx& tx) {
    for (const JobRecord* job : {&a1, &a2, &b1}) tx.insertJob(*job);
  });
  std::vector<JobRecord> found;
  store_->writeNow([&](StoreTx& tx) {
    // Another organization's id, an unknown one, one twice, and ids an array literal must escape.
    found = tx.findJobs("org-a", {a2.id, b1.id, "no-such-job", a1.id, a2.id, "x\",\"" + b1.id, "back\\slash", ""});
  });
  std::vector<std::string> ids;
  for (const JobRecord& job : found) ids.push_back(job.id);
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  std::vector<std::string> expected{a1.id, a2.id};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(ids, expected);
  for (const JobRecord& job : found) EXPECT_EQ(view(job), view(job.id == a1.id ? a1 : a2));
  store_->writeNow([&](StoreTx& tx) { EXPECT_TRUE(tx.findJobs("org-a", {}).empty()); });
}

TEST_P(StoreJobSets, UpdateJobsWritesEachJobsChangesInOneCall) {
  std::vector<JobRecord> jobs;
  for (int i = 0; i < 5; ++i) jobs.push_back(minimalJob("org-a", "q", 0, i));
  jobs.push_back(fullJob("org-a", "q"));
  store_->writeNow([&](StoreTx& tx) {
    for (const JobRecord& job : jobs) tx.insertJob(job);
  });
  store_->writeNow([&](StoreTx& tx) {
    std::vector<std::string> ids;
    for (const JobRecord& job : jobs) ids.push_back(job.id);
    std::vector<JobRecord> rows = tx.findJobs("org-a", ids);
    ASSERT_EQ(rows.size(), jobs.size());
    for (JobRecord& row : rows) {
      auto original = std::find_if(jobs.begin(), jobs.end(), [&](const JobRecord& j) { return j.id == row.id; });
      // Three kinds of change in one call: claimed, completed with a result, failed with an error.
      const auto n = original - jobs.begin();
      if (n % 3 == 0) {
        row.status = JobStatus::Processing;
        row.leaseId = "lease-" + std::to_string(n);
        row.leaseExpiresAt = at(100);
        row.assignedWorkerId = "worker \"one\"";
      } else if (n % 3 == 1) {
        row.status = JobStatus::Completed;
        row.completedAt = at(200);
        row.result = json{{"quote", "say \"hi\""}, {"slash", "a\\b"}, {"braces", "{x,y}"}, {"text", "NULL"}};
        row.leaseId.reset();
      } else {
        row.status = JobStatus::Pending;
        row.retryCount = 2;
        row.lastError = "line one\nline two, with a comma and ünïcode";
        row.scheduledAt = at(300);
      }
      row.updatedAt = at(50 + static_cast<int>(n));
      *original = row;
    }
    tx.updateJobs(rows);
  });
  for (const JobRecord& job : jobs) EXPECT_EQ(view(read("org-a", job.id)), view(job));
}

TEST_P(StoreJobSets, UpdateJobsNeverWritesAnotherOrganizationsRow) {
  const JobRecord theirs = minimalJob("org-b", "q");
  const JobRecord mine = minimalJob("org-a", "q");
  store_->writeNow([&](StoreTx& tx) {
    tx.insertJob(theirs);
    tx.insertJob(mine);
  });
  JobRecord forged = theirs;
  forged.orgId = "org-a";  // the right id under the wrong organization
  forged.status = JobStatus::Cancelled;
  JobRecord changed = mine;
  changed.status = JobStatus::Cancelled;
  EXPECT_ANY_THROW(store_->writeNow([&](StoreTx& tx) { tx.updateJobs({changed, forged}); }));
  EXPECT_EQ(read("org-b", theirs.id)->status, JobStatus::Pending);
  EXPECT_EQ(read("org-a", mine.id)->status, JobStatus::Pending);  // the failed transaction wrote nothing
}

TEST_P(StoreJobSets, InsertJobsStoresEveryFieldAndKeepsTheJobsInClaimOrder) {
  std::vector<JobRecord> jobs;
  for (int i = 0; i < 6; ++i) {
    JobRecord job = i % 2 == 0 ? fullJob("org-a", "bulk") : minimalJob("org-a", "bulk");
    job.idempotencyKey.reset();
    job.status = JobStatus::Pending;
    job.scheduledAt.reset();
    job.expiresAt.reset();
    job.priority = 0;
    job.createdAt = job.updatedAt = at(1);  // one request's jobs share their creation time
    job.payload = json{{"i", i}, {"text", "quote \" slash \\ {braces,} NULL"}};
    jobs.push_back(job);
  }
  store_->writeNow([&](StoreTx& tx) { tx.insertJobs(jobs); });
  for (const JobRecord& job : jobs) EXPECT_EQ(view(read("org-a", job.id)), view(job));
  std::vector<JobRecord> claimable;
  store_->writeNow([&](StoreTx& tx) { claimable = tx.findClaimableJobs("org-a", "bulk", at(10), 10); });
  ASSERT_EQ(claimable.size(), jobs.size());
  for (std::size_t i = 0; i < jobs.size(); ++i) EXPECT_EQ(claimable[i].id, jobs[i].id) << "position " << i;
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreJobSets, ::testing::ValuesIn(storeBackends()), backendTestName);

}  // namespace
}  // namespace spooled::server
