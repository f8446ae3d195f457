// The claim-rate bucket rows of the cluster limits, on both stores: a bucket starts with one second's
// worth, refills at its rate up to that, gives back what a claim did not use, and is kept per
// (organization, queue). On PostgreSQL a second transaction taking from the bucket waits for the first.
#include <gtest/gtest.h>

#include <future>

#include "store_fixtures.hpp"

namespace spooled::server {
namespace {

using namespace store_fixtures;
using namespace std::chrono_literals;

class ClusterLimitsTest : public ::testing::TestWithParam<StoreBackend> {
 protected:
  void SetUp() override { store_ = GetParam().open(dir_.path()); }
  int take(const std::string& queue, int rate, int wanted, TimePoint now, const std::string& org = "org-a") {
    return store_->writeNow([&](StoreTx& tx) { return tx.takeClaimTokens(org, queue, rate, wanted, now); });
  }
  void giveBack(const std::string& queue, int rate, int tokens) {
    store_->writeNow([&](StoreTx& tx) { tx.returnClaimTokens("org-a", queue, rate, tokens); });
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_P(ClusterLimitsTest, ABucketStartsWithOneSecondsWorthAndRefillsAtItsRate) {
  EXPECT_EQ(take("q", 10, 4, at(0)), 4);
  EXPECT_EQ(take("q", 10, 100, at(0)), 6) << "one second's worth in all";
  EXPECT_EQ(take("q", 10, 100, at(0)), 0);
  EXPECT_EQ(take("q", 10, 100, at(0) + 250ms), 2) << "2.5 tokens refilled; the half stays";
  EXPECT_EQ(take("q", 10, 100, at(0) + 300ms), 1) << "0.5 + 0.5";
  EXPECT_EQ(take("q", 10, 100, at(60)), 10) << "never more than one second's worth";
  EXPECT_EQ(take("q", 10, 5, at(59)), 0) << "a clock behind the bucket's adds nothing";
}

TEST_P(ClusterLimitsTest, UnusedTokensGoBackUpToTheBucketSize) {
  EXPECT_EQ(take("q", 5, 5, at(0)), 5);
  giveBack("q", 5, 3);
  EXPECT_EQ(take("q", 5, 10, at(0)), 3);
  giveBack("q", 5, 50);
  EXPECT_EQ(take("q", 5, 10, at(0)), 5) << "capped at the rate";
  giveBack("missing", 5, 3);  // a queue without a bucket: nothing to give back to
  EXPECT_EQ(take("missing", 5, 10, at(0)), 5);
}

TEST_P(ClusterLimitsTest, BucketsArePerOrganizationAndQueueAndFollowRateChanges) {
  EXPECT_EQ(take("q", 3, 10, at(0)), 3);
  EXPECT_EQ(take("other", 3, 10, at(0)), 3);
  EXPECT_EQ(take("q", 3, 10, at(0), "org-b"), 3);
  EXPECT_EQ(take("q", 100, 10, at(0) + 50ms), 5) << "a higher rate refills faster from now on";
  EXPECT_EQ(take("q", 1, 10, at(10)), 1) << "a lower rate also lowers the bucket size";
  EXPECT_EQ(take("q", 0, 10, at(20)), 0);
}

TEST_P(ClusterLimitsTest, ConcurrentTransactionsNeverHandOutMoreThanTheBucketHolds) {
  if (GetParam().name != "postgres") GTEST_SKIP() << "one SQLite writer runs one transaction at a time";
  auto other = GetParam().open(dir_.path());  // a second process on the same database
  std::promise<void> tookFirst, mayCommit;
  auto first = std::async(std::launch::async, [&] {
    return store_->writeNow([&](StoreTx& tx) {
      const int n = tx.takeClaimTokens("org-a", "q", 10, 8, at(0));
      tookFirst.set_value();
      mayCommit.get_future().wait_for(2s);
      return n;
    });
  });
  tookFirst.get_future().wait();
  auto second = std::async(std::launch::async, [&] {
    return other->writeNow([&](StoreTx& tx) { return tx.takeClaimTokens("org-a", "q", 10, 8, at(0)); });
  });
  EXPECT_EQ(second.wait_for(300ms), std::future_status::timeout) << "the second take waits for the first's commit";
  mayCommit.set_value();
  EXPECT_EQ(first.get(), 8);
  EXPECT_EQ(second.get(), 2);
}

INSTANTIATE_TEST_SUITE_P(Backends, ClusterLimitsTest, ::testing::ValuesIn(storeBackends()), backendTestName);

}  // namespace
}  // namespace spooled::server
