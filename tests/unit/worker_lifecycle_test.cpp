// SpooledWorker without a server: the state machine's edges, handler adaptation, JobContext
// cancellation, the thread pool and SignalShutdown.
#include <gtest/gtest.h>

#include <atomic>
#include <csignal>
#include <sstream>
#include <thread>

#include "sdk/worker/active_job.hpp"
#include "sdk/worker/thread_pool.hpp"
#include "spooled/errors.hpp"
#include "spooled/spooled.hpp"

namespace spooled {
namespace {

using namespace std::chrono_literals;

// A client whose server refuses connections at once, and which does not retry.
ClientOptions unreachable() {
  ClientOptions options;
  options.apiKey = "sk_test_unit";
  options.baseUrl = "http://127.0.0.1:1";
  options.retry.maxRetries = 0;
  options.circuitBreaker.enabled = false;
  options.connectTimeout = 1000ms;
  return options;
}

class WorkerLifecycleTest : public ::testing::Test {
 protected:
  SpooledClient client_{unreachable()};
  SpooledWorker worker_{client_, WorkerOptions{.queueName = "emails", .logger = [](LogLevel, std::string_view) {}}};
};

TEST_F(WorkerLifecycleTest, ANewWorkerIsIdleWithoutId) {
  EXPECT_EQ(worker_.getState(), WorkerState::idle);
  EXPECT_FALSE(worker_.getWorkerId().has_value());
  EXPECT_EQ(worker_.getActiveJobCount(), 0);
  EXPECT_FALSE(worker_.isRunning());
  EXPECT_TRUE(worker_.waitFor(0ms));
}

TEST_F(WorkerLifecycleTest, StartWithoutHandlerIsALogicError) {
  EXPECT_THROW(worker_.start(), std::logic_error);
  EXPECT_EQ(worker_.getState(), WorkerState::idle);
}

TEST_F(WorkerLifecycleTest, FailedRegistrationThrowsEmitsErrorAndEndsInErrorState) {
  worker_.process([](JobContext&) {});
  std::string error;
  worker_.on("error", [&](const WorkerEvent& e) { error = e.error; });
  EXPECT_THROW(worker_.start(), NetworkError);
  EXPECT_EQ(worker_.getState(), WorkerState::error);
  EXPECT_FALSE(worker_.isRunning());
  EXPECT_NE(error.find("registration"), std::string::npos);
  worker_.wait();  // returns at once
  EXPECT_THROW(worker_.start(), std::logic_error);
  EXPECT_THROW(worker_.process([](JobContext&) {}), std::logic_error);
}

TEST_F(WorkerLifecycleTest, StopBeforeStartStopsForGoodAndEmitsStoppedOnce) {
  std::vector<std::string> reasons;
  worker_.on("stopped", [&](const WorkerEvent& e) { reasons.push_back(e.reason); });
  worker_.process([](JobContext&) {});
  worker_.stop("not needed");
  worker_.stop("again");
  EXPECT_EQ(worker_.getState(), WorkerState::stopped);
  EXPECT_EQ(reasons, std::vector<std::string>{"not needed"});
  EXPECT_FALSE(worker_.isRunning());
  EXPECT_THROW(worker_.start(), std::logic_error);
}

TEST_F(WorkerLifecycleTest, HandlersMayReturnJsonConvertiblesOrNothing) {
  worker_.process([](JobContext&) -> json { return {{"sent", true}}; });
  worker_.process([](JobContext&) { return 42; });
  worker_.process([](JobContext&) {});
  worker_.process(SpooledWorker::Handler([](JobContext&) { return json::object(); }));
  EXPECT_THROW(worker_.process(SpooledWorker::Handler{}), std::invalid_argument);
  EXPECT_THROW(worker_.process(std::function<void(JobContext&)>{}), std::invalid_argument);
}

TEST(WorkerStateTest, NamesAreTheGuides) {
  EXPECT_EQ(toString(WorkerState::idle), "idle");
  EXPECT_EQ(toString(WorkerState::starting), "starting");
  EXPECT_EQ(toString(WorkerState::running), "running");
  EXPECT_EQ(toString(WorkerState::stopping), "stopping");
  EXPECT_EQ(toString(WorkerState::stopped), "stopped");
  EXPECT_EQ(toString(WorkerState::error), "error");
  std::ostringstream out;
  out << WorkerState::running;
  EXPECT_EQ(out.str(), "running");
}

class JobContextTest : public ::testing::Test {
 protected:
  std::shared_ptr<detail::ActiveJob> makeJob() {
    ClaimedJob claimed;
    claimed.id = "job-1";
    claimed.queueName = "emails";
    claimed.payload = {{"to", "a@example.com"}};
    claimed.retryCount = 1;
    claimed.maxRetries = 3;
    claimed.leaseId = "lease-1";
    return std::make_shared<detail::ActiveJob>(claimed, services_);
  }

  SpooledClient client_{unreachable()};
  detail::WorkerLog log_{[](LogLevel, std::string_view) {}, "test"};
  detail::EventEmitter events_{log_};
  detail::JobServices services_{client_.jobs(), events_, log_, "worker-1", "emails", 30};
};

TEST_F(JobContextTest, CarriesTheClaimAndTheWorkerId) {
  JobContext ctx(makeJob());
  EXPECT_EQ(ctx.jobId, "job-1");
  EXPECT_EQ(ctx.queueName, "emails");
  EXPECT_EQ(ctx.payload["to"], "a@example.com");
  EXPECT_EQ(ctx.retryCount, 1);
  EXPECT_EQ(ctx.maxRetries, 3);
  EXPECT_EQ(ctx.workerId, "worker-1");
  EXPECT_EQ(ctx.leaseId(), "lease-1");
  EXPECT_FALSE(ctx.isCancelled());
}

TEST_F(JobContextTest, CancellationWakesAWaitingHandlerAndTheFirstReasonSticks) {
  auto job = makeJob();
  JobContext ctx(job);
  EXPECT_FALSE(ctx.waitCancelled(10ms));
  std::thread canceller([&] {
    std::this_thread::sleep_for(20ms);
    job->cancel(detail::CancelReason::cancelledOnServer);
  });
  EXPECT_TRUE(ctx.waitCancelled(10s));
  canceller.join();
  EXPECT_TRUE(ctx.isCancelled());
  EXPECT_FALSE(job->cancel(detail::CancelReason::shutdown));
  EXPECT_EQ(job->cancelReason(), detail::CancelReason::cancelledOnServer);
}

TEST_F(JobContextTest, ProgressNeverThrowsAndSaysWhetherItWasRecorded) {
  JobContext ctx(makeJob());
  EXPECT_FALSE(ctx.progress(50, "halfway"));  // the server is unreachable
}

TEST_F(JobContextTest, SettlementHasExactlyOneOwner) {
  auto job = makeJob();
  EXPECT_TRUE(job->abandon());
  EXPECT_FALSE(job->claimSettlement());
  auto other = makeJob();
  EXPECT_TRUE(other->claimSettlement());
  EXPECT_FALSE(other->abandon());
}

TEST(FailureMessageTest, IsNeverEmptyAndCutToTheServersLimitOnACharacterBoundary) {
  EXPECT_EQ(detail::failureMessage(""), "job handler failed");
  EXPECT_EQ(detail::failureMessage("boom"), "boom");
  std::string longText(2047, 'a');
  longText += "\xC3\xA9\xC3\xA9";  // two-byte characters straddling byte 2048
  const std::string cut = detail::failureMessage(longText);
  EXPECT_EQ(cut.size(), 2047u);
}

TEST(ThreadPoolTest, JoinRunsEveryQueuedTaskOnAtMostNThreads) {
  std::atomic<int> done{0};
  std::atomic<int> running{0};
  std::atomic<int> maxRunning{0};
  {
    detail::ThreadPool pool(3);
    for (int i = 0; i < 30; ++i) {
      pool.submit([&] {
        const int now = ++running;
        int seen = maxRunning.load();
        while (now > seen && !maxRunning.compare_exchange_weak(seen, now)) {
        }
        std::this_thread::sleep_for(1ms);
        --running;
        ++done;
      });
    }
    pool.join();
    EXPECT_THROW(pool.submit([] {}), std::logic_error);
  }
  EXPECT_EQ(done.load(), 30);
  EXPECT_LE(maxRunning.load(), 3);
}

TEST_F(WorkerLifecycleTest, SignalShutdownStopsTheWorkersOnSigtermAndRestoresTheOldHandler) {
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  struct sigaction saved {};
  ASSERT_EQ(::sigaction(SIGTERM, &ignore, &saved), 0);
  std::atomic<int> reported{0};
  {
    SignalShutdown guard = stopOnSignals({&worker_}, [&](int signal) { reported = signal; });
    EXPECT_THROW(SignalShutdown({&worker_}), std::logic_error);
    EXPECT_FALSE(guard.triggered());
    ASSERT_EQ(::raise(SIGTERM), 0);
    ASSERT_TRUE(worker_.waitFor(10s));
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (worker_.getState() != WorkerState::stopped && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(1ms);
    }
    EXPECT_EQ(worker_.getState(), WorkerState::stopped);
    EXPECT_TRUE(guard.triggered());
    EXPECT_EQ(guard.signal(), SIGTERM);
    EXPECT_EQ(reported.load(), SIGTERM);
  }
  struct sigaction now {};
  ASSERT_EQ(::sigaction(SIGTERM, nullptr, &now), 0);
  EXPECT_EQ(now.sa_handler, SIG_IGN);
  ::sigaction(SIGTERM, &saved, nullptr);
  EXPECT_EQ(signalName(SIGINT), "SIGINT");
  EXPECT_EQ(signalName(64), "signal 64");
}

}  // namespace
}  // namespace spooled
