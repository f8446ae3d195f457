// Retention of finished jobs (--retention-completed, --retention-deadletter) on both stores.
#include <gtest/gtest.h>

#include "server/core/job_retention.hpp"
#include "store_fixtures.hpp"

namespace spooled::server {
namespace {

using namespace store_fixtures;
using namespace std::chrono_literals;

class RetentionTest : public ::testing::TestWithParam<StoreBackend> {
 protected:
  void SetUp() override {
    store_ = GetParam().open(dir_.path());
    org_ = fullOrganization("acme");
    store_->writeNow([&](StoreTx& tx) { tx.insertOrganization(org_); });
  }
  // A job created at `createdSec` that reached `status` at `finishedSec` (nullopt: not finished).
  std::string put(JobStatus status, int createdSec, std::optional<int> finishedSec) {
    JobRecord job = minimalJob(org_.id, "q", 0, createdSec);
    job.status = status;
    if (finishedSec) job.completedAt = at(*finishedSec);
    store_->writeNow([&](StoreTx& tx) { tx.insertJob(job); });
    return job.id;
  }
  bool exists(const std::string& id) {
    return store_->readResult([&](StoreReader& r) { return r.findJob(org_.id, id).has_value(); });
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
  OrganizationRecord org_;
};

TEST_P(RetentionTest, DeletesOnlyJobsThatFinishedLongerAgoThanTheirStatusIsKept) {
  const std::string oldCompleted = put(JobStatus::Completed, 0, 10);
  const std::string oldCancelled = put(JobStatus::Cancelled, 5, 20);
  const std::string recentCompleted = put(JobStatus::Completed, 50, 95);  // finished 5 s before "now"
  const std::string oldDead = put(JobStatus::Deadletter, 0, 10);
  const std::string oldPending = put(JobStatus::Pending, 0, std::nullopt);
  const std::string oldFailedRetrying = put(JobStatus::Failed, 0, 10);

  RetentionPolicy completedOnly;
  completedOnly.completed = 60s;
  EXPECT_EQ(syncWait(purgeExpiredJobs(*store_, completedOnly, at(100))), 2);
  EXPECT_FALSE(exists(oldCompleted));
  EXPECT_FALSE(exists(oldCancelled));
  EXPECT_TRUE(exists(recentCompleted));
  EXPECT_TRUE(exists(oldDead)) << "dead letters follow their own retention";
  EXPECT_TRUE(exists(oldPending));
  EXPECT_TRUE(exists(oldFailedRetrying));

  RetentionPolicy both = completedOnly;
  both.deadletter = 30s;
  EXPECT_EQ(syncWait(purgeExpiredJobs(*store_, both, at(100))), 1);
  EXPECT_FALSE(exists(oldDead));
  EXPECT_TRUE(exists(recentCompleted));
  EXPECT_EQ(syncWait(purgeExpiredJobs(*store_, both, at(200))), 1);
  EXPECT_FALSE(exists(recentCompleted));
}

TEST_P(RetentionTest, DeletesAtMostTheLimitPerCall) {
  for (int i = 0; i < 7; ++i) put(JobStatus::Completed, i, i + 1);
  RetentionPolicy policy;
  policy.completed = 10s;
  EXPECT_EQ(syncWait(purgeExpiredJobs(*store_, policy, at(100), 5)), 5);
  EXPECT_EQ(syncWait(purgeExpiredJobs(*store_, policy, at(100), 5)), 2);
}

INSTANTIATE_TEST_SUITE_P(Backends, RetentionTest, ::testing::ValuesIn(storeBackends()), backendTestName);

}  // namespace
}  // namespace spooled::server
