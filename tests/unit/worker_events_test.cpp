// Worker events: subscription, fan-out, unsubscription, and isolation from throwing callbacks.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "sdk/worker/event_emitter.hpp"
#include "sdk/worker/worker_log.hpp"

namespace spooled::detail {
namespace {

class WorkerEventsTest : public ::testing::Test {
 protected:
  WorkerEvent event(std::string_view name) {
    WorkerEvent e;
    e.name = std::string(name);
    e.jobId = "job-1";
    return e;
  }

  std::vector<std::string> logged_;
  WorkerLog log_{[this](LogLevel, std::string_view m) { logged_.emplace_back(m); }, "test"};
  EventEmitter emitter_{log_};
};

TEST_F(WorkerEventsTest, EverySubscriberOfTheNameGetsTheEventInOrder) {
  std::vector<std::string> seen;
  emitter_.on("job:completed", [&](const WorkerEvent& e) { seen.push_back("a:" + e.jobId); });
  emitter_.on("job:failed", [&](const WorkerEvent&) { seen.push_back("wrong"); });
  emitter_.on("job:completed", [&](const WorkerEvent& e) { seen.push_back("b:" + e.jobId); });
  emitter_.emit(event(worker_events::jobCompleted));
  EXPECT_EQ(seen, (std::vector<std::string>{"a:job-1", "b:job-1"}));
}

TEST_F(WorkerEventsTest, OffStopsDeliveryAndReportsUnknownIds) {
  int calls = 0;
  const SubscriptionId id = emitter_.on("started", [&](const WorkerEvent&) { ++calls; });
  EXPECT_NE(id, 0u);
  emitter_.emit(event(worker_events::started));
  EXPECT_TRUE(emitter_.off(id));
  EXPECT_FALSE(emitter_.off(id));
  emitter_.emit(event(worker_events::started));
  EXPECT_EQ(calls, 1);
}

TEST_F(WorkerEventsTest, UnknownNamesAndEmptyCallbacksThrow) {
  EXPECT_THROW(emitter_.on("job:done", [](const WorkerEvent&) {}), std::invalid_argument);
  EXPECT_THROW(emitter_.on("", [](const WorkerEvent&) {}), std::invalid_argument);
  EXPECT_THROW(emitter_.on("error", WorkerEventCallback{}), std::invalid_argument);
  for (const auto name : {"started", "stopped", "error", "job:claimed", "job:started", "job:completed", "job:failed"}) {
    EXPECT_NO_THROW(emitter_.on(name, [](const WorkerEvent&) {})) << name;
  }
}

TEST_F(WorkerEventsTest, AThrowingCallbackIsLoggedAndTheOthersStillRun) {
  int after = 0;
  emitter_.on("job:failed", [](const WorkerEvent&) { throw std::runtime_error("callback bug"); });
  emitter_.on("job:failed", [](const WorkerEvent&) { throw 42; });
  emitter_.on("job:failed", [&](const WorkerEvent&) { ++after; });
  EXPECT_NO_THROW(emitter_.emit(event(worker_events::jobFailed)));
  EXPECT_EQ(after, 1);
  ASSERT_EQ(logged_.size(), 2u);
  EXPECT_NE(logged_[0].find("callback bug"), std::string::npos);
}

TEST_F(WorkerEventsTest, ACallbackMayUnsubscribeItself) {
  int calls = 0;
  SubscriptionId id = 0;
  id = emitter_.on("job:claimed", [&](const WorkerEvent&) {
    ++calls;
    emitter_.off(id);
  });
  emitter_.emit(event(worker_events::jobClaimed));
  emitter_.emit(event(worker_events::jobClaimed));
  EXPECT_EQ(calls, 1);
}

}  // namespace
}  // namespace spooled::detail
