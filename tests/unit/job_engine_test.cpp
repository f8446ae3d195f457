// JobEngine and WorkerRegistry on a real SQLite file, with a clock the test moves by hand.
#include "server/core/job_engine.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <set>
#include <thread>

#include "common/error_code.hpp"
#include "common/ids.hpp"
#include "server/core/worker_registry.hpp"

using namespace std::chrono_literals;
using namespace spooled;
using namespace spooled::server;

namespace {

class JobEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("spooled-engine-" + randomHex(6));
    store_ = openStore("sqlite:" + (dir_ / "test.db").string());
    engine_ = std::make_unique<JobEngine>(*store_, notifier_, RetryPolicy{}, [this] { return now(); });
    registry_ = std::make_unique<WorkerRegistry>(*store_, 90s, [this] { return now(); });
  }
  void TearDown() override {
    engine_.reset();
    registry_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  TimePoint now() const { return fromEpochMs(nowMs_.load()); }
  void advance(std::chrono::milliseconds d) { nowMs_ += d.count(); }

  std::string createJob(const std::string& queue, int priority = 0, int maxRetries = 3) {
    CreateJobInput in;
    in.queueName = queue;
    in.priority = priority;
    in.maxRetries = maxRetries;
    in.payload = json{{"n", priority}};
    return engine_->create(kOrg, in).id;
  }

  JobRecord job(const std::string& id) {
    return *store_->readResult([&](StoreReader& r) { return r.findJob(kOrg, id); });
  }

  JobRecord claimOne(const std::string& queue, const std::string& worker = "w1", int leaseSecs = 30) {
    auto jobs = engine_->claim(kOrg, ClaimInput{queue, worker, 1, leaseSecs});
    EXPECT_EQ(jobs.size(), 1u);
    return jobs.empty() ? JobRecord{} : jobs.front();
  }

  static ErrorCode errorOf(const std::function<void()>& fn) {
    try {
      fn();
    } catch (const ApiError& e) {
      return e.code();
    }
    ADD_FAILURE() << "expected an ApiError";
    return ErrorCode::Internal;
  }

  static constexpr const char* kOrg = "org-a";
  std::filesystem::path dir_;
  std::atomic<long long> nowMs_{1'800'000'000'000};
  std::unique_ptr<Store> store_;
  JobNotifier notifier_;
  std::unique_ptr<JobEngine> engine_;
  std::unique_ptr<WorkerRegistry> registry_;
};

}  // namespace

TEST_F(JobEngineTest, ClaimsHighestPriorityFirstThenOldest) {
  const auto low = createJob("q", 0);
  advance(1ms);
  const auto highOld = createJob("q", 10);
  advance(1ms);
  const auto highNew = createJob("q", 10);
  auto jobs = engine_->claim(kOrg, ClaimInput{"q", "w1", 3, 30});
  ASSERT_EQ(jobs.size(), 3u);
  EXPECT_EQ(jobs[0].id, highOld);
  EXPECT_EQ(jobs[1].id, highNew);
  EXPECT_EQ(jobs[2].id, low);
  for (const auto& j : jobs) {
    EXPECT_EQ(j.status, JobStatus::Processing);
    EXPECT_TRUE(j.leaseId);
  }
  EXPECT_TRUE(engine_->claim(kOrg, ClaimInput{"q", "w1", 3, 30}).empty());
}

TEST_F(JobEngineTest, IdempotencyKeyReturnsTheFirstJob) {
  CreateJobInput in;
  in.queueName = "q";
  in.idempotencyKey = "order-42";
  const auto first = engine_->create(kOrg, in);
  const auto second = engine_->create(kOrg, in);
  EXPECT_TRUE(first.created);
  EXPECT_FALSE(second.created);
  EXPECT_EQ(first.id, second.id);
  const auto otherOrg = engine_->create("org-b", in);
  EXPECT_TRUE(otherOrg.created);
  EXPECT_NE(otherOrg.id, first.id);
}

TEST_F(JobEngineTest, ScheduledJobIsClaimableOnlyWhenDue) {
  CreateJobInput in;
  in.queueName = "q";
  in.scheduledAt = now() + 10s;
  const auto id = engine_->create(kOrg, in).id;
  EXPECT_EQ(job(id).status, JobStatus::Scheduled);
  EXPECT_TRUE(engine_->claim(kOrg, ClaimInput{"q", "w1", 1, 30}).empty());
  advance(10s);
  EXPECT_EQ(claimOne("q").id, id);
}

TEST_F(JobEngineTest, FailureRetriesWithBackoffThenDeadLetters) {
  const auto id = createJob("q", 0, 1);
  auto claimed = claimOne("q");
  auto outcome = engine_->fail(kOrg, id, LeaseRef{"w1", claimed.leaseId}, "smtp down", true);
  EXPECT_TRUE(outcome.willRetry);
  EXPECT_EQ(job(id).status, JobStatus::Pending);
  EXPECT_EQ(job(id).retryCount, 1);
  EXPECT_TRUE(engine_->claim(kOrg, ClaimInput{"q", "w1", 1, 30}).empty()) << "backoff not respected";
  advance(3s);
  claimed = claimOne("q");
  outcome = engine_->fail(kOrg, id, LeaseRef{"w1", claimed.leaseId}, "smtp still down", true);
  EXPECT_FALSE(outcome.willRetry);
  EXPECT_EQ(job(id).status, JobStatus::Deadletter);
  EXPECT_EQ(job(id).lastError, "smtp still down");
}

TEST_F(JobEngineTest, StaleLeaseChangesNothing) {
  const auto id = createJob("q");
  const auto claimed = claimOne("q");
  const auto before = job(id);
  EXPECT_EQ(errorOf([&] { engine_->complete(kOrg, id, LeaseRef{"w1", "not-the-lease"}, json{{"x", 1}}); }),
            ErrorCode::LeaseExpired);
  EXPECT_EQ(errorOf([&] { engine_->fail(kOrg, id, LeaseRef{"w2", claimed.leaseId}, "x", true); }),
            ErrorCode::LeaseExpired);
  const auto after = job(id);
  EXPECT_EQ(after.status, JobStatus::Processing);
  EXPECT_EQ(after.retryCount, before.retryCount);
  EXPECT_FALSE(after.result);
}

TEST_F(JobEngineTest, ReaperReturnsExpiredLeasesAsFailedAttempts) {
  const auto id = createJob("q", 0, 1);
  const auto claimed = claimOne("q", "w1", 5);
  EXPECT_EQ(engine_->reapExpiredLeases(), 0);
  advance(5s);
  EXPECT_EQ(engine_->reapExpiredLeases(), 1);
  EXPECT_EQ(job(id).status, JobStatus::Pending);
  EXPECT_EQ(job(id).retryCount, 1);
  EXPECT_EQ(errorOf([&] { engine_->complete(kOrg, id, LeaseRef{"w1", claimed.leaseId}, std::nullopt); }),
            ErrorCode::LeaseExpired);
  claimOne("q", "w2", 5);
  advance(6s);
  EXPECT_EQ(engine_->reapExpiredLeases(), 1);
  EXPECT_EQ(job(id).status, JobStatus::Deadletter);
}

TEST_F(JobEngineTest, HeartbeatKeepsTheLeaseAlive) {
  const auto id = createJob("q");
  const auto claimed = claimOne("q", "w1", 5);
  for (int i = 0; i < 5; ++i) {
    advance(4s);
    engine_->heartbeat(kOrg, id, LeaseRef{"w1", claimed.leaseId}, 5);
    EXPECT_EQ(engine_->reapExpiredLeases(), 0);
  }
  engine_->complete(kOrg, id, LeaseRef{"w1", claimed.leaseId}, json{{"ok", true}});
  EXPECT_EQ(job(id).status, JobStatus::Completed);
  EXPECT_EQ(job(id).result, (json{{"ok", true}}));
}

TEST_F(JobEngineTest, CancelOfARunningJobRevokesItsLease) {
  const auto id = createJob("q");
  const auto claimed = claimOne("q");
  EXPECT_EQ(engine_->cancel(kOrg, id).status, JobStatus::Cancelled);
  const LeaseRef lease{"w1", claimed.leaseId};
  EXPECT_EQ(errorOf([&] { engine_->heartbeat(kOrg, id, lease, 30); }), ErrorCode::JobCancelled);
  EXPECT_EQ(errorOf([&] { engine_->complete(kOrg, id, lease, json{{"late", true}}); }), ErrorCode::JobCancelled);
  EXPECT_EQ(errorOf([&] { engine_->fail(kOrg, id, lease, "x", true); }), ErrorCode::JobCancelled);
  EXPECT_EQ(job(id).status, JobStatus::Cancelled);
  EXPECT_FALSE(job(id).result);
  EXPECT_EQ(errorOf([&] { engine_->cancel(kOrg, id); }), ErrorCode::Conflict);
}

TEST_F(JobEngineTest, OtherOrganizationsJobsAreNotFound) {
  const auto id = createJob("q");
  EXPECT_EQ(errorOf([&] { engine_->cancel("org-b", id); }), ErrorCode::NotFound);
  EXPECT_TRUE(engine_->claim("org-b", ClaimInput{"q", "w1", 10, 30}).empty());
}

TEST_F(JobEngineTest, PausedQueueHandsOutNothing) {
  createJob("q");
  QueueRecord queue;
  queue.id = newUuid();
  queue.orgId = kOrg;
  queue.queueName = "q";
  queue.paused = true;
  queue.createdAt = queue.updatedAt = now();
  store_->write([&](StoreTx& tx) { tx.upsertQueue(queue); });
  EXPECT_TRUE(engine_->claim(kOrg, ClaimInput{"q", "w1", 1, 30}).empty());
  queue.paused = false;
  store_->write([&](StoreTx& tx) { tx.upsertQueue(queue); });
  claimOne("q");
}

TEST_F(JobEngineTest, ConcurrentClaimersNeverShareAJob) {
  constexpr int kJobs = 200;
  for (int i = 0; i < kJobs; ++i) createJob("q");
  std::mutex mutex;
  std::multiset<std::string> seen;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (;;) {
        auto jobs = engine_->claim(kOrg, ClaimInput{"q", "w" + std::to_string(t), 3, 30});
        if (jobs.empty()) return;
        std::lock_guard lock(mutex);
        for (const auto& j : jobs) seen.insert(j.id);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(seen.size(), static_cast<size_t>(kJobs));
  for (const auto& id : seen) EXPECT_EQ(seen.count(id), 1u) << id;
}

TEST_F(JobEngineTest, SilentWorkersGoOfflineAndComeBackByHeartbeat) {
  RegisterWorkerInput in;
  in.queueName = "q";
  in.hostname = "host-1";
  const auto worker = registry_->registerWorker(kOrg, in);
  EXPECT_EQ(registry_->markSilentWorkersOffline(), 0);
  advance(91s);
  EXPECT_EQ(registry_->markSilentWorkersOffline(), 1);
  auto stored = store_->readResult([&](StoreReader& r) { return r.findWorker(kOrg, worker.id); });
  EXPECT_EQ(stored->status, "offline");
  EXPECT_EQ(registry_->heartbeat(kOrg, worker.id, WorkerHeartbeatInput{2, std::nullopt, std::nullopt}).status,
            "healthy");
  EXPECT_EQ(registry_->deregister(kOrg, worker.id).status, "offline");
  EXPECT_EQ(errorOf([&] { registry_->deregister("org-b", worker.id); }), ErrorCode::NotFound);
}

namespace {
struct RecordingListener : JobEventListener {
  std::vector<JobEvent> events;
  void onJobEvent(const JobEvent& event) noexcept override { events.push_back(event); }
};
}  // namespace

TEST_F(JobEngineTest, ListenersHearCommittedChangesWithProcessingTime) {
  RecordingListener listener;
  engine_->addListener(&listener);
  const auto id = createJob("q", 0, 0);
  const auto claimed = claimOne("q");
  advance(1500ms);
  engine_->fail(kOrg, id, LeaseRef{"w1", claimed.leaseId}, "boom", true);
  EXPECT_THROW(engine_->cancel(kOrg, id), ApiError);  // refused: no event
  ASSERT_EQ(listener.events.size(), 3u);
  EXPECT_EQ(listener.events[0].kind, JobEvent::Kind::Created);
  EXPECT_EQ(listener.events[1].kind, JobEvent::Kind::Claimed);
  EXPECT_EQ(listener.events[2].kind, JobEvent::Kind::DeadLettered);
  EXPECT_EQ(listener.events[2].queueName, "q");
  EXPECT_EQ(listener.events[2].processingTime, 1500ms);
}

TEST(JobNotifierTest, AJobAnnouncedAfterTheTicketWakesALaterWait) {
  JobNotifier notifier;
  const auto ticket = notifier.ticket("o", "q");
  notifier.notify("o", "q");  // between "found nothing" and "start waiting"
  EXPECT_TRUE(notifier.waitFor("o", "q", ticket, 0ms));
  EXPECT_FALSE(notifier.waitFor("o", "q", notifier.ticket("o", "q"), 10ms));
  const auto other = notifier.ticket("o", "other");
  notifier.notify("o", "q");
  EXPECT_FALSE(notifier.waitFor("o", "other", other, 10ms));
}
