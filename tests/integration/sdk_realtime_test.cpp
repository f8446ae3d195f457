// The C++ SDK's client.realtime() against a real server: events arrive on the callback in order, a
// one-job stream closes when the job ends, the stream comes back by itself after the server restarts,
// and a refused credential closes it with the reason.
#include <gtest/gtest.h>

#include <algorithm>
#include <mutex>

#include "spooled/spooled.hpp"
#include "support/server_test.hpp"

namespace spooled::test {
namespace {

using namespace std::chrono_literals;

class SdkRealtimeTest : public ServerTest {};

struct Collected {
  std::mutex mutex;
  std::vector<RealtimeEvent> events;
  std::vector<std::pair<RealtimeState, std::string>> states;
  RealtimeHandlers handlers() {
    return {.onEvent = [this](const RealtimeEvent& e) {
              std::lock_guard lock(mutex);
              events.push_back(e);
            },
            .onStateChange = [this](RealtimeState s, const std::string& why) {
              std::lock_guard lock(mutex);
              states.emplace_back(s, why);
            }};
  }
  std::vector<std::string> names() {
    std::lock_guard lock(mutex);
    std::vector<std::string> out;
    for (const auto& e : events) out.push_back(e.name);
    return out;
  }
  bool connected() { return connections() >= 1; }
  int connections() {
    std::lock_guard lock(mutex);
    return static_cast<int>(std::count_if(states.begin(), states.end(),
                                          [](const auto& s) { return s.first == RealtimeState::Connected; }));
  }
};

TEST_F(SdkRealtimeTest, CallbacksGetAJobsEventsInOrderAndTheJobStreamClosesWithTheJob) {
  ClientOptions o;
  o.baseUrl = server_.baseUrl();
  o.apiKey = server_.apiKey();
  SpooledClient client(o);
  const std::string id = api_->createJob("sdk-rt");
  Collected collected;
  RealtimeOptions options;
  options.jobId = id;
  auto stream = client.realtime().connect(options, collected.handlers());
  ASSERT_TRUE(waitUntil([&] { return collected.connected(); }, 10s));
  const std::string worker = api_->registerWorker("sdk-rt");
  const json claimed = api_->claim("sdk-rt", worker);
  ASSERT_EQ(claimed.size(), 1u);
  expectStatus(api_->settle("complete", claimed[0], worker), 200, "complete");
  ASSERT_TRUE(stream->waitClosed(10s));
  EXPECT_EQ(collected.names(), (std::vector<std::string>{"job.status_changed", "job.started", "job.status_changed",
                                                         "job.completed", "job.status_changed"}));
  EXPECT_EQ(collected.states.back().second, "job ended");
}

TEST_F(SdkRealtimeTest, StreamReconnectsAfterTheServerRestartsAndKeepsDelivering) {
  ClientOptions o;
  o.baseUrl = server_.baseUrl();
  o.apiKey = server_.apiKey();
  SpooledClient client(o);
  Collected collected;
  RealtimeOptions options;
  options.reconnectDelay = 100ms;
  options.maxReconnectDelay = 500ms;
  auto stream = client.realtime().connect(options, collected.handlers());
  ASSERT_TRUE(waitUntil([&] { return collected.connected(); }, 10s));
  api_->createJob("sdk-restart");
  ASSERT_TRUE(waitUntil([&] { return collected.names().size() >= 1; }, 10s));
  EXPECT_EQ(server_.stop(), 0);
  server_.restart();
  // A second connection: events of the new process are only sent to streams opened to it (a restart
  // forgets what the old one sent, so there is nothing to resume from).
  ASSERT_TRUE(waitUntil([&] { return collected.connections() >= 2; }, 20s)) << "reconnected";
  const std::string after = api_->createJob("sdk-restart");
  ASSERT_TRUE(waitUntil([&] {
    std::lock_guard lock(collected.mutex);
    return std::any_of(collected.events.begin(), collected.events.end(),
                       [&](const RealtimeEvent& e) { return e.data.value("job_id", "") == after; });
  }, 20s));
  bool sawReconnecting = false;
  {
    std::lock_guard lock(collected.mutex);
    for (const auto& [state, why] : collected.states) sawReconnecting |= state == RealtimeState::Reconnecting;
  }
  EXPECT_TRUE(sawReconnecting);
  stream->close();
  EXPECT_EQ(stream->state(), RealtimeState::Closed);
}

TEST_F(SdkRealtimeTest, RefusedCredentialClosesWithTheReason) {
  ClientOptions o;
  o.baseUrl = server_.baseUrl();
  o.apiKey = "sk_test_not_a_real_key_0000000000";
  SpooledClient client(o);
  Collected collected;
  auto stream = client.realtime().connect({}, collected.handlers());
  ASSERT_TRUE(stream->waitClosed(10s));
  std::lock_guard lock(collected.mutex);
  EXPECT_NE(collected.states.back().second.find("HTTP 401"), std::string::npos) << collected.states.back().second;
}

}  // namespace
}  // namespace spooled::test
