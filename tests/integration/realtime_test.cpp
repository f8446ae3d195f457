// Live events with real clients against a real server: an SSE client and a Beast WebSocket client see
// a job's life in order; a one-job stream ends with the job; Last-Event-ID resumes; a slow consumer is
// cut off with a reason while a fast one keeps every event; keep-alives flow; SIGTERM ends streams.
#include <gtest/gtest.h>

#include "common/ids.hpp"
#include "support/server_test.hpp"
#include "support/stream_clients.hpp"

namespace spooled::test {
namespace {

using namespace std::chrono_literals;

class RealtimeTest : public ServerTest {
 protected:
  RealtimeTest() : ServerTest(options()) {}
  static ServerProcessOptions options() {
    ServerProcessOptions o;
    o.extraArgs = {"--event-keepalive-secs", "1", "--event-buffer", "256"};
    return o;
  }
  std::string auth() const { return "Bearer " + server_.apiKey(); }
  SseOptions withKey() const { return SseOptions{{{"Authorization", auth()}}}; }

  // Creates, claims, reports progress on and completes one job on `queue`; returns its id.
  std::string runOneJob(const std::string& queue) {
    const std::string id = api_->createJob(queue);
    const std::string worker = api_->registerWorker(queue);
    const json claimed = api_->claim(queue, worker);
    EXPECT_EQ(claimed.size(), 1u);
    expectStatus(api_->settle("progress", claimed[0], worker, {{"percent", 50}, {"message", "half"}}), 200, "progress");
    expectStatus(api_->settle("complete", claimed[0], worker, {{"result", {{"ok", true}}}}), 200, "complete");
    return id;
  }
};

const std::vector<std::string> kLife = {"JobCreated", "job.started", "JobStatusChange", "job.progress",
                                        "JobCompleted", "JobStatusChange"};

std::vector<std::string> jobTypes(const std::vector<std::string>& types) {
  std::vector<std::string> out;
  for (const std::string& t : types)
    if (t.rfind("Job", 0) == 0 || t.rfind("job.", 0) == 0) out.push_back(t);
  return out;
}

TEST_F(RealtimeTest, SseClientReceivesAJobsLifeInOrderWithIds) {
  SseClient sse(server_.port(), "/api/v1/events", withKey());
  ASSERT_EQ(sse.status(), 200);
  const std::string id = runOneJob("rt-sse");
  ASSERT_TRUE(sse.waitFor([](const auto& m) { return jobTypes(typesOf(m)).size() >= kLife.size(); }, 10s))
      << server_.logs();
  const auto events = sse.events();
  EXPECT_EQ(jobTypes(typesOf(events)), kLife);
  for (const SseMessage& m : events) {
    if (m.body["data"].contains("job_id")) {
      EXPECT_EQ(m.body["data"]["job_id"], id);
    }
    EXPECT_FALSE(m.id.empty()) << m.data;
    EXPECT_TRUE(m.event.empty()) << "unnamed, so EventSource.onmessage (the official SDK) sees it";
  }
  EXPECT_EQ(events.back().body["data"]["new_status"], "completed");
  for (const SseMessage& m : events) {
    if (m.type() == "JobCompleted") {
      EXPECT_EQ(m.body["data"]["result"], json({{"ok", true}}));
    }
  }
}

TEST_F(RealtimeTest, WebSocketClientWithTokenInQueryReceivesAJobsLifeInOrder) {
  WsClient ws(server_.port(), "/api/v1/ws?token=" + server_.apiKey());
  ASSERT_TRUE(ws.waitFor([](const auto& m) { return !m.empty(); }, 5s));
  EXPECT_EQ(ws.snapshot().messages.front()["type"], "Ping");  // the official server greets with a Ping
  runOneJob("rt-ws");
  ASSERT_TRUE(ws.waitFor([](const auto& m) { return jobTypes(typesOf(m)).size() >= kLife.size(); }, 10s));
  EXPECT_EQ(jobTypes(typesOf(ws.snapshot().messages)), kLife);
}

TEST_F(RealtimeTest, WebSocketSubscribeNarrowsToOneQueueAndPingIsAnswered) {
  WsClient ws(server_.port(), "/api/v1/ws", {{"Authorization", auth()}});
  ASSERT_TRUE(ws.waitFor([](const auto& m) { return !m.empty(); }, 5s));
  ws.send({{"cmd", "Subscribe"}, {"queue", "wanted"}});
  ws.send({{"cmd", "Ping"}});
  ASSERT_TRUE(ws.waitFor([](const auto& m) { return m.size() >= 2; }, 5s));  // the Ping's answer: commands are in
  api_->createJob("other");
  const std::string wanted = api_->createJob("wanted");
  ASSERT_TRUE(ws.waitFor([](const auto& m) { return !jobTypes(typesOf(m)).empty(); }, 10s));
  const auto messages = ws.snapshot().messages;
  for (const json& m : messages)
    if (m["type"] == "JobCreated") {
      EXPECT_EQ(m["data"]["queue_name"], "wanted") << m.dump();
    }
}

TEST_F(RealtimeTest, WebSocketWithoutCredentialsIsRefused401) {
  EXPECT_THROW(WsClient(server_.port(), "/api/v1/ws"), std::runtime_error);
  EXPECT_THROW(WsClient(server_.port(), "/api/v1/ws?token=sk_test_wrong_key_000000000000000"), std::runtime_error);
  HttpClient anonymous(server_.baseUrl(), std::nullopt);
  const HttpResult r = anonymous.request("GET", "/api/v1/ws?token=sk_test_wrong_key_000000000000000", std::nullopt,
                                         {{"Upgrade", "websocket"}, {"Connection", "Upgrade"}});
  EXPECT_EQ(r.status, 401) << r.describe();
}

TEST_F(RealtimeTest, OneJobStreamStartsWithItsStatusAndEndsWhenTheJobEnds) {
  const std::string id = api_->createJob("rt-one");
  SseClient sse(server_.port(), "/api/v1/events/jobs/" + id, withKey());
  ASSERT_EQ(sse.status(), 200);
  ASSERT_TRUE(sse.waitFor([](const auto& m) { return !m.empty(); }, 5s));
  EXPECT_EQ(sse.events().front().body["data"]["new_status"], "pending");
  api_->createJob("rt-one");  // another job of the queue: not this stream's
  const std::string worker = api_->registerWorker("rt-one");
  json claimed = api_->claim("rt-one", worker, {{"limit", 2}});
  for (const json& job : claimed) expectStatus(api_->settle("complete", job, worker), 200, "complete");
  ASSERT_TRUE(sse.waitClosed(10s)) << "the stream ends once the job completed";
  const auto events = sse.events();
  for (const SseMessage& m : events) EXPECT_EQ(m.body["data"]["job_id"], id);
  EXPECT_EQ(events.back().body["data"]["new_status"], "completed");
  EXPECT_EQ(http_->get("/api/v1/events/jobs/" + newUuid()).status, 404);
}

TEST_F(RealtimeTest, LastEventIdResumesWithWhatWasMissed) {
  std::string lastId;
  {
    SseClient sse(server_.port(), "/api/v1/events", withKey());
    ASSERT_EQ(sse.status(), 200);
    api_->createJob("rt-resume");
    ASSERT_TRUE(sse.waitFor([](const auto& m) { return !m.empty(); }, 5s));
    lastId = sse.events().back().id;
  }
  const std::string missed1 = api_->createJob("rt-resume");
  const std::string missed2 = api_->createJob("rt-resume");
  SseOptions resume = withKey();
  resume.headers["Last-Event-ID"] = lastId;
  SseClient again(server_.port(), "/api/v1/events", resume);
  ASSERT_TRUE(again.waitFor([](const auto& m) { return m.size() >= 2; }, 5s));
  const auto events = again.events();
  EXPECT_EQ(events[0].body["data"]["job_id"], missed1);
  EXPECT_EQ(events[1].body["data"]["job_id"], missed2);
}

TEST_F(RealtimeTest, SlowConsumerIsCutOffWithAReasonWhileAFastOneKeepsEveryEvent) {
  SseClient fast(server_.port(), "/api/v1/events?events=JobCreated", withKey());
  SseOptions slowOptions = withKey();
  slowOptions.receiveBufferBytes = 4096;
  slowOptions.startReading = false;
  SseClient slow(server_.port(), "/api/v1/events?events=JobCreated", slowOptions);
  ASSERT_EQ(fast.status(), 200);
  constexpr int kBatches = 30;  // 3000 events: far beyond 256 buffered plus the sockets' buffers
  for (int b = 0; b < kBatches; ++b) {
    json jobs = json::array();
    for (int i = 0; i < 100; ++i) jobs.push_back({{"payload", {{"n", i}, {"pad", std::string(200, 'x')}}}});
    expectStatus(http_->post("/api/v1/jobs/bulk", json{{"queue_name", "rt-slow"}, {"jobs", jobs}}), 200, "bulk");
  }
  ASSERT_TRUE(fast.waitFor([](const auto& m) { return m.size() >= 3000; }, 30s)) << fast.events().size();
  slow.resume();
  ASSERT_TRUE(slow.waitClosed(20s));
  const auto got = slow.events();
  ASSERT_FALSE(got.empty());
  EXPECT_LT(got.size(), 3000u);
  EXPECT_EQ(got.back().type(), "Error");
  EXPECT_NE(got.back().body["data"]["message"].get<std::string>().find("too slow"), std::string::npos);
  EXPECT_TRUE(fast.waitFor([](const auto& m) { return m.size() == 3000; }, 1s)) << "the fast one lost nothing";
}

TEST_F(RealtimeTest, QuietStreamGetsKeepAlives) {
  SseClient sse(server_.port(), "/api/v1/events/queues/rt-quiet", withKey());
  ASSERT_EQ(sse.status(), 200);
  ASSERT_TRUE(sse.waitFor([](const auto& m) { return !m.empty(); }, 5s));
  EXPECT_EQ(sse.events().front().type(), "QueueStats");
  EXPECT_TRUE(sse.waitFor(
      [](const auto& m) { return std::count_if(m.begin(), m.end(), [](const SseMessage& x) { return x.comment; }) >= 2; },
      5s, true));
}

TEST_F(RealtimeTest, SigtermEndsStreamsCleanly) {
  SseClient sse(server_.port(), "/api/v1/events", withKey());
  ASSERT_EQ(sse.status(), 200);
  WsClient ws(server_.port(), "/api/v1/ws?token=" + server_.apiKey());
  ASSERT_TRUE(ws.waitFor([](const auto& m) { return !m.empty(); }, 5s));
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(server_.stop(), 0);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 10s) << "streams must not hold the drain";
  ASSERT_TRUE(sse.waitClosed(5s));
  const auto events = sse.events();
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().type(), "Error");
  EXPECT_EQ(events.back().body["data"]["message"], "server shutting down");
  ASSERT_TRUE(ws.waitClosed(5s));
  EXPECT_EQ(ws.snapshot().closeCode, 1001);
}

}  // namespace
}  // namespace spooled::test
