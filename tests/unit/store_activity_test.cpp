// Store queries behind stats, dashboards, metrics, DLQ purge, organization deletion and logout.
#include <gtest/gtest.h>

#include <filesystem>

#include "store_fixtures.hpp"
#include "server/store/store.hpp"

using namespace spooled;
using namespace spooled::server;
using namespace spooled::server::store_fixtures;

namespace {

class StoreActivityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("spooled-activity-" + randomHex(6));
    store_ = openStore("sqlite:" + (dir_ / "a.db").string());
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  JobRecord insert(const std::string& org, const std::string& queue, JobStatus status, int createdSec,
                   std::optional<int> startedSec = std::nullopt, std::optional<int> completedSec = std::nullopt) {
    JobRecord job = minimalJob(org, queue, 0, createdSec);
    job.status = status;
    if (startedSec) job.startedAt = at(*startedSec);
    if (completedSec) job.completedAt = at(*completedSec);
    store_->writeNow([&](StoreTx& tx) { tx.insertJob(job); });
    return job;
  }

  std::filesystem::path dir_;
  std::unique_ptr<Store> store_;
};

}  // namespace

TEST_F(StoreActivityTest, ActivityCountsOnlyWhatHappenedSinceTheMoment) {
  insert("o", "q", JobStatus::Completed, 0, 10, 20);   // before the window: not counted
  insert("o", "q", JobStatus::Completed, 100, 110, 130);
  insert("o", "q", JobStatus::Completed, 100, 120, 160);
  insert("o", "q", JobStatus::Deadletter, 100, 105, 150);
  insert("o", "q", JobStatus::Pending, 50);
  insert("o", "q", JobStatus::Pending, 200);
  insert("o", "other", JobStatus::Pending, 10);
  insert("p", "q", JobStatus::Completed, 100, 101, 102);  // another organization

  const auto all = store_->readResult([&](StoreReader& r) { return r.jobActivity("o", std::string("q"), at(100)); });
  EXPECT_EQ(all.createdSince, 4);
  EXPECT_EQ(all.completedSince, 2);
  EXPECT_EQ(all.failedSince, 1);
  ASSERT_TRUE(all.avgProcessingMs);
  EXPECT_DOUBLE_EQ(*all.avgProcessingMs, 30000.0);  // (20 s + 40 s) / 2
  ASSERT_TRUE(all.avgWaitMs);
  EXPECT_DOUBLE_EQ(*all.avgWaitMs, 11666.0);  // (10 + 20 + 5) s / 3, whole milliseconds
  EXPECT_EQ(all.oldestReadyCreatedAt, at(50));

  const auto org = store_->readResult([&](StoreReader& r) { return r.jobActivity("o", std::nullopt, at(0)); });
  EXPECT_EQ(org.oldestReadyCreatedAt, at(10));
  const auto empty = store_->readResult([&](StoreReader& r) { return r.jobActivity("nobody", std::nullopt, at(0)); });
  EXPECT_EQ(empty.createdSince, 0);
  EXPECT_FALSE(empty.avgProcessingMs);
  EXPECT_FALSE(empty.oldestReadyCreatedAt);
}

TEST_F(StoreActivityTest, QueueNamesComeFromJobsAndQueueRecords) {
  insert("o", "b-jobs", JobStatus::Pending, 0);
  insert("p", "hidden", JobStatus::Pending, 0);
  QueueRecord queue;
  queue.id = newUuid();
  queue.orgId = "o";
  queue.queueName = "a-configured";
  store_->writeNow([&](StoreTx& tx) { tx.upsertQueue(queue); });
  const auto names = store_->readResult([&](StoreReader& r) { return r.listQueueNames("o"); });
  EXPECT_EQ(names, (std::vector<std::string>{"a-configured", "b-jobs"}));
}

TEST_F(StoreActivityTest, CountsByQueueAndStatusAcrossOrganizations) {
  insert("o", "q", JobStatus::Pending, 0);
  insert("o", "q", JobStatus::Pending, 1);
  insert("o", "r", JobStatus::Completed, 1);
  insert("p", "q", JobStatus::Pending, 1);
  const auto all = store_->readResult([&](StoreReader& r) { return r.countJobsByQueueAndStatus(std::nullopt); });
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].orgId, "o");
  EXPECT_EQ(all[0].queueName, "q");
  EXPECT_EQ(all[0].count, 2);
  const auto one = store_->readResult([&](StoreReader& r) { return r.countJobsByQueueAndStatus(std::string("p")); });
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].count, 1);
}

TEST_F(StoreActivityTest, DeleteJobsTouchesOnlyTheMatchingOnes) {
  insert("o", "q", JobStatus::Deadletter, 0);
  insert("o", "q", JobStatus::Deadletter, 0);
  insert("o", "r", JobStatus::Deadletter, 0);
  const auto keep = insert("o", "q", JobStatus::Pending, 0);
  insert("p", "q", JobStatus::Deadletter, 0);
  const long long purged = store_->writeNow(
      [&](StoreTx& tx) { return tx.deleteJobs("o", JobStatus::Deadletter, std::string("q")); });
  EXPECT_EQ(purged, 2);
  const auto counts = store_->readResult([&](StoreReader& r) { return r.countJobsByQueueAndStatus(std::nullopt); });
  long long total = 0;
  for (const auto& row : counts) total += row.count;
  EXPECT_EQ(total, 3);
  EXPECT_TRUE(store_->readResult([&](StoreReader& r) { return r.findJob("o", keep.id); }));
}

TEST_F(StoreActivityTest, DeleteJobRemovesOneJobOfItsOrganizationOnly) {
  const auto mine = insert("o", "q", JobStatus::Deadletter, 0);
  const auto other = insert("o", "q", JobStatus::Deadletter, 0);
  EXPECT_FALSE(store_->writeNow([&](StoreTx& tx) { return tx.deleteJob("p", mine.id); }));
  EXPECT_TRUE(store_->writeNow([&](StoreTx& tx) { return tx.deleteJob("o", mine.id); }));
  EXPECT_FALSE(store_->writeNow([&](StoreTx& tx) { return tx.deleteJob("o", mine.id); }));
  store_->read([&](StoreReader& r) {
    EXPECT_FALSE(r.findJob("o", mine.id));
    EXPECT_TRUE(r.findJob("o", other.id));
  });
}

TEST_F(StoreActivityTest, DeletingAnOrganizationRemovesEverythingItOwns) {
  OrganizationRecord org;
  org.id = newUuid();
  org.name = "Gone";
  org.slug = "gone";
  ApiKeyRecord key;
  key.id = newUuid();
  key.orgId = org.id;
  key.name = "k";
  key.keyHash = sha256Hex("raw");
  store_->writeNow([&](StoreTx& tx) {
    tx.insertOrganization(org);
    tx.insertApiKey(key);
    tx.insertWorker(fullWorker(org.id, "q"));
  });
  insert(org.id, "q", JobStatus::Pending, 0);
  const auto survivor = insert("other", "q", JobStatus::Pending, 0);
  store_->writeNow([&](StoreTx& tx) { tx.deleteOrganization(org.id); });
  WorkerQuery workersOfOrg;
  workersOfOrg.orgId = org.id;
  store_->read([&](StoreReader& r) {
    EXPECT_FALSE(r.findOrganization(org.id));
    EXPECT_FALSE(r.findApiKeyByHash(key.keyHash));
    EXPECT_TRUE(r.listWorkers(workersOfOrg).empty());
    EXPECT_TRUE(r.listQueueNames(org.id).empty());
    EXPECT_TRUE(r.findJob("other", survivor.id));
  });
}

TEST_F(StoreActivityTest, RevokedTokensAreRemembered) {
  EXPECT_FALSE(store_->readResult([&](StoreReader& r) { return r.isTokenRevoked("jti-1"); }));
  store_->writeNow([&](StoreTx& tx) { tx.insertRevokedToken("jti-1", nowMs() + std::chrono::hours(1)); });
  EXPECT_TRUE(store_->readResult([&](StoreReader& r) { return r.isTokenRevoked("jti-1"); }));
  EXPECT_FALSE(store_->readResult([&](StoreReader& r) { return r.isTokenRevoked("jti-2"); }));
}
