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
#include "unit/notifier_helpers.hpp"

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
    return syncWait(engine_->create(kOrg, in)).id;
  }

  JobRecord job(const std::string& id) {
    return *store_->readResult([&](StoreReader& r) { return r.findJob(kOrg, id); });
  }

  JobRecord claimOne(const std::string& queue, const std::string& worker = "w1", int leaseSecs = 30) {
    auto jobs = syncWait(engine_->claim(kOrg, ClaimInput{queue, worker, 1, leaseSecs}));
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
  auto jobs = syncWait(engine_->claim(kOrg, ClaimInput{"q", "w1", 3, 30}));
  ASSERT_EQ(jobs.size(), 3u);
  EXPECT_EQ(jobs[0].id, highOld);
  EXPECT_EQ(jobs[1].id, highNew);
  EXPECT_EQ(jobs[2].id, low);
  for (const auto& j : jobs) {
    EXPECT_EQ(j.status, JobStatus::Processing);
    EXPECT_TRUE(j.leaseId);
  }
  EXPECT_TRUE(syncWait(engine_->claim(kOrg, ClaimInput{"q", "w1", 3, 30})).empty());
}

TEST_F(JobEngineTest, IdempotencyKeyReturnsTheFirstJob) {
  CreateJobInput in;
  in.queueName = "q";
  in.idempotencyKey = "order-42";
  const auto first = syncWait(engine_->create(kOrg, in));
  const auto second = syncWait(engine_->create(kOrg, in));
  EXPECT_TRUE(first.created);
  EXPECT_FALSE(second.created);
  EXPECT_EQ(first.id, second.id);
  const auto otherOrg = syncWait(engine_->create("org-b", in));
  EXPECT_TRUE(otherOrg.created);
  EXPECT_NE(otherOrg.id, first.id);
}

TEST_F(JobEngineTest, ScheduledJobIsClaimableOnlyWhenDue) {
  CreateJobInput in;
  in.queueName = "q";
  in.scheduledAt = now() + 10s;
  const auto id = syncWait(engine_->create(kOrg, in)).id;
  EXPECT_EQ(job(id).status, JobStatus::Scheduled);
  EXPECT_TRUE(syncWait(engine_->claim(kOrg, ClaimInput{"q", "w1", 1, 30})).empty());
  advance(10s);
  EXPECT_EQ(claimOne("q").id, id);
}

TEST_F(JobEngineTest, FailureRetriesWithBackoffThenDeadLetters) {
  const auto id = createJob("q", 0, 1);
  auto claimed = claimOne("q");
  auto outcome = syncWait(engine_->fail(kOrg, id, LeaseRef{"w1", claimed.leaseId}, "smtp down", true));
  EXPECT_TRUE(outcome.willRetry);
  EXPECT_EQ(job(id).status, JobStatus::Pending);
  EXPECT_EQ(job(id).retryCount, 1);
  EXPECT_TRUE(syncWait(engine_->claim(kOrg, ClaimInput{"q", "w1", 1, 30})).empty()) << "backoff not respected";
  advance(3s);
  claimed = claimOne("q");
  outcome = syncWait(engine_->fail(kOrg, id, LeaseRef{"w1", claimed.leaseId}, "smtp still down", true));
  EXPECT_FALSE(outcome.willRetry);
  EXPECT_EQ(job(id).status, JobStatus::Deadletter);
  EXPECT_EQ(job(id).lastError, "smtp still down");
}

TEST_F(JobEngineTest, StaleLeaseChangesNothing) {
  const auto id = createJob("q");
  const auto claimed = claimOne("q");
  const auto before = job(id);
  EXPECT_EQ(errorOf([&] { syncWait(engine_->complete(kOrg, id, LeaseRef{"w1", "not-the-lease"}, json{{"x", 1}})); }),
            ErrorCode::LeaseExpired);
  EXPECT_EQ(errorOf([&] { syncWait(engine_->fail(kOrg, id, LeaseRef{"w2", claimed.leaseId}, "x", true)); }),
            ErrorCode::LeaseExpired);
  const auto after = job(id);
  EXPECT_EQ(after.status, JobStatus::Processing);
  EXPECT_EQ(after.retryCount, before.retryCount);
  EXPECT_FALSE(after.result);
}

TEST_F(JobEngineTest, ReaperReturnsExpiredLeasesAsFailedAttempts) {
  const auto id = createJob("q", 0, 1);
  const auto claimed = claimOne("q", "w1", 5);
  EXPECT_EQ(syncWait(engine_->reapExpiredLeases()), 0);
  advance(5s);
  EXPECT_EQ(syncWait(engine_->reapExpiredLeases()), 1);
  EXPECT_EQ(job(id).status, JobStatus::Pending);
  EXPECT_EQ(job(id).retryCount, 1);
  EXPECT_EQ(errorOf([&] { syncWait(engine_->complete(kOrg, id, LeaseRef{"w1", claimed.leaseId}, std::nullopt)); }),
            ErrorCode::LeaseExpired);
  claimOne("q", "w2", 5);
  advance(6s);
  EXPECT_EQ(syncWait(engine_->reapExpiredLeases()), 1);
  EXPECT_EQ(job(id).status, JobStatus::Deadletter);
}

TEST_F(JobEngineTest, HeartbeatKeepsTheLeaseAlive) {
  const auto id = createJob("q");
  const auto claimed = claimOne("q", "w1", 5);
  for (int i = 0; i < 5; ++i) {
    advance(4s);
    syncWait(engine_->heartbeat(kOrg, id, LeaseRef{"w1", claimed.leaseId}, 5));
    EXPECT_EQ(syncWait(engine_->reapExpiredLeases()), 0);
  }
  syncWait(engine_->complete(kOrg, id, LeaseRef{"w1", claimed.leaseId}, json{{"ok", true}}));
  EXPECT_EQ(job(id).status, JobStatus::Completed);
  EXPECT_EQ(job(id).result, (json{{"ok", true}}));
}

TEST_F(JobEngineTest, CancelOfARunningJobRevokesItsLease) {
  const auto id = createJob("q");
  const auto claimed = claimOne("q");
  EXPECT_EQ(syncWait(engine_->cancel(kOrg, id)).status, JobStatus::Cancelled);
  const LeaseRef lease{"w1", claimed.leaseId};
  EXPECT_EQ(errorOf([&] { syncWait(engine_->heartbeat(kOrg, id, lease, 30)); }), ErrorCode::JobCancelled);
  EXPECT_EQ(errorOf([&] { syncWait(engine_->complete(kOrg, id, lease, json{{"late", true}})); }), ErrorCode::JobCancelled);
  EXPECT_EQ(errorOf([&] { syncWait(engine_->fail(kOrg, id, lease, "x", true)); }), ErrorCode::JobCancelled);
  EXPECT_EQ(job(id).status, JobStatus::Cancelled);
  EXPECT_FALSE(job(id).result);
  EXPECT_EQ(errorOf([&] { syncWait(engine_->cancel(kOrg, id)); }), ErrorCode::Conflict);
}

TEST_F(JobEngineTest, OtherOrganizationsJobsAreNotFound) {
  const auto id = createJob("q");
  EXPECT_EQ(errorOf([&] { syncWait(engine_->cancel("org-b", id)); }), ErrorCode::NotFound);
  EXPECT_TRUE(syncWait(engine_->claim("org-b", ClaimInput{"q", "w1", 10, 30})).empty());
}

TEST_F(JobEngineTest, PausedQueueHandsOutNothing) {
  createJob("q");
  QueueRecord queue;
  queue.id = newUuid();
  queue.orgId = kOrg;
  queue.queueName = "q";
  queue.paused = true;
  queue.createdAt = queue.updatedAt = now();
  store_->writeNow([&](StoreTx& tx) { tx.upsertQueue(queue); });
  EXPECT_TRUE(syncWait(engine_->claim(kOrg, ClaimInput{"q", "w1", 1, 30})).empty());
  queue.paused = false;
  store_->writeNow([&](StoreTx& tx) { tx.upsertQueue(queue); });
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
        auto jobs = syncWait(engine_->claim(kOrg, ClaimInput{"q", "w" + std::to_string(t), 3, 30}));
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
  const auto worker = syncWait(registry_->registerWorker(kOrg, in));
  EXPECT_EQ(syncWait(registry_->markSilentWorkersOffline()), 0);
  advance(91s);
  EXPECT_EQ(syncWait(registry_->markSilentWorkersOffline()), 1);
  auto stored = store_->readResult([&](StoreReader& r) { return r.findWorker(kOrg, worker.id); });
  EXPECT_EQ(stored->status, "offline");
  EXPECT_EQ(syncWait(registry_->heartbeat(kOrg, worker.id, WorkerHeartbeatInput{2, std::nullopt, std::nullopt})).status,
            "healthy");
  EXPECT_EQ(syncWait(registry_->deregister(kOrg, worker.id)).status, "offline");
  EXPECT_EQ(errorOf([&] { syncWait(registry_->deregister("org-b", worker.id)); }), ErrorCode::NotFound);
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
  syncWait(engine_->fail(kOrg, id, LeaseRef{"w1", claimed.leaseId}, "boom", true));
  EXPECT_THROW(syncWait(engine_->cancel(kOrg, id)), ApiError);  // refused: no event
  ASSERT_EQ(listener.events.size(), 3u);
  EXPECT_EQ(listener.events[0].kind, JobEvent::Kind::Created);
  EXPECT_EQ(listener.events[1].kind, JobEvent::Kind::Claimed);
  EXPECT_EQ(listener.events[2].kind, JobEvent::Kind::DeadLettered);
  EXPECT_EQ(listener.events[2].queueName, "q");
  EXPECT_EQ(listener.events[2].processingTime, 1500ms);
}

namespace {
// Dead-letters a fresh job of `queue` (max_retries 0, one failed attempt) and returns its id.
std::string deadLetteredJob(JobEngine& engine, const std::string& org, const std::string& queue) {
  CreateJobInput in;
  in.queueName = queue;
  in.maxRetries = 0;
  const std::string id = syncWait(engine.create(org, in)).id;
  const auto claimed = syncWait(engine.claim(org, ClaimInput{queue, "w-dlq", 1, 30}));
  EXPECT_EQ(claimed.size(), 1u);
  if (!claimed.empty()) syncWait(engine.fail(org, id, LeaseRef{"w-dlq", claimed[0].leaseId}, "boom", true));
  return id;
}
}  // namespace

TEST_F(JobEngineTest, CreateManyStoresEveryItemAndHonoursIdempotencyWithinTheBatch) {
  RecordingListener listener;
  engine_->addListener(&listener);
  std::vector<CreateJobInput> inputs(3);
  for (auto& in : inputs) in.queueName = "bulk";
  inputs[0].idempotencyKey = "k";
  inputs[2].idempotencyKey = "k";
  inputs[1].priority = 7;
  const auto outcomes = syncWait(engine_->createMany(kOrg, inputs));
  ASSERT_EQ(outcomes.size(), 3u);
  EXPECT_TRUE(outcomes[0].created);
  EXPECT_TRUE(outcomes[1].created);
  EXPECT_FALSE(outcomes[2].created);
  EXPECT_EQ(outcomes[2].id, outcomes[0].id);
  EXPECT_EQ(job(outcomes[1].id).priority, 7);
  EXPECT_EQ(listener.events.size(), 2u);  // one Created per new job
  EXPECT_EQ(claimOne("bulk").id, outcomes[1].id);
}

TEST_F(JobEngineTest, ManualRetryPutsAFailedJobBackInTheQueue) {
  const auto id = deadLetteredJob(*engine_, kOrg, "q");
  const auto ticket = notifier_.ticket(kOrg, "q");
  const JobRecord retried = syncWait(engine_->retry(kOrg, id));
  EXPECT_EQ(retried.status, JobStatus::Pending);
  EXPECT_TRUE(notifiedSince(notifier_, kOrg, "q", ticket));  // long-polling claimers wake
  EXPECT_EQ(claimOne("q").id, id);
  EXPECT_EQ(errorOf([&] { syncWait(engine_->retry(kOrg, id)); }), ErrorCode::Conflict);  // processing now
  EXPECT_EQ(errorOf([&] { syncWait(engine_->retry("org-b", id)); }), ErrorCode::NotFound);
  EXPECT_EQ(errorOf([&] { syncWait(engine_->retry(kOrg, newUuid())); }), ErrorCode::NotFound);
}

TEST_F(JobEngineTest, DeadLetterRetryByIdsSkipsJobsThatAreNotDeadLettered) {
  const auto dead = deadLetteredJob(*engine_, kOrg, "q");
  const auto alive = createJob("q");
  const auto foreign = deadLetteredJob(*engine_, "org-b", "q");
  DeadLetterSelection selection;
  selection.jobIds = std::vector<std::string>{dead, alive, foreign, dead, newUuid()};
  EXPECT_EQ(syncWait(engine_->retryDeadLetters(kOrg, selection)), std::vector<std::string>{dead});
  EXPECT_EQ(job(dead).status, JobStatus::Pending);
  EXPECT_EQ(job(dead).retryCount, 0);
  EXPECT_EQ(store_->readResult([&](StoreReader& r) { return r.findJob("org-b", foreign); })->status,
            JobStatus::Deadletter);
}

TEST_F(JobEngineTest, DeadLetterRetryByQueueTakesTheOldestUpToTheLimit) {
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    ids.push_back(deadLetteredJob(*engine_, kOrg, "q"));
    advance(1s);
  }
  const auto elsewhere = deadLetteredJob(*engine_, kOrg, "r");
  DeadLetterSelection selection;
  selection.queueName = "q";
  selection.limit = 2;
  EXPECT_EQ(syncWait(engine_->retryDeadLetters(kOrg, selection)), (std::vector<std::string>{ids[0], ids[1]}));
  EXPECT_EQ(job(ids[2]).status, JobStatus::Deadletter);
  EXPECT_EQ(job(elsewhere).status, JobStatus::Deadletter);
  // No ids and no queue: the organization's whole dead-letter queue (up to the limit).
  EXPECT_EQ(syncWait(engine_->retryDeadLetters(kOrg, DeadLetterSelection{})).size(), 2u);
}

TEST_F(JobEngineTest, PurgeDeletesOnlyDeadLettersMatchingQueueAgeAndLimit) {
  const auto old1 = deadLetteredJob(*engine_, kOrg, "q");
  advance(1s);
  const auto old2 = deadLetteredJob(*engine_, kOrg, "q");
  advance(1s);
  const TimePoint cutoff = now();
  const auto fresh = deadLetteredJob(*engine_, kOrg, "q");
  const auto otherQueue = deadLetteredJob(*engine_, kOrg, "r");
  const auto foreign = deadLetteredJob(*engine_, "org-b", "q");
  const auto alive = createJob("q");

  EXPECT_EQ(syncWait(engine_->purgeDeadLetters(kOrg, DeadLetterPurge{std::string("q"), cutoff, 1})), 1);
  const auto exists = [&](const std::string& org, const std::string& id) {
    return store_->readResult([&](StoreReader& r) { return r.findJob(org, id).has_value(); });
  };
  EXPECT_FALSE(exists(kOrg, old1));  // oldest first
  EXPECT_TRUE(exists(kOrg, old2));
  EXPECT_EQ(syncWait(engine_->purgeDeadLetters(kOrg, DeadLetterPurge{std::string("q"), cutoff, std::nullopt})), 1);
  EXPECT_FALSE(exists(kOrg, old2));
  EXPECT_TRUE(exists(kOrg, fresh));
  EXPECT_EQ(syncWait(engine_->purgeDeadLetters(kOrg, DeadLetterPurge{})), 2);  // fresh and otherQueue
  EXPECT_FALSE(exists(kOrg, otherQueue));
  EXPECT_TRUE(exists(kOrg, alive));
  EXPECT_TRUE(exists("org-b", foreign));
}

TEST_F(JobEngineTest, PriorityChangeReordersWaitingJobs) {
  const auto first = createJob("q", 1);
  const auto second = createJob("q", 0);
  const PriorityChange change = syncWait(engine_->changePriority(kOrg, second, 50));
  EXPECT_EQ(change.jobId, second);
  EXPECT_EQ(change.oldPriority, 0);
  EXPECT_EQ(change.newPriority, 50);
  EXPECT_EQ(claimOne("q").id, second);
  EXPECT_EQ(errorOf([&] { syncWait(engine_->changePriority(kOrg, second, 10)); }), ErrorCode::Conflict);
  EXPECT_EQ(errorOf([&] { syncWait(engine_->changePriority("org-b", first, 10)); }), ErrorCode::NotFound);
}

namespace {
QueueRecord rateLimitedQueue(const std::string& org, const std::string& name, int rate, TimePoint now) {
  QueueRecord queue;
  queue.id = newUuid();
  queue.orgId = org;
  queue.queueName = name;
  queue.rateLimit = rate;
  queue.createdAt = queue.updatedAt = now;
  return queue;
}
}  // namespace

TEST_F(JobEngineTest, QueueRateLimitCapsClaimsPerSecond) {
  for (int i = 0; i < 10; ++i) createJob("limited");
  QueueRecord queue = rateLimitedQueue(kOrg, "limited", 3, now());
  store_->writeNow([&](StoreTx& tx) { tx.upsertQueue(queue); });

  EXPECT_EQ(syncWait(engine_->claim(kOrg, ClaimInput{"limited", "w1", 10, 30})).size(), 3u);
  EXPECT_TRUE(syncWait(engine_->claim(kOrg, ClaimInput{"limited", "w1", 10, 30})).empty());  // not an error: just none
  advance(1s);
  EXPECT_EQ(syncWait(engine_->claim(kOrg, ClaimInput{"limited", "w1", 10, 30})).size(), 3u);
  // Another queue of the organization is not limited.
  for (int i = 0; i < 5; ++i) createJob("free");
  EXPECT_EQ(syncWait(engine_->claim(kOrg, ClaimInput{"free", "w1", 10, 30})).size(), 5u);
  // Without a rate limit, the rest comes out at once.
  queue.rateLimit.reset();
  store_->writeNow([&](StoreTx& tx) { tx.upsertQueue(queue); });
  EXPECT_EQ(syncWait(engine_->claim(kOrg, ClaimInput{"limited", "w1", 10, 30})).size(), 4u);
}

TEST_F(JobEngineTest, RateLimitedClaimsThatFindNothingDoNotUseUpTheBudget) {
  const QueueRecord queue = rateLimitedQueue(kOrg, "limited", 2, now());
  store_->writeNow([&](StoreTx& tx) { tx.upsertQueue(queue); });
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(syncWait(engine_->claim(kOrg, ClaimInput{"limited", "w1", 5, 30})).empty());
  createJob("limited");
  createJob("limited");
  EXPECT_EQ(syncWait(engine_->claim(kOrg, ClaimInput{"limited", "w1", 5, 30})).size(), 2u);
}
