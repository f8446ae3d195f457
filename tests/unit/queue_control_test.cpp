// QueueControl on a real SQLite file with a clock the test moves: configuration, pause and resume,
// deletion and stats as a user of the queue endpoints sees them.
#include "server/core/queue_control.hpp"

#include <gtest/gtest.h>

#include "unit/notifier_helpers.hpp"

#include <atomic>
#include <filesystem>

#include "common/error_code.hpp"
#include "common/ids.hpp"

using namespace std::chrono_literals;
using namespace spooled;
using namespace spooled::server;

namespace {

class QueueControlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("spooled-queues-" + randomHex(6));
    store_ = openStore("sqlite:" + (dir_ / "test.db").string());
    const NowFn clock = [this] { return fromEpochMs(nowMs_.load()); };
    engine_ = std::make_unique<JobEngine>(*store_, notifier_, RetryPolicy{}, clock);
    queues_ = std::make_unique<QueueControl>(*store_, notifier_, clock);
  }
  void TearDown() override {
    queues_.reset();
    engine_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::string createJob(const std::string& queue) {
    CreateJobInput in;
    in.queueName = queue;
    return syncWait(engine_->create(kOrg, in)).id;
  }
  std::size_t claim(const std::string& queue, int limit = 10) {
    return syncWait(engine_->claim(kOrg, ClaimInput{queue, "w1", limit, 30})).size();
  }

  static constexpr const char* kOrg = "org-a";
  std::filesystem::path dir_;
  std::atomic<long long> nowMs_{1'800'000'000'000};
  std::unique_ptr<Store> store_;
  JobNotifier notifier_;
  std::unique_ptr<JobEngine> engine_;
  std::unique_ptr<QueueControl> queues_;
};

}  // namespace

TEST_F(QueueControlTest, AQueueExistsThroughItsJobsWithTheDefaults) {
  EXPECT_FALSE(queues_->find(kOrg, "q"));
  createJob("q");
  const auto queue = queues_->find(kOrg, "q");
  ASSERT_TRUE(queue);
  EXPECT_EQ(queue->maxRetries, kDefaultQueueMaxRetries);
  EXPECT_EQ(queue->defaultTimeout, kDefaultQueueTimeoutSecs);
  EXPECT_TRUE(queue->enabled);
  EXPECT_EQ(queue->id, queueRecordId(kOrg, "q"));
  EXPECT_TRUE(isUuid(queue->id));
  EXPECT_NE(queueRecordId("org-b", "q"), queue->id);
  EXPECT_FALSE(queues_->find("org-b", "q"));
}

TEST_F(QueueControlTest, ConfigUpdatesKeepWhatIsNotGiven) {
  QueueConfigUpdate first;
  first.maxRetries = 7;
  first.rateLimit = std::optional<int>(20);
  syncWait(queues_->updateConfig(kOrg, "q", first));
  QueueConfigUpdate second;
  second.defaultTimeout = 60;
  const QueueRecord queue = syncWait(queues_->updateConfig(kOrg, "q", second));
  EXPECT_EQ(queue.maxRetries, 7);
  EXPECT_EQ(queue.rateLimit, 20);
  EXPECT_EQ(queue.defaultTimeout, 60);
  QueueConfigUpdate removeLimit;
  removeLimit.rateLimit = std::optional<int>{};
  EXPECT_FALSE(syncWait(queues_->updateConfig(kOrg, "q", removeLimit)).rateLimit);
}

TEST_F(QueueControlTest, PauseHoldsJobsAndResumeReportsHowLong) {
  createJob("q");
  const QueueRecord paused = syncWait(queues_->pause(kOrg, "q", std::string("deploy")));
  EXPECT_TRUE(paused.paused);
  EXPECT_EQ(paused.pauseReason, "deploy");
  EXPECT_EQ(claim("q"), 0u);
  nowMs_ += 90'000;
  EXPECT_EQ(syncWait(queues_->pause(kOrg, "q", std::nullopt)).pausedAt, paused.pausedAt);  // the first pause counts

  const auto ticket = notifier_.ticket(kOrg, "q");
  const ResumeOutcome resumed = syncWait(queues_->resume(kOrg, "q"));
  EXPECT_EQ(resumed.pausedDurationSecs, 90);
  EXPECT_FALSE(resumed.queue.paused);
  EXPECT_TRUE(notifiedSince(notifier_, kOrg, "q", ticket));  // long-polling claimers wake
  EXPECT_EQ(claim("q"), 1u);
  EXPECT_EQ(syncWait(queues_->resume(kOrg, "q")).pausedDurationSecs, 0);
}

TEST_F(QueueControlTest, EnablingLiftsAPauseAndResumingEnables) {
  createJob("q");
  createJob("q");
  syncWait(queues_->pause(kOrg, "q", std::nullopt));
  QueueConfigUpdate enable;
  enable.enabled = true;
  EXPECT_FALSE(syncWait(queues_->updateConfig(kOrg, "q", enable)).paused);
  EXPECT_EQ(claim("q", 1), 1u);

  QueueConfigUpdate disable;
  disable.enabled = false;
  syncWait(queues_->updateConfig(kOrg, "q", disable));
  EXPECT_EQ(claim("q"), 0u);
  EXPECT_TRUE(syncWait(queues_->resume(kOrg, "q")).queue.enabled);
  EXPECT_EQ(claim("q"), 1u);
}

TEST_F(QueueControlTest, ResumeAndRemoveOfAnUnknownQueueAreNotFound) {
  const auto codeOf = [](const std::function<void()>& fn) {
    try {
      fn();
    } catch (const ApiError& e) {
      return e.code();
    }
    return ErrorCode::Internal;
  };
  EXPECT_EQ(codeOf([&] { syncWait(queues_->resume(kOrg, "ghost")); }), ErrorCode::NotFound);
  EXPECT_EQ(codeOf([&] { syncWait(queues_->remove(kOrg, "ghost")); }), ErrorCode::NotFound);
  createJob("busy");
  syncWait(queues_->pause(kOrg, "busy", std::nullopt));
  EXPECT_EQ(codeOf([&] { syncWait(queues_->remove(kOrg, "busy")); }), ErrorCode::Conflict);
  EXPECT_TRUE(queues_->find(kOrg, "busy")->paused);
}

TEST_F(QueueControlTest, StatsCountTheLastDayOnly) {
  createJob("s");
  createJob("s");
  const auto claimed = syncWait(engine_->claim(kOrg, ClaimInput{"s", "w1", 1, 30}));
  ASSERT_EQ(claimed.size(), 1u);
  nowMs_ += 2'000;
  syncWait(engine_->complete(kOrg, claimed[0].id, LeaseRef{"w1", claimed[0].leaseId}, std::nullopt));
  QueueStatsView stats = queues_->stats(kOrg, "s");
  EXPECT_EQ(stats.pendingJobs, 1);
  EXPECT_EQ(stats.completedJobs24h, 1);
  EXPECT_EQ(stats.avgProcessingTimeMs, 2000.0);
  EXPECT_EQ(stats.maxJobAgeSeconds, 2);

  nowMs_ += 25LL * 3600 * 1000;  // a day later, the completion no longer counts
  stats = queues_->stats(kOrg, "s");
  EXPECT_EQ(stats.completedJobs24h, 0);
  EXPECT_FALSE(stats.avgProcessingTimeMs);
  EXPECT_EQ(stats.maxJobAgeSeconds, 25 * 3600 + 2);
}
