// Queue streams (/api/v1/events/queues/{name}) send QueueStats every few seconds, as the official
// server does: after the first one (the queue as it was), later ones report what changed since.
#include <gtest/gtest.h>

#include <algorithm>

#include "support/server_test.hpp"
#include "support/stream_clients.hpp"

namespace spooled::test {
namespace {

using namespace std::chrono_literals;

class QueueStreamStatsTest : public ServerTest {
 protected:
  SseOptions withKey() const { return SseOptions{{{"Authorization", "Bearer " + server_.apiKey()}}}; }
};

bool hasStatsWithPending(const std::vector<SseMessage>& messages, int pending) {
  return std::any_of(messages.begin(), messages.end(), [&](const SseMessage& m) {
    return m.type() == "QueueStats" && m.body["data"]["pending"] == pending;
  });
}

TEST_F(QueueStreamStatsTest, QueueStreamsGetFreshQueueStatsPeriodically) {
  SseClient first(server_.port(), "/api/v1/events/queues/stats-q", withKey());
  SseClient second(server_.port(), "/api/v1/events/queues/stats-q", withKey());
  SseClient other(server_.port(), "/api/v1/events/queues/other-q", withKey());
  ASSERT_EQ(first.status(), 200);
  ASSERT_EQ(second.status(), 200);
  ASSERT_EQ(other.status(), 200);
  ASSERT_TRUE(first.waitFor([](const auto& m) { return hasStatsWithPending(m, 0); }, 5s));
  api_->createJob("stats-q");
  api_->createJob("stats-q");
  // Nobody polls: the periodic event (every ~5 s) is what brings the new count.
  EXPECT_TRUE(first.waitFor([](const auto& m) { return hasStatsWithPending(m, 2); }, 12s));
  EXPECT_TRUE(second.waitFor([](const auto& m) { return hasStatsWithPending(m, 2); }, 12s));
  const auto stats = first.events();
  const auto latest = std::find_if(stats.rbegin(), stats.rend(), [](const SseMessage& m) { return m.type() == "QueueStats"; });
  ASSERT_NE(latest, stats.rend());
  EXPECT_EQ(latest->body["data"]["queue_name"], "stats-q");
  EXPECT_TRUE(latest->body["data"].contains("processing"));
  EXPECT_TRUE(latest->body["data"].contains("timestamp"));
  // The other queue's stream only ever hears its own queue.
  EXPECT_TRUE(other.waitFor(
      [](const auto& m) { return std::count_if(m.begin(), m.end(), [](const SseMessage& x) { return x.type() == "QueueStats"; }) >= 2; },
      12s));
  for (const SseMessage& m : other.events()) EXPECT_NE(m.body["data"].value("queue_name", ""), "stats-q");
}

}  // namespace
}  // namespace spooled::test
