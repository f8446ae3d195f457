// SpooledWorker against a real server: a throwing handler fails the job, which is retried with
// backoff and then dead-lettered; NonRetryableError dead-letters at once.
#include <atomic>
#include <mutex>

#include "support/worker_fixture.hpp"

namespace spooled::test {
namespace {

class WorkerFailuresTest : public WorkerFixture {};

TEST_F(WorkerFailuresTest, AFailingJobIsRetriedAfterABackoffThenDeadLettered) {
  const std::string id = createJob("emails", {{"userId", "404"}}, 1);
  EventLog events;
  std::mutex mutex;
  std::vector<std::chrono::steady_clock::time_point> attempts;
  std::vector<int> retryCounts;
  SpooledWorker worker(*client_, fastOptions("emails"));
  events.attach(worker);
  worker.process([&](JobContext& ctx) -> json {
    {
      const std::lock_guard lock(mutex);
      attempts.push_back(std::chrono::steady_clock::now());
      retryCounts.push_back(ctx.retryCount);
    }
    throw std::runtime_error("User not found: " + ctx.payload["userId"].get<std::string>());
  });
  worker.start();

  const Job dead = waitForStatus(id, "deadletter", 30s);
  EXPECT_EQ(dead.lastError.value_or(""), "User not found: 404");
  EXPECT_EQ(dead.retryCount, 2);
  ASSERT_TRUE(events.waitFor(worker_events::jobFailed, 2, 5s)) << events.describe();
  const auto failed = events.named(worker_events::jobFailed);
  EXPECT_EQ(failed[0].error, "User not found: 404");
  EXPECT_TRUE(failed[0].willRetry);    // retry_count 0 -> 1 <= max_retries 1
  EXPECT_FALSE(failed[1].willRetry);   // retry_count 1 -> 2 > 1
  const std::lock_guard lock(mutex);
  ASSERT_EQ(attempts.size(), 2u);
  EXPECT_EQ(retryCounts, (std::vector<int>{0, 1}));
  // The server's backoff (2^retry_count seconds, jittered) separates the attempts; polling alone
  // (100 ms) would have retried at once.
  EXPECT_GE(attempts[1] - attempts[0], 900ms);
}

TEST_F(WorkerFailuresTest, NonRetryableErrorDeadLettersAtOnce) {
  const std::string id = createJob("emails", {{"to", "ada@example.com"}}, 5);
  EventLog events;
  std::atomic<int> calls{0};
  SpooledWorker worker(*client_, fastOptions("emails"));
  events.attach(worker);
  worker.process([&](JobContext&) -> json {
    ++calls;
    throw NonRetryableError("Missing required fields: to, template");
  });
  worker.start();

  const Job dead = waitForStatus(id, "deadletter");
  EXPECT_EQ(dead.lastError.value_or(""), "Missing required fields: to, template");
  ASSERT_TRUE(events.waitFor(worker_events::jobFailed, 1, 5s));
  EXPECT_FALSE(events.named(worker_events::jobFailed).at(0).willRetry);
  // It stays dead: no second attempt although five retries were allowed.
  worker.stop();
  ASSERT_TRUE(worker.waitFor(10s));
  EXPECT_EQ(calls.load(), 1);
  EXPECT_EQ(job(id).status, "deadletter");
}

TEST_F(WorkerFailuresTest, ANonStandardExceptionStillFailsTheJob) {
  const std::string id = createJob("emails", json::object(), 0);
  SpooledWorker worker(*client_, fastOptions("emails"));
  worker.process([](JobContext&) -> json { throw 42; });
  worker.start();
  const Job dead = waitForStatus(id, "deadletter");
  EXPECT_FALSE(dead.lastError.value_or("").empty());
}

TEST_F(WorkerFailuresTest, ARetriedJobSucceedsOnItsSecondAttempt) {
  const std::string id = createJob("emails", json::object(), 3);
  SpooledWorker worker(*client_, fastOptions("emails"));
  worker.process([](JobContext& ctx) -> json {
    if (ctx.retryCount == 0) throw std::runtime_error("temporary outage");
    return {{"attempt", ctx.retryCount + 1}};
  });
  worker.start();
  const Job done = waitForStatus(id, "completed", 30s);
  EXPECT_EQ(done.result.value_or(json()).value("attempt", 0), 2);
  EXPECT_EQ(done.retryCount, 1);
}

}  // namespace
}  // namespace spooled::test
