// The PostgreSQL store's group commit: requests queued while a writer is busy share one transaction,
// each in its own savepoint. What a caller notices: a request that fails does not undo the others
// of its group, a taken idempotency key inside a group leaves the transaction usable, and a
// connection killed in the middle of a group answers 503 to its requests and nothing acknowledged
// is lost.
//
// Each test holds the only writer (pool size 2 gives one) inside a "gate" request, queues the
// requests of interest behind it, and then opens the gate: they are all waiting when the writer
// comes back, so they form one group.
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <future>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "common/error_code.hpp"
#include "server/core/job_engine.hpp"
#include "server/store/postgres/pg_connection.hpp"
#include "server/store/postgres/pg_store.hpp"
#include "store_fixtures.hpp"
#include "support/api_steps.hpp"
#include "support/pg_cluster.hpp"

namespace spooled::server {
namespace {

using namespace store_fixtures;
using namespace std::chrono_literals;

// What each named request's done heard; "ok" for a commit.
class Outcomes {
 public:
  Store::WriteDone record(const std::string& name) {
    return [this, name](std::exception_ptr error) {
      std::lock_guard lock(mutex_);
      heard_[name] = error;
      changed_.notify_all();
    };
  }
  bool waitFor(std::size_t count) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, 30s, [&] { return heard_.size() >= count; });
  }
  // "ok", the ApiError code's name ("unavailable" for a 503), or the exception's message.
  std::string of(const std::string& name) {
    std::lock_guard lock(mutex_);
    const auto it = heard_.find(name);
    if (it == heard_.end()) return "(no answer)";
    if (!it->second) return "ok";
    try {
      std::rethrow_exception(it->second);
    } catch (const ApiError& e) {
      return e.code() == ErrorCode::Unavailable ? "unavailable" : std::string("api error: ") + e.what();
    } catch (const std::exception& e) {
      return e.what();
    }
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::map<std::string, std::exception_ptr> heard_;
};

class PgGroupCommitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    PgStoreOptions options;
    options.poolSize = 2;  // one writer
    options.lockTimeoutMs = 20000;
    ASSERT_EQ(PgStore::writerCount(options.poolSize), 1u);
    store_ = std::make_unique<PgStore>(url_, options);
  }

  // Runs a request that holds the writer (inside its transaction) until openGateWhenQueued().
  void closeGate() {
    gateJob_ = minimalJob("org-a", "gate");
    std::promise<void> entered;
    store_->submitWrite(
        [this, &entered, gate = gate_.get_future().share()](StoreTx& tx) {
          tx.insertJob(gateJob_);
          entered.set_value();
          gate.wait();
        },
        outcomes_.record("gate"));
    entered.get_future().wait();  // the writer took the gate alone; what comes next queues behind it
  }
  // Opens the gate once `queued` requests wait behind it; they then run as one group.
  void openGateWhenQueued(std::size_t queued) {
    const bool allQueued = test::waitUntil([&] { return store_->queuedWrites() == queued; }, 10s);
    const std::size_t seen = store_->queuedWrites();
    commitsBefore_ = store_->commitCount();
    gate_.set_value();
    ASSERT_TRUE(allQueued) << seen << " queued";
  }
  // Transactions committed since the gate opened (the gate's own included).
  std::uint64_t commitsSinceGate() const { return store_->commitCount() - commitsBefore_; }

  bool jobExists(const std::string& id) {
    return store_->readResult([&](StoreReader& r) { return r.findJob("org-a", id).has_value(); });
  }

  std::string url_ = test::freshPgDatabaseUrl();
  std::unique_ptr<PgStore> store_;
  Outcomes outcomes_;
  std::promise<void> gate_;
  JobRecord gateJob_;
  std::uint64_t commitsBefore_ = 0;
};

TEST_F(PgGroupCommitTest, AFailingRequestIsUndoneAloneAndTheOthersOfItsGroupCommit) {
  closeGate();
  const JobRecord a = minimalJob("org-a", "q"), b = minimalJob("org-a", "q"), c = minimalJob("org-a", "q"),
                  d = minimalJob("org-a", "q");
  store_->submitWrite([&](StoreTx& tx) { tx.insertJob(a); }, outcomes_.record("a"));
  // A statement PostgreSQL refuses (a second row with the gate job's id): the transaction is in the
  // failed state until the store rolls back to this request's savepoint.
  store_->submitWrite(
      [&](StoreTx& tx) {
        tx.insertJob(b);
        JobRecord clash = minimalJob("org-a", "q");
        clash.id = gateJob_.id;
        tx.insertJob(clash);
      },
      outcomes_.record("b"));
  // A request that refuses by itself, after writing.
  store_->submitWrite(
      [&](StoreTx& tx) {
        tx.insertJob(c);
        throw ApiError(ErrorCode::Conflict, "c says no");
      },
      outcomes_.record("c"));
  store_->submitWrite([&](StoreTx& tx) { tx.insertJob(d); }, outcomes_.record("d"));
  openGateWhenQueued(4);
  ASSERT_TRUE(outcomes_.waitFor(5));

  EXPECT_EQ(outcomes_.of("a"), "ok");
  EXPECT_NE(outcomes_.of("b").find("duplicate key"), std::string::npos) << outcomes_.of("b");
  EXPECT_EQ(outcomes_.of("c"), "api error: c says no");
  EXPECT_EQ(outcomes_.of("d"), "ok");
  EXPECT_TRUE(jobExists(a.id));
  EXPECT_FALSE(jobExists(b.id)) << "b's first insert must be undone with its savepoint";
  EXPECT_FALSE(jobExists(c.id));
  EXPECT_TRUE(jobExists(d.id));
  EXPECT_TRUE(jobExists(gateJob_.id));
  EXPECT_EQ(commitsSinceGate(), 2u) << "the gate's transaction, then one for a, b, c and d";
}

TEST_F(PgGroupCommitTest, ATakenIdempotencyKeyInsideAGroupMakesOneJobAndTheOthersCommit) {
  JobNotifier notifier;
  JobEngine engine(*store_, notifier);
  closeGate();
  JobRecord first = minimalJob("org-a", "q"), second = minimalJob("org-a", "q"), other = minimalJob("org-a", "q");
  first.idempotencyKey = second.idempotencyKey = "order-1";
  std::string secondHeard;
  store_->submitWrite([&](StoreTx& tx) { tx.insertJob(first); }, outcomes_.record("first"));
  store_->submitWrite(
      [&](StoreTx& tx) {
        try {
          tx.insertJob(second);
          secondHeard = "inserted";
        } catch (const StoreDuplicateKey&) {
          secondHeard = "duplicate";
        }
        tx.insertJob(other);  // the transaction is still usable
      },
      outcomes_.record("second"));
  // Through the engine, as two HTTP requests with one key would go: both answer with one job.
  CreateJobInput input;
  input.queueName = "q";
  input.idempotencyKey = "order-2";
  CreateJobOutcome created[2];
  std::thread creators[2];
  for (int i = 0; i < 2; ++i) creators[i] = std::thread([&, i] { created[i] = syncWait(engine.create("org-a", input)); });
  openGateWhenQueued(4);
  for (auto& creator : creators) creator.join();
  ASSERT_TRUE(outcomes_.waitFor(3));

  EXPECT_EQ(outcomes_.of("first"), "ok");
  EXPECT_EQ(outcomes_.of("second"), "ok");
  EXPECT_EQ(secondHeard, "duplicate");
  EXPECT_TRUE(jobExists(first.id));
  EXPECT_FALSE(jobExists(second.id));
  EXPECT_TRUE(jobExists(other.id));
  EXPECT_EQ(created[0].id, created[1].id);
  EXPECT_NE(created[0].created, created[1].created) << "one of the two creates the job";
  EXPECT_EQ(commitsSinceGate(), 2u) << "the gate's transaction, then one for the four requests";
}

TEST_F(PgGroupCommitTest, AConnectionKilledMidGroupAnswers503AndLosesNothingAcknowledged) {
  // A job whose row the test holds locked, so that a request of the group waits inside it.
  const JobRecord locked = minimalJob("org-a", "q");
  store_->writeNow([&](StoreTx& tx) { tx.insertJob(locked); });
  PgConnection holder(url_);
  holder.exec("BEGIN");
  holder.query("SELECT id FROM jobs WHERE id = $1 FOR UPDATE", {locked.id});

  closeGate();
  const JobRecord a = minimalJob("org-a", "q"), c = minimalJob("org-a", "q");
  store_->submitWrite([&](StoreTx& tx) { tx.insertJob(a); }, outcomes_.record("a"));
  store_->submitWrite(
      [&](StoreTx& tx) {
        JobRecord job = locked;
        job.status = JobStatus::Processing;
        tx.updateJob(job);
      },
      outcomes_.record("b"));
  store_->submitWrite([&](StoreTx& tx) { tx.insertJob(c); }, outcomes_.record("c"));
  openGateWhenQueued(3);

  // Once the writer waits for the lock, kill its connection (as a database restart or a network
  // drop would).
  PgConnection admin(url_);
  std::optional<std::string> writerPid;
  ASSERT_TRUE(test::waitUntil(
      [&] {
        writerPid = admin.queryText(
            "SELECT pid::text FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'");
        return writerPid.has_value();
      },
      10s));
  admin.query("SELECT pg_terminate_backend($1::int)", {*writerPid});
  ASSERT_TRUE(outcomes_.waitFor(4));
  holder.exec("ROLLBACK");

  EXPECT_EQ(outcomes_.of("gate"), "ok");
  EXPECT_EQ(outcomes_.of("a"), "unavailable");
  EXPECT_EQ(outcomes_.of("b"), "unavailable");
  EXPECT_EQ(outcomes_.of("c"), "unavailable") << "the rest of the group hears 503 too";
  EXPECT_TRUE(jobExists(gateJob_.id)) << "acknowledged before the kill, so it must be there";
  EXPECT_FALSE(jobExists(a.id));
  EXPECT_FALSE(jobExists(c.id));

  // The store recovers by itself: the next write reconnects and commits, and readiness returns.
  const JobRecord after = minimalJob("org-a", "q");
  store_->writeNow([&](StoreTx& tx) { tx.insertJob(after); });
  EXPECT_TRUE(jobExists(after.id));
  EXPECT_TRUE(test::waitUntil([&] { return store_->health().ok(); }, 10s));
}

TEST_F(PgGroupCommitTest, ManyConcurrentWritersShareCommits) {
  // 200 single-job writes from 8 threads commit in far fewer transactions than requests.
  const std::uint64_t before = store_->commitCount();
  std::vector<std::thread> threads;
  std::vector<JobRecord> jobs(200);
  for (auto& job : jobs) job = minimalJob("org-a", "q");
  std::atomic<int> next{0};
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&] {
      for (int i = next++; i < static_cast<int>(jobs.size()); i = next++)
        store_->writeNow([&](StoreTx& tx) { tx.insertJob(jobs[static_cast<std::size_t>(i)]); });
    });
  for (auto& thread : threads) thread.join();
  const std::uint64_t commits = store_->commitCount() - before;
  EXPECT_LT(commits, 200u);
  const long long count = store_->readResult([&](StoreReader& r) {
    return r.countJobsByStatus("org-a", std::string("q"))[JobStatus::Pending];
  });
  EXPECT_EQ(count, 200);
}

}  // namespace
}  // namespace spooled::server
