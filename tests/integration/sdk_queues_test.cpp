// QueuesResource against a real spooled-server: what an SDK user sees of queue configuration, stats,
// pause and resume.
#include <future>

#include "sdk_server_fixture.hpp"

namespace spooled::test {
namespace {

using namespace std::chrono_literals;

class SdkQueuesTest : public SdkServerTest {
 protected:
  QueuesResource& queues() { return client_->queues(); }
};

TEST_F(SdkQueuesTest, ListGetAndConfigure) {
  createJob("emails");
  const auto listed = queues().list();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].queueName, "emails");
  EXPECT_EQ(listed[0].maxRetries, 3);
  EXPECT_EQ(listed[0].defaultTimeout, 300);
  EXPECT_FALSE(listed[0].rateLimit);
  EXPECT_TRUE(listed[0].enabled);

  const QueueConfig defaults = queues().get("emails");
  EXPECT_FALSE(defaults.id.empty());
  EXPECT_FALSE(defaults.organizationId.empty());
  EXPECT_EQ(defaults.queueName, "emails");
  EXPECT_EQ(defaults.settings, json::object());
  EXPECT_FALSE(defaults.createdAt.empty());

  QueueConfig updated = queues().updateConfig(
      "emails", {.maxRetries = 5, .defaultTimeout = 60, .rateLimit = 100, .settings = json{{"owner", "growth"}}});
  EXPECT_EQ(updated.id, defaults.id);
  EXPECT_EQ(updated.maxRetries, 5);
  EXPECT_EQ(updated.defaultTimeout, 60);
  EXPECT_EQ(updated.rateLimit, 100);
  EXPECT_EQ(updated.settings, (json{{"owner", "growth"}}));

  updated = queues().updateConfig("emails", {.removeRateLimit = true});
  EXPECT_FALSE(updated.rateLimit);
  EXPECT_EQ(updated.maxRetries, 5);  // untouched
  EXPECT_EQ(queues().get("emails").maxRetries, 5);
}

TEST_F(SdkQueuesTest, ErrorsArriveAsTheirExceptionClasses) {
  EXPECT_THROW(queues().get("never-used"), NotFoundError);
  EXPECT_THROW(queues().get(".bad"), ValidationError);
  EXPECT_THROW(queues().updateConfig("q", {.maxRetries = 101}), ValidationError);
  EXPECT_THROW(queues().resume("ghost"), NotFoundError);
  createJob("busy");
  try {
    queues().remove("busy");
    FAIL() << "deleting a queue with pending jobs must be refused";
  } catch (const ConflictError& e) {
    EXPECT_EQ(e.status(), 409);
  }
}

TEST_F(SdkQueuesTest, StatsReflectTheQueuesJobs) {
  const std::string worker = registerWorker("s");
  createJob("s");
  createJob("s");
  const auto claimed = claim("s", worker);
  ASSERT_EQ(claimed.size(), 1u);
  client_->jobs().complete(claimed[0].id, {.workerId = worker, .leaseId = claimed[0].leaseId});
  const QueueStats stats = queues().stats("s");
  EXPECT_EQ(stats.queueName, "s");
  EXPECT_EQ(stats.pendingJobs, 1);
  EXPECT_EQ(stats.processingJobs, 0);
  EXPECT_EQ(stats.completedJobs24h, 1);
  EXPECT_EQ(stats.failedJobs24h, 0);
  EXPECT_TRUE(stats.avgProcessingTimeMs);
  EXPECT_TRUE(stats.maxJobAgeSeconds);
  EXPECT_EQ(stats.activeWorkers, 1);
}

TEST_F(SdkQueuesTest, PauseHoldsJobsAndResumeReleasesAWaitingWorker) {
  const std::string id = createJob("p");
  const std::string worker = registerWorker("p");
  const PauseQueueResult paused = queues().pause("p", std::string("maintenance"));
  EXPECT_EQ(paused.queueName, "p");
  EXPECT_TRUE(paused.paused);
  EXPECT_FALSE(paused.pausedAt.empty());
  EXPECT_EQ(paused.reason, "maintenance");
  EXPECT_TRUE(claim("p", worker).empty());
  const QueueConfig config = queues().get("p");
  EXPECT_TRUE(config.paused);
  EXPECT_FALSE(config.enabled);
  EXPECT_EQ(config.pauseReason, "maintenance");

  auto waiting = std::async(std::launch::async, [&] {
    return client_->jobs().claim({.queueName = "p", .workerId = worker, .waitMs = 20000});
  });
  EXPECT_EQ(waiting.wait_for(1s), std::future_status::timeout);
  const ResumeQueueResult resumed = queues().resume("p");
  EXPECT_TRUE(resumed.resumed);
  EXPECT_GE(resumed.pausedDurationSecs, 0);
  ASSERT_EQ(waiting.wait_for(10s), std::future_status::ready);
  const auto got = waiting.get();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].id, id);
}

TEST_F(SdkQueuesTest, PauseWithoutAReasonAndRemove) {
  const PauseQueueResult paused = queues().pause("tmp");
  EXPECT_FALSE(paused.reason);
  EXPECT_TRUE(queues().list().at(0).paused);
  queues().remove("tmp");
  EXPECT_THROW(queues().get("tmp"), NotFoundError);
  EXPECT_TRUE(queues().list().empty());
}

}  // namespace
}  // namespace spooled::test
