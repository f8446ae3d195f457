// SpooledWorker against a real server: results, progress, events and the worker's registration.
#include <atomic>

#include "support/worker_fixture.hpp"

namespace spooled::test {
namespace {

class WorkerResultsTest : public WorkerFixture {};

TEST_F(WorkerResultsTest, TheHandlersResultLandsOnTheJob) {
  const std::string id = createJob("emails", {{"to", "ada@example.com"}});
  EventLog events;
  SpooledWorker worker(*client_, fastOptions("emails"));
  events.attach(worker);
  worker.process([](JobContext& ctx) -> json { return {{"sent", true}, {"to", ctx.payload["to"]}}; });
  worker.start();
  ASSERT_TRUE(worker.getWorkerId().has_value());

  const Job done = waitForStatus(id, "completed");
  ASSERT_TRUE(done.result.has_value());
  EXPECT_EQ(*done.result, (json{{"sent", true}, {"to", "ada@example.com"}}));
  ASSERT_TRUE(events.waitFor(worker_events::jobCompleted, 1, 5s)) << events.describe();
  const WorkerEvent completed = events.named(worker_events::jobCompleted).at(0);
  EXPECT_EQ(completed.jobId, id);
  EXPECT_EQ(completed.result["sent"], true);
  EXPECT_EQ(completed.workerId, *worker.getWorkerId());
  EXPECT_EQ(events.count(worker_events::jobClaimed), 1u);
  EXPECT_EQ(events.count(worker_events::jobStarted), 1u);

  worker.stop();
  ASSERT_TRUE(worker.waitFor(10s));
  EXPECT_EQ(worker.getState(), WorkerState::stopped);
}

// A handler's result (or error) may hold bytes that are not UTF-8, e.g. a program's raw output. JSON
// cannot carry them, so they arrive as U+FFFD, and the job settles instead of waiting for its lease.
TEST_F(WorkerResultsTest, AResultThatIsNotUtf8StillCompletesTheJob) {
  const std::string id = createJob("emails");
  const std::string failedId = createJob("emails");
  SpooledWorker worker(*client_, fastOptions("emails"));
  worker.process([&](JobContext& ctx) -> json {
    if (ctx.jobId == failedId) throw NonRetryableError(std::string("bad byte \xff here"));
    return {{"raw", std::string("caf\xe9")}};
  });
  worker.start();
  const Job done = waitForStatus(id, "completed", 10s);
  ASSERT_TRUE(done.result.has_value());
  EXPECT_EQ((*done.result)["raw"], "caf\xef\xbf\xbd");
  const Job dead = waitForStatus(failedId, "deadletter", 10s);
  ASSERT_TRUE(dead.lastError.has_value());
  EXPECT_NE(dead.lastError->find("bad byte"), std::string::npos);
}

TEST_F(WorkerResultsTest, AVoidHandlerCompletesTheJobWithoutAResult) {
  const std::string id = createJob("emails");
  std::atomic<bool> ran{false};
  SpooledWorker worker(*client_, fastOptions("emails"));
  worker.process([&](JobContext&) { ran = true; });
  worker.start();
  const Job done = waitForStatus(id, "completed");
  EXPECT_TRUE(ran.load());
  EXPECT_TRUE(!done.result.has_value() || done.result->is_null()) << done.result->dump();
}

TEST_F(WorkerResultsTest, ProgressIsVisibleOnTheJobWhileItRuns) {
  const std::string id = createJob("reports");
  std::atomic<bool> reported{false};
  std::atomic<bool> release{false};
  SpooledWorker worker(*client_, fastOptions("reports"));
  worker.process([&](JobContext& ctx) -> json {
    reported = ctx.progress(40, "rendering page 4 of 10");
    while (!release.load() && !ctx.waitCancelled(20ms)) {
    }
    return {{"pages", 10}};
  });
  worker.start();
  const Job running = waitForJob(
      id, [](const Job& j) { return j.progress.has_value(); }, 15s, "reported");
  EXPECT_TRUE(reported.load());
  EXPECT_EQ(running.status, "processing");
  ASSERT_TRUE(running.progress.has_value());
  EXPECT_DOUBLE_EQ(*running.progress, 40.0);
  EXPECT_EQ(running.progressMessage.value_or(""), "rendering page 4 of 10");
  release = true;
  waitForStatus(id, "completed");
}

TEST_F(WorkerResultsTest, TheWorkerIsRegisteredHeartbeatsItsJobCountAndDeregistersOnStop) {
  const std::string id = createJob("emails");
  WorkerOptions options = fastOptions("emails");
  options.metadata = {{"region", "test-1"}};
  options.version = "9.9.9";
  std::atomic<bool> release{false};
  SpooledWorker worker(*client_, options);
  worker.process([&](JobContext& ctx) {
    while (!release.load() && !ctx.waitCancelled(20ms)) {
    }
  });
  EXPECT_FALSE(worker.getWorkerId().has_value());
  worker.start();
  EXPECT_TRUE(worker.isRunning());
  EXPECT_EQ(worker.getState(), WorkerState::running);
  const std::string workerId = worker.getWorkerId().value();

  const Worker registered = client_->workers().get(workerId);
  EXPECT_EQ(registered.queueName, "emails");
  EXPECT_EQ(registered.maxConcurrency, 5);
  EXPECT_EQ(registered.workerType.value_or(""), "cpp");
  EXPECT_EQ(registered.version.value_or(""), "9.9.9");
  EXPECT_FALSE(registered.hostname.empty());

  // The job is held by this worker; the next worker heartbeat reports it.
  waitForStatus(id, "processing");
  EXPECT_TRUE(waitUntil([&] { return worker.getActiveJobCount() == 1; }, 5s));
  EXPECT_TRUE(waitUntil([&] { return client_->workers().get(workerId).currentJobs == 1; }, 5s));
  EXPECT_EQ(job(id).assignedWorkerId.value_or(""), workerId);

  release = true;
  waitForStatus(id, "completed");
  worker.stop("test over");
  ASSERT_TRUE(worker.waitFor(10s));
  EXPECT_FALSE(worker.isRunning());
  EXPECT_EQ(worker.getActiveJobCount(), 0);
  EXPECT_EQ(client_->workers().get(workerId).status, "offline");
}

TEST_F(WorkerResultsTest, ACallbackThatThrowsNeverStopsTheWorker) {
  SpooledWorker worker(*client_, fastOptions("emails"));
  worker.on("job:completed", [](const WorkerEvent&) { throw std::runtime_error("bug in a callback"); });
  worker.on("job:started", [](const WorkerEvent&) { throw 7; });
  worker.process([](JobContext&) -> json { return {{"ok", true}}; });
  worker.start();
  const std::string first = createJob("emails");
  waitForStatus(first, "completed");
  const std::string second = createJob("emails");
  waitForStatus(second, "completed");
  EXPECT_EQ(worker.getState(), WorkerState::running);
}

TEST_F(WorkerResultsTest, StartedAndStoppedCarryTheWorkerAndTheReason) {
  EventLog events;
  SpooledWorker worker(*client_, fastOptions("emails"));
  events.attach(worker);
  worker.process([](JobContext&) {});
  worker.start();
  ASSERT_EQ(events.count(worker_events::started), 1u);
  const WorkerEvent started = events.named(worker_events::started).at(0);
  EXPECT_EQ(started.workerId, worker.getWorkerId().value());
  EXPECT_EQ(started.queueName, "emails");
  worker.stop("maintenance window");
  worker.stop("ignored: already stopping");
  worker.wait();
  ASSERT_EQ(events.count(worker_events::stopped), 1u);
  EXPECT_EQ(events.named(worker_events::stopped).at(0).reason, "maintenance window");
}

}  // namespace
}  // namespace spooled::test
