// What only the SQLite store promises beyond the conformance suite (store_test.cpp): group commit,
// migrations, WAL, index use of the hot queries, the statement cache, and openStore's URLs.
#include "server/store/sqlite/sqlite_store.hpp"

#include <gtest/gtest.h>

#include <future>
#include <iostream>
#include <thread>

#include "common/ids.hpp"
#include "server/store/migrations/migrations.hpp"
#include "server/store/sqlite/sqlite_connection.hpp"
#include "server/store/sqlite/sqlite_tx.hpp"
#include "store_fixtures.hpp"

namespace spooled::server {
namespace {

using namespace store_fixtures;
using namespace std::chrono_literals;

struct DeliberateFailure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Polls pred until it holds or the deadline passes.
template <class Pred>
bool waitUntil(Pred pred, std::chrono::seconds timeout = 10s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

class SqliteStoreTest : public ::testing::Test {
 protected:
  std::string path() const { return (dir_.path() / "spooled.db").string(); }

  SqliteConnection rawConnection() const { return SqliteConnection(path(), SqliteConnection::Mode::ReadWrite, 1000); }

  // version:applied_at of every recorded migration.
  std::vector<std::string> recordedMigrations() const {
    SqliteConnection conn(path(), SqliteConnection::Mode::ReadOnly, 1000);
    SqliteQuery query = conn.prepare("SELECT version, applied_at FROM schema_migrations ORDER BY version");
    std::vector<std::string> rows;
    while (query.step()) rows.push_back(std::to_string(query.columnInt(0)) + ":" + query.columnText(1));
    return rows;
  }

  TempDir dir_;
};

TEST_F(SqliteStoreTest, QueuedRequestsShareOneCommitAndAThrowingOneIsUndoneAlone) {
  SqliteStore store(path());
  // Hold the writer inside a first request so the next ones pile up into one batch.
  std::promise<void> entered;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::thread gate([&] {
    store.writeNow([&](StoreTx& tx) {
      entered.set_value();
      released.wait();
      tx.insertJob(minimalJob("org-a", "gate"));
    });
  });
  entered.get_future().wait();

  constexpr int kRequests = 6;
  constexpr int kFailing = 2;
  std::vector<JobRecord> jobs;
  for (int i = 0; i < kRequests; ++i) jobs.push_back(minimalJob("org-a", "q", 0, i));
  std::vector<std::exception_ptr> errors(kRequests);
  std::vector<std::thread> writers;
  for (int i = 0; i < kRequests; ++i) {
    writers.emplace_back([&, i] {
      try {
        store.writeNow([&](StoreTx& tx) {
          tx.insertJob(jobs[i]);
          if (i == kFailing) throw DeliberateFailure("request " + std::to_string(i));
        });
      } catch (...) {
        errors[i] = std::current_exception();
      }
    });
  }
  const bool allQueued = waitUntil([&] { return store.queuedWrites() == kRequests; });
  const auto commitsBefore = store.commitCount();
  release.set_value();
  gate.join();
  for (auto& writer : writers) writer.join();
  ASSERT_TRUE(allQueued);

  EXPECT_EQ(store.commitCount() - commitsBefore, 2u) << "the gate's commit, then one commit for all the others";
  store.read([&](StoreReader& r) {
    for (int i = 0; i < kRequests; ++i) {
      if (i == kFailing) {
        EXPECT_THROW(std::rethrow_exception(errors[i]), DeliberateFailure);
        EXPECT_FALSE(r.findJob("org-a", jobs[i].id));
      } else {
        EXPECT_FALSE(errors[i]) << "request " << i << " failed";
        EXPECT_TRUE(r.findJob("org-a", jobs[i].id)) << "request " << i << " was lost";
      }
    }
  });
}

// updateJob writes only the columns that changed since the request read the row. What a request that
// was rolled back read or wrote must not count as the row's state for the next request of the commit.
TEST_F(SqliteStoreTest, AnUpdateAfterARolledBackRequestInTheSameCommitWritesEveryChange) {
  SqliteStore store(path());
  const JobRecord original = fullJob("org-a", "q");
  store.writeNow([&](StoreTx& tx) { tx.insertJob(original); });

  JobRecord claimed = original;
  claimed.status = JobStatus::Processing;
  claimed.leaseId = "lease-1";
  claimed.priority = original.priority + 5;

  std::promise<void> entered;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::thread gate([&] {
    store.writeNow([&](StoreTx&) {
      entered.set_value();
      released.wait();
    });
  });
  entered.get_future().wait();
  // Both queue behind the gate, so they run in one transaction, the first one first.
  std::thread undone([&] {
    EXPECT_THROW(store.writeNow([&](StoreTx& tx) {
      ASSERT_TRUE(tx.findJob("org-a", original.id));
      tx.updateJob(claimed);
      throw DeliberateFailure("rolled back");
    }),
                 DeliberateFailure);
  });
  ASSERT_TRUE(waitUntil([&] { return store.queuedWrites() == 1; }));
  std::thread blind([&] { store.writeNow([&](StoreTx& tx) { tx.updateJob(claimed); }); });
  ASSERT_TRUE(waitUntil([&] { return store.queuedWrites() == 2; }));
  release.set_value();
  gate.join();
  undone.join();
  blind.join();

  store.read([&](StoreReader& r) {
    auto row = r.findJob("org-a", original.id);
    ASSERT_TRUE(row);
    EXPECT_EQ(view(*row), view(claimed)) << "the second request's update lost columns the first one had set";
  });
}

// Job ids are time-ordered UUIDs, so the primary key index grows at its end.
TEST_F(SqliteStoreTest, JobIdsAreVersion7UuidsInCreationOrder) {
  std::string previous;
  for (int i = 0; i < 5000; ++i) {
    const std::string id = newTimeOrderedUuid();
    ASSERT_TRUE(isUuid(id)) << id;
    ASSERT_EQ(id[14], '7') << id;
    ASSERT_TRUE(id[19] == '8' || id[19] == '9' || id[19] == 'a' || id[19] == 'b') << id;
    ASSERT_LT(previous, id);
    previous = id;
  }
}

TEST_F(SqliteStoreTest, AWriteFromInsideAWriteIsRefusedInsteadOfDeadlocking) {
  SqliteStore store(path());
  EXPECT_THROW(store.writeNow([&](StoreTx&) { store.writeNow([](StoreTx&) {}); }), std::logic_error);
}

TEST_F(SqliteStoreTest, MigrationsAreRecordedOnceAndNotReapplied) {
  SqliteStore(path()).writeNow([](StoreTx& tx) { tx.insertJob(minimalJob("org-a", "q")); });
  auto recorded = recordedMigrations();
  ASSERT_EQ(recorded.size(), sqliteMigrations().size());
  for (std::size_t i = 0; i < recorded.size(); ++i)
    EXPECT_EQ(recorded[i].substr(0, recorded[i].find(':')), std::to_string(sqliteMigrations()[i].version));

  SqliteStore reopened(path());
  EXPECT_EQ(recordedMigrations(), recorded) << "reopening must not apply or record anything again";
  auto conn = rawConnection();
  EXPECT_EQ(applySqliteMigrations(conn, sqliteMigrations(), nowMs()), 0);
}

TEST_F(SqliteStoreTest, RefusesADatabaseWrittenByANewerBuild) {
  { SqliteStore store(path()); }
  rawConnection().exec("INSERT INTO schema_migrations (version, description, applied_at) VALUES (9999, 'future', 0)");
  try {
    SqliteStore store(path());
    FAIL() << "opened a database with an unknown schema version";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("newer"), std::string::npos) << error.what();
  }
}

TEST_F(SqliteStoreTest, AFailingMigrationLeavesTheDatabaseAsItWas) {
  static constexpr Migration kSteps[] = {
      {1, "fine", "CREATE TABLE first (x INTEGER);"},
      {2, "broken", "CREATE TABLE second (x INTEGER); SELECT * FROM no_such_table;"},
  };
  auto conn = rawConnection();
  EXPECT_ANY_THROW(applySqliteMigrations(conn, kSteps, nowMs()));
  EXPECT_EQ(conn.queryText("SELECT COUNT(*) FROM sqlite_master WHERE name IN ('first', 'second', 'schema_migrations')"),
            "0");
  EXPECT_EQ(applySqliteMigrations(conn, std::span(kSteps, 1), nowMs()), 1);
}

TEST_F(SqliteStoreTest, RefusesMigrationsOutOfOrder) {
  static constexpr Migration kSteps[] = {{2, "b", "SELECT 1;"}, {1, "a", "SELECT 1;"}};
  auto conn = rawConnection();
  EXPECT_THROW(applySqliteMigrations(conn, kSteps, nowMs()), std::runtime_error);
}

TEST_F(SqliteStoreTest, DatabaseIsInWalMode) {
  SqliteStore store(path());
  EXPECT_EQ(rawConnection().queryText("PRAGMA journal_mode"), "wal");
}

// The plan SQLite would run sql with, one step a line.
std::string queryPlan(SqliteConnection& conn, const std::string& sql) {
  SqliteQuery query = conn.prepare("EXPLAIN QUERY PLAN " + sql);
  std::string plan;
  while (query.step()) plan += query.columnText(3) + "\n";
  return plan;
}

TEST_F(SqliteStoreTest, HotQueriesAreIndexLookupsWithoutSorting) {
  { SqliteStore store(path()); }
  auto conn = rawConnection();
  const std::pair<std::string, std::string> cases[] = {
      {SqliteTx::claimableJobsSql(), "SEARCH jobs USING INDEX idx_jobs_ready (org_id=? AND queue_name=?)"},
      {SqliteTx::expiredLeasesSql(), "SEARCH jobs USING INDEX idx_jobs_leases (lease_expires_at<?)"},
      {SqliteTx::silentWorkersSql(), "SEARCH workers USING INDEX idx_workers_silent (last_heartbeat<?)"},
      {"SELECT id FROM jobs WHERE org_id = ?1 AND idempotency_key = ?2",
       "SEARCH jobs USING INDEX uq_jobs_idempotency (org_id=? AND idempotency_key=?)"},
  };
  for (const auto& [sql, expected] : cases) {
    std::string plan = queryPlan(conn, sql);
    std::cout << "EXPLAIN QUERY PLAN " << sql << "\n  " << plan;
    EXPECT_NE(plan.find(expected), std::string::npos) << plan;
    EXPECT_EQ(plan.find("TEMP B-TREE"), std::string::npos) << plan;
  }
}

TEST_F(SqliteStoreTest, LimitCountsAreIndexLookupsThatNeverScanATable) {
  // Run at every job on a new queue, every registration and every key creation, inside the write
  // transaction: their cost must not grow with the organization's jobs, offline workers or revoked keys.
  { SqliteStore store(path()); }
  auto conn = rawConnection();
  const std::pair<std::string, std::vector<std::string>> cases[] = {
      {SqliteReader::queueExistsSql(),
       {"SEARCH jobs USING COVERING INDEX idx_jobs_org_queue_status (org_id=? AND queue_name=?)",
        "SEARCH queues USING COVERING INDEX"}},
      {SqliteReader::countQueuesSql(),
       {"SEARCH jobs USING COVERING INDEX idx_jobs_org_queue_status (org_id=? AND queue_name>?)",
        "SEARCH queues USING COVERING INDEX"}},
      {SqliteReader::countLiveWorkersSql(), {"SEARCH workers USING COVERING INDEX idx_workers_org_live (org_id=?"}},
      {SqliteReader::countActiveApiKeysSql(),
       {"SEARCH api_keys USING COVERING INDEX idx_api_keys_org_active (org_id=?"}},
  };
  for (const auto& [sql, expected] : cases) {
    const std::string plan = queryPlan(conn, sql);
    std::cout << "EXPLAIN QUERY PLAN " << sql << "\n" << plan;
    for (const std::string& step : expected) EXPECT_NE(plan.find(step), std::string::npos) << step << "\n" << plan;
    for (const char* table : {"SCAN jobs", "SCAN workers", "SCAN api_keys", "SCAN queues"})
      EXPECT_EQ(plan.find(table), std::string::npos) << plan;
  }
}

TEST_F(SqliteStoreTest, CountingQueuesCostsOneSeekPerQueueNotOnePerJob) {
  // 20,000 jobs on 4 queues: the loose index scan visits about 4 index entries, so counting them is
  // about as fast as counting the queues of an organization with 4 jobs.
  SqliteStore store(path());
  store.writeNow([&](StoreTx& tx) {
    for (int i = 0; i < 20000; ++i)
      tx.insertJob(store_fixtures::minimalJob("org-big", "q" + std::to_string(i % 4), 0, i));
  });
  auto conn = rawConnection();
  SqliteQuery query = conn.prepare(SqliteReader::countQueuesSql());
  bindParams(query, {std::string_view("org-big"), std::int64_t{1000}});
  ASSERT_TRUE(query.step());
  EXPECT_EQ(query.columnInt(0), 4);
  // Virtual-machine steps of the whole count: a scan of the 20,000 index entries takes far more.
  const int steps = query.vmSteps();
  EXPECT_LT(steps, 2000) << steps;
}

TEST_F(SqliteStoreTest, StatementsArePreparedOncePerConnection) {
  auto conn = rawConnection();
  for (int i = 0; i < 3; ++i) EXPECT_EQ(conn.queryText("SELECT 1"), "1");
  EXPECT_EQ(conn.cachedStatements(), 1u);
  SqliteQuery outer = conn.prepare("SELECT 2");
  EXPECT_THROW(conn.prepare("SELECT 2"), std::logic_error);
}

// --- openStore ---

class OpenStoreTest : public SqliteStoreTest {};

TEST_F(OpenStoreTest, AcceptsSqliteUrlsAndCreatesParentFolders) {
  const auto base = dir_.path();
  for (const std::string& url : {"sqlite:" + (base / "a/b/one.db").string(), "sqlite://" + (base / "c/two.db").string(),
                                (base / "d/three.db").string()}) {
    auto store = openStore(url);
    EXPECT_EQ(store->backendName(), "sqlite") << url;
    EXPECT_TRUE(store->ping()) << url;
  }
  EXPECT_TRUE(std::filesystem::exists(base / "a/b/one.db"));
  EXPECT_TRUE(std::filesystem::exists(base / "c/two.db"));
  EXPECT_TRUE(std::filesystem::exists(base / "d/three.db"));
}

TEST_F(OpenStoreTest, ResolvesRelativePathsAgainstTheWorkingDirectory) {
  const auto previous = std::filesystem::current_path();
  std::filesystem::current_path(dir_.path());
  try {
    openStore("sqlite:rel/data.db");
    openStore("bare.db");
  } catch (...) {
    std::filesystem::current_path(previous);
    throw;
  }
  std::filesystem::current_path(previous);
  EXPECT_TRUE(std::filesystem::exists(dir_.path() / "rel/data.db"));
  EXPECT_TRUE(std::filesystem::exists(dir_.path() / "bare.db"));
}

TEST_F(OpenStoreTest, RejectsWhatItCannotOpenWithAReadableMessage) {
  // A PostgreSQL server that does not answer (port 1 on loopback: nothing listens there).
  for (const char* url : {"postgres://u:p@127.0.0.1:1/spooled", "postgresql://127.0.0.1:1/spooled"}) {
    try {
      openStore(url);
      FAIL() << url;
    } catch (const std::runtime_error& error) {
      EXPECT_NE(std::string(error.what()).find("cannot connect to PostgreSQL"), std::string::npos) << error.what();
    }
  }
  for (const char* url : {"mysql://localhost/x", "", "sqlite:", "sqlite::memory:", "spooled"})
    EXPECT_THROW(openStore(url), std::runtime_error) << url;
}

}  // namespace
}  // namespace spooled::server
