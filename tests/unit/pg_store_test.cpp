// The PostgreSQL store beside the conformance suite (store_test.cpp): what only a shared database
// has to get right. Several PgStore objects on one database stand for several server processes.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>

#include "server/core/job_engine.hpp"
#include "server/store/migrations/migrations.hpp"
#include "server/store/postgres/pg_connection.hpp"
#include "server/store/postgres/pg_store.hpp"
#include "server/store/postgres/pg_tx.hpp"
#include "store_fixtures.hpp"
#include "support/api_steps.hpp"
#include "support/pg_cluster.hpp"

namespace spooled::server {
namespace {

using namespace store_fixtures;
using namespace std::chrono_literals;

class PgStoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<PgStore> open(std::size_t poolSize = 6) {
    PgStoreOptions options;
    options.poolSize = poolSize;
    return std::make_unique<PgStore>(url_, options);
  }
  std::string url_ = test::freshPgDatabaseUrl();
};

TEST_F(PgStoreTest, ClaimIsAnIndexWalkNotAScanOrSort) {
  auto store = open();
  // Many finished jobs, several queues and organizations: the claim must not read its way past them.
  store->writeNow([&](StoreTx& tx) {
    for (int i = 0; i < 6000; ++i) {
      JobRecord job = minimalJob(i % 3 == 0 ? "org-a" : "org-b", "q" + std::to_string(i % 5), i % 4, i);
      job.status = i % 10 == 0 ? JobStatus::Pending : JobStatus::Completed;
      tx.insertJob(job);
    }
  });
  PgConnection conn(url_);
  conn.exec("ANALYZE jobs");
  const PgResult plan = conn.query("EXPLAIN " + PgTx::claimableJobsSql(),
                                   {std::string("org-a"), std::string("q0"), pgTime(at(10000)), pgInt(10)});
  std::string text;
  for (int row = 0; row < plan.rows(); ++row) text += plan.text(row, 0) + "\n";
  EXPECT_NE(text.find("Index Scan using idx_jobs_ready"), std::string::npos) << text;
  EXPECT_EQ(text.find("Seq Scan"), std::string::npos) << text;
  EXPECT_EQ(text.find("Sort"), std::string::npos) << text;
  EXPECT_NE(text.find("LockRows"), std::string::npos) << text;
}

TEST_F(PgStoreTest, TheClaimsGenericPlanOnAWriterIsStillAnIndexWalk) {
  // The claim is a prepared statement, and after five runs PostgreSQL may plan it once without the
  // values: that plan cannot know that the limit is small and the queue long. On a writer connection
  // (enable_sort off) it must still walk idx_jobs_ready and stop at the limit, never sort the queue.
  auto store = open();
  store->writeNow([&](StoreTx& tx) {
    for (int i = 0; i < 3000; ++i) {
      JobRecord job = minimalJob("org-a", i % 2 == 0 ? "q" : "other", i % 3, i);
      job.status = i % 4 == 0 ? JobStatus::Completed : JobStatus::Pending;
      tx.insertJob(job);
    }
  });
  PgConnection conn(url_);
  conn.exec("ANALYZE jobs");
  conn.exec(PgStore::writerSessionSql(1000));
  conn.exec("SET plan_cache_mode = force_generic_plan");
  conn.exec("PREPARE claim(text, text, bigint, integer) AS " + PgTx::claimableJobsSql());
  const PgResult plan = conn.query("EXPLAIN EXECUTE claim('org-a', 'q', " + *pgTime(at(10000)) + ", 8)", {});
  std::string text;
  for (int row = 0; row < plan.rows(); ++row) text += plan.text(row, 0) + "\n";
  EXPECT_NE(text.find("Index Scan using idx_jobs_ready"), std::string::npos) << text;
  EXPECT_EQ(text.find("Sort"), std::string::npos) << text;
  EXPECT_EQ(text.find("Seq Scan"), std::string::npos) << text;
  // And the store's own claims work through that plan.
  conn.exec("BEGIN");
  PgTx tx(conn);
  for (int i = 0; i < 8; ++i) EXPECT_EQ(tx.findClaimableJobs("org-a", "q", at(10000), 2).size(), 2u);
  conn.exec("ROLLBACK");
}

TEST_F(PgStoreTest, TwoStoresClaimingAtOnceNeverTakeOneJobTwice) {
  auto first = open();
  auto second = open();
  constexpr int kJobs = 600;
  first->writeNow([&](StoreTx& tx) {
    for (int i = 0; i < kJobs; ++i) tx.insertJob(minimalJob("org-a", "q", 0, i));
  });
  std::mutex mutex;
  std::multiset<std::string> claimed;
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    Store& store = t % 2 == 0 ? *first : *second;
    threads.emplace_back([&] {
      for (;;) {
        auto jobs = store.writeNow([&](StoreTx& tx) {
          auto found = tx.findClaimableJobs("org-a", "q", at(100000), 3);
          for (auto& job : found) {
            job.status = JobStatus::Processing;
            tx.updateJob(job);
          }
          return found;
        });
        if (jobs.empty()) return;
        std::lock_guard lock(mutex);
        for (const auto& job : jobs) claimed.insert(job.id);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(claimed.size(), static_cast<std::size_t>(kJobs));
  EXPECT_EQ(std::set<std::string>(claimed.begin(), claimed.end()).size(), static_cast<std::size_t>(kJobs))
      << "a job was claimed twice";
}

TEST_F(PgStoreTest, OneIdempotencyKeySentToTwoStoresAtOnceMakesOneJob) {
  auto first = open();
  auto second = open();
  JobNotifier notifier;
  JobEngine engines[] = {JobEngine(*first, notifier), JobEngine(*second, notifier)};
  for (int round = 0; round < 20; ++round) {
    CreateJobInput input;
    input.queueName = "q";
    input.idempotencyKey = "order-" + std::to_string(round);
    std::vector<CreateJobOutcome> outcomes(8);
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t)
      threads.emplace_back([&, t] { outcomes[t] = syncWait(engines[t % 2].create("org-a", input)); });
    for (auto& t : threads) t.join();
    int created = 0;
    for (const auto& outcome : outcomes) {
      created += outcome.created ? 1 : 0;
      EXPECT_EQ(outcome.id, outcomes[0].id);
    }
    EXPECT_EQ(created, 1) << "round " << round;
  }
}

TEST_F(PgStoreTest, ServersStartingTogetherMigrateOnce) {
  std::vector<std::unique_ptr<PgStore>> stores(3);
  std::vector<std::thread> threads;
  for (auto& store : stores) threads.emplace_back([&] { store = open(2); });
  for (auto& t : threads) t.join();
  PgConnection conn(url_);
  EXPECT_EQ(conn.queryText("SELECT COUNT(*) FROM schema_migrations"),
            std::to_string(pgMigrations().size()));
  EXPECT_EQ(conn.queryText("SELECT COUNT(DISTINCT version) FROM schema_migrations"),
            std::to_string(pgMigrations().size()));
}

TEST_F(PgStoreTest, OneStoreHoldsTheDutiesAndAnotherTakesOverWhenItCloses) {
  auto first = open(2);
  auto second = open(2);
  ASSERT_TRUE(first->cluster()->holdsDuties());
  EXPECT_TRUE(first->cluster()->holdsDuties()) << "the holder keeps them";
  EXPECT_FALSE(second->cluster()->holdsDuties());
  first.reset();  // its connections end, as when the process dies
  EXPECT_TRUE(test::waitUntil([&] { return second->cluster()->holdsDuties(); }, 5s));
}

TEST_F(PgStoreTest, ReadyMessagesReachOtherStoresButNotTheSender) {
  auto first = open(2);
  auto second = open(2);
  std::mutex mutex;
  std::vector<std::string> heardBySecond, heardByFirst;
  second->cluster()->onReady([&](const std::string& org, const std::string& queue, std::size_t count) {
    std::lock_guard lock(mutex);
    heardBySecond.push_back(org + "/" + queue + "/" + std::to_string(count));
  });
  first->cluster()->onReady([&](const std::string& org, const std::string& queue, std::size_t) {
    std::lock_guard lock(mutex);
    heardByFirst.push_back(org + "/" + queue);
  });
  // The listener may still be connecting: send until the other store hears one.
  ASSERT_TRUE(test::waitUntil(
      [&] {
        first->cluster()->publishReady("org-a", "emails", 3);
        std::lock_guard lock(mutex);
        return !heardBySecond.empty();
      },
      10s));
  std::lock_guard lock(mutex);
  EXPECT_EQ(heardBySecond.front(), "org-a/emails/3");
  EXPECT_TRUE(heardByFirst.empty());
  second->cluster()->onReady(nullptr);
  first->cluster()->onReady(nullptr);
}

TEST_F(PgStoreTest, AnUnreachableDatabaseMeans503ThenRecovers) {
  auto cluster = test::PgCluster::create();  // its own, to stop it without disturbing other tests
  const std::string url = cluster->createDatabase();
  PgStoreOptions options;
  options.poolSize = 4;
  PgStore store(url, options);
  store.writeNow([&](StoreTx& tx) { tx.insertJob(minimalJob("org-a", "q")); });
  cluster->stop();
  try {
    store.writeNow([&](StoreTx& tx) { tx.insertJob(minimalJob("org-a", "q")); });
    FAIL() << "a write succeeded with the database down";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.code(), ErrorCode::Unavailable) << e.what();
  }
  EXPECT_THROW(store.read([](StoreReader& r) { r.listOrganizations(); }), ApiError);
  EXPECT_FALSE(store.health().ok());
  cluster->start();
  EXPECT_TRUE(test::waitUntil([&] { return store.health().ok(); }, 10s)) << store.health().writeProblem.value_or("");
  store.writeNow([&](StoreTx& tx) { tx.insertJob(minimalJob("org-a", "q")); });
  EXPECT_EQ(store.readResult([](StoreReader& r) { return r.countJobsByStatus("org-a", std::nullopt); })[JobStatus::Pending],
            2);
}

}  // namespace
}  // namespace spooled::server
