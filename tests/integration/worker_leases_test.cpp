// SpooledWorker against a real server: leases are renewed while handlers run, and a handler learns
// through its context when the job stopped being its own (cancelled on the server, lease lost).
#include <atomic>
#include <mutex>

#include "support/worker_fixture.hpp"

namespace spooled::test {
namespace {

class WorkerLeasesTest : public WorkerFixture {
 protected:
  // A handler that runs until its context is cancelled (or `release`), recording when it noticed.
  struct WatchingHandler {
    std::atomic<bool> release{false};
    std::atomic<bool> returned{false};
    std::atomic<bool> sawCancel{false};
    std::mutex mutex;
    std::chrono::steady_clock::time_point noticedAt;
    std::string leaseId;

    json operator()(JobContext& ctx) {
      {
        const std::lock_guard lock(mutex);
        leaseId = ctx.leaseId();
      }
      while (!release.load() && !ctx.isCancelled()) std::this_thread::sleep_for(5ms);
      if (ctx.isCancelled()) {
        const std::lock_guard lock(mutex);
        noticedAt = std::chrono::steady_clock::now();
        sawCancel = true;
      }
      returned = true;
      return {{"late", true}};
    }
  };
};

TEST_F(WorkerLeasesTest, AJobRunningLongerThanItsLeaseCompletesBecauseRenewalsExtendedIt) {
  const std::string id = createJob("video-processing", {{"videoUrl", "a.mp4"}}, 0);
  WorkerOptions options = fastOptions("video-processing");
  options.leaseDuration = 5s;
  options.heartbeatInterval = 1s;
  std::atomic<bool> cancelled{false};
  SpooledWorker worker(*client_, options);
  worker.process([&](JobContext& ctx) -> json {
    // 7 s: two seconds past the first lease's end. Without renewals the server's reaper would
    // take the job back and the completion below would be refused.
    cancelled = ctx.waitCancelled(7s);
    return {{"processed", true}};
  });
  worker.start();
  const Job done = waitForStatus(id, "completed", 20s);
  EXPECT_FALSE(cancelled.load());
  EXPECT_EQ(done.retryCount, 0);
  EXPECT_EQ(done.result.value_or(json()).value("processed", false), true);
}

TEST_F(WorkerLeasesTest, ACancelOnTheServerMarksTheContextCancelledWithinAHeartbeatInterval) {
  const std::string id = createJob("emails");
  WorkerOptions options = fastOptions("emails");
  options.heartbeatInterval = 500ms;
  EventLog events;
  WatchingHandler handler;
  SpooledWorker worker(*client_, options);
  events.attach(worker);
  worker.process([&](JobContext& ctx) { return handler(ctx); });
  worker.start();
  waitForStatus(id, "processing");

  const auto cancelledAt = std::chrono::steady_clock::now();
  client_->jobs().cancel(id);
  ASSERT_TRUE(waitUntil([&] { return handler.returned.load(); }, 5s));
  ASSERT_TRUE(handler.sawCancel.load());
  {
    const std::lock_guard lock(handler.mutex);
    EXPECT_LE(handler.noticedAt - cancelledAt, 500ms + 400ms);  // one interval, plus a round trip
  }
  // What the handler returned is discarded: the job stays cancelled, nothing completed.
  ASSERT_TRUE(waitUntil([&] { return worker.getActiveJobCount() == 0; }, 5s));
  EXPECT_EQ(job(id).status, "cancelled");
  EXPECT_EQ(events.count(worker_events::jobCompleted), 0u);
  EXPECT_EQ(events.count(worker_events::jobFailed), 0u);
}

TEST_F(WorkerLeasesTest, ALostLeaseMarksTheContextCancelledAndItsResultIsNotSubmitted) {
  const std::string id = createJob("emails", json::object(), 0);
  EventLog events;
  WatchingHandler handler;
  SpooledWorker worker(*client_, fastOptions("emails"));
  events.attach(worker);
  worker.process([&](JobContext& ctx) { return handler(ctx); });
  worker.start();
  waitForStatus(id, "processing");
  ASSERT_TRUE(waitUntil(
      [&] {
        const std::lock_guard lock(handler.mutex);
        return !handler.leaseId.empty();
      },
      5s));

  // Someone else settles the job with the same lease (as a second worker would after the lease
  // had moved on): this worker's lease is now stale, and its next renewal gets 409.
  std::string leaseId;
  {
    const std::lock_guard lock(handler.mutex);
    leaseId = handler.leaseId;
  }
  FailJobParams steal;
  steal.workerId = worker.getWorkerId().value();
  steal.leaseId = leaseId;
  steal.error = "taken away by the test";
  client_->jobs().fail(id, steal);

  ASSERT_TRUE(waitUntil([&] { return handler.returned.load(); }, 5s));
  EXPECT_TRUE(handler.sawCancel.load());
  ASSERT_TRUE(waitUntil([&] { return worker.getActiveJobCount() == 0; }, 5s));
  const Job after = job(id);
  EXPECT_EQ(after.status, "deadletter");
  EXPECT_EQ(after.lastError.value_or(""), "taken away by the test");
  EXPECT_FALSE(after.result.has_value() && !after.result->is_null());
  EXPECT_EQ(events.count(worker_events::jobCompleted), 0u);
  bool reported = false;
  for (const auto& e : events.named(worker_events::error)) reported |= e.jobId == id;
  EXPECT_TRUE(reported) << events.describe();
}

}  // namespace
}  // namespace spooled::test
