// SpooledWorker against a real server: the graceful shutdown — running jobs finish, no new ones are
// claimed, and a job that outlives shutdownTimeout is failed for retry.
#include <atomic>

#include "support/worker_fixture.hpp"

namespace spooled::test {
namespace {

class WorkerShutdownTest : public WorkerFixture {};

TEST_F(WorkerShutdownTest, StopLetsARunningJobFinishAndClaimsNothingNew) {
  const std::string running = createJob("emails");
  // One slot, held by the running job: no claim is in flight when stop() is called, so the job
  // created afterwards could only be taken by polling that should have stopped.
  WorkerOptions options = fastOptions("emails");
  options.concurrency = 1;
  EventLog events;
  std::atomic<bool> release{false};
  std::atomic<bool> cancelled{false};
  SpooledWorker worker(*client_, options);
  events.attach(worker);
  worker.process([&](JobContext& ctx) -> json {
    while (!release.load()) {
      if (ctx.waitCancelled(5ms)) cancelled = true;
    }
    return {{"finished", true}};
  });
  worker.start();
  const std::string workerId = worker.getWorkerId().value();
  waitForStatus(running, "processing");

  worker.stop();
  EXPECT_EQ(worker.getState(), WorkerState::stopping);
  EXPECT_TRUE(worker.isRunning());  // still draining
  const std::string later = createJob("emails");
  EXPECT_FALSE(worker.waitFor(300ms));  // the job holds the shutdown open
  release = true;
  ASSERT_TRUE(worker.waitFor(10s));

  EXPECT_EQ(worker.getState(), WorkerState::stopped);
  EXPECT_FALSE(cancelled.load());
  EXPECT_EQ(job(running).status, "completed");
  EXPECT_EQ(job(later).status, "pending");  // claimed by nobody
  EXPECT_EQ(client_->workers().get(workerId).status, "offline");
  // The order the guide promises: the job completes, then the worker reports it stopped.
  const std::string order = events.describe();
  EXPECT_LT(order.find("job:completed"), order.find("stopped")) << order;
}

TEST_F(WorkerShutdownTest, AJobOutlivingShutdownTimeoutIsFailedForRetryAndItsContextCancelled) {
  const std::string id = createJob("emails", json::object(), 3);
  WorkerOptions options = fastOptions("emails");
  options.shutdownTimeout = 500ms;
  EventLog events;
  std::atomic<bool> sawCancel{false};
  std::atomic<bool> returned{false};
  SpooledWorker worker(*client_, options);
  events.attach(worker);
  worker.process([&](JobContext& ctx) -> json {
    sawCancel = ctx.waitCancelled(30s);  // a stuck job: only the cancel ends it
    returned = true;
    return {{"too", "late"}};
  });
  worker.start();
  waitForStatus(id, "processing");

  const auto stopAt = std::chrono::steady_clock::now();
  worker.stop();
  ASSERT_TRUE(worker.waitFor(10s));
  EXPECT_GE(std::chrono::steady_clock::now() - stopAt, 450ms);
  EXPECT_TRUE(waitUntil([&] { return returned.load(); }, 5s));
  EXPECT_TRUE(sawCancel.load());

  const Job after = job(id);
  EXPECT_TRUE(after.status == "pending" || after.status == "scheduled") << after.status;
  EXPECT_EQ(after.retryCount, 1);
  EXPECT_NE(after.lastError.value_or("").find("worker shutdown timeout"), std::string::npos)
      << after.lastError.value_or("");
  ASSERT_EQ(events.count(worker_events::jobFailed), 1u) << events.describe();
  EXPECT_TRUE(events.named(worker_events::jobFailed).at(0).willRetry);
  EXPECT_EQ(events.count(worker_events::jobCompleted), 0u);
  // The handler's late result was not submitted.
  ASSERT_TRUE(waitUntil([&] { return worker.getActiveJobCount() == 0; }, 5s));
  EXPECT_FALSE(job(id).result.has_value() && !job(id).result->is_null());
}

TEST_F(WorkerShutdownTest, StopFromInsideAHandlerOrCallbackDoesNotDeadlock) {
  EventLog events;
  SpooledWorker worker(*client_, fastOptions("emails"));
  worker.on("job:completed", [&](const WorkerEvent&) { worker.stop("done after one job"); });
  worker.process([&](JobContext&) -> json {
    worker.stop("from the handler");  // first reason wins
    return {{"ok", true}};
  });
  events.attach(worker);
  worker.start();
  const std::string id = createJob("emails");
  ASSERT_TRUE(worker.waitFor(10s));
  EXPECT_EQ(job(id).status, "completed");
  EXPECT_EQ(events.named(worker_events::stopped).at(0).reason, "from the handler");
}

TEST_F(WorkerShutdownTest, TheDestructorShutsDownGracefully) {
  const std::string id = createJob("emails");
  std::string workerId;
  {
    SpooledWorker worker(*client_, fastOptions("emails"));
    worker.process([](JobContext& ctx) -> json {
      ctx.waitCancelled(300ms);
      return {{"ok", true}};
    });
    worker.start();
    workerId = worker.getWorkerId().value();
    waitForStatus(id, "processing");
  }
  EXPECT_EQ(job(id).status, "completed");
  EXPECT_EQ(client_->workers().get(workerId).status, "offline");
}

}  // namespace
}  // namespace spooled::test
