// Live events across servers: two spooled-server processes on one PostgreSQL database; subscribers
// (SSE and WebSocket) on one server get the events of jobs driven through the other, or through both
// by turns, in each job's order, once each, with the same bodies the other server's subscribers get,
// events too big for a NOTIFY payload included.
#include <gtest/gtest.h>

#include <map>

#include "support/api_steps.hpp"
#include "support/pg_servers_test.hpp"
#include "support/stream_clients.hpp"

namespace spooled::test {
namespace {

using namespace std::chrono_literals;

const std::vector<std::string> kLife = {"JobCreated", "job.started", "JobStatusChange", "job.progress",
                                        "JobCompleted", "JobStatusChange"};

// The bodies of each job's events, in the order they arrived, by job id.
std::map<std::string, std::vector<json>> byJob(const std::vector<json>& bodies) {
  std::map<std::string, std::vector<json>> out;
  for (const json& body : bodies)
    if (body.is_object() && body.contains("data") && body["data"].is_object() && body["data"].contains("job_id"))
      out[body["data"]["job_id"].get<std::string>()].push_back(body);
  return out;
}

std::vector<json> bodiesOf(const std::vector<SseMessage>& messages) {
  std::vector<json> out;
  for (const SseMessage& m : messages) out.push_back(m.body);
  return out;
}

std::vector<std::string> types(const std::vector<json>& bodies) {
  std::vector<std::string> out;
  for (const json& b : bodies) out.push_back(b.value("type", ""));
  return out;
}

class PgClusterEventsTest : public PgServersTest {
 protected:
  // Creates a job through server `create`, claims it and reports progress (with `message`) through
  // `work`, completes it through `complete` with `result`; returns its id.
  std::string runJob(std::size_t create, std::size_t work, std::size_t complete, const json& result,
                     const std::string& message = "half") {
    auto creator = client(create);
    auto worker = client(work);
    auto finisher = client(complete);
    ApiSteps c(*creator), w(*worker), f(*finisher);
    const std::string id = c.createJob("relay");
    const std::string workerId = w.registerWorker("relay");
    const json claimed = w.claim("relay", workerId);
    EXPECT_EQ(claimed.size(), 1u);
    expectStatus(w.settle("progress", claimed[0], workerId, {{"percent", 50}, {"message", message}}), 200, "progress");
    expectStatus(f.settle("complete", claimed[0], workerId, {{"result", result}}), 200, "complete");
    return id;
  }
};

TEST_F(PgClusterEventsTest, SubscribersOnOneServerGetEveryJobsEventsInOrderOnceWhicheverServerChangedIt) {
  startServers(2);
  const SseOptions auth{{{"Authorization", "Bearer " + servers_[0]->apiKey()}}};
  SseClient sseA(servers_[0]->port(), "/api/v1/events", auth);
  SseClient sseB(servers_[1]->port(), "/api/v1/events", auth);
  ASSERT_EQ(sseA.status(), 200);
  ASSERT_EQ(sseB.status(), 200);
  WsClient wsB(servers_[1]->port(), "/api/v1/ws?token=" + servers_[1]->apiKey());
  ASSERT_TRUE(wsB.waitFor([](const auto& m) { return !m.empty(); }, 5s));

  // All through A; created on A and worked on B; and one whose progress event is beyond a NOTIFY
  // payload's 8000 bytes (control characters take six bytes each in JSON).
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) ids.push_back(runJob(0, 0, 0, {{"n", i}}));
  for (int i = 0; i < 3; ++i) ids.push_back(runJob(0, 1, 0, {{"n", i}}));
  const std::string bulky(2000, '\x01');
  ids.push_back(runJob(0, 0, 1, {{"n", 7}}, bulky));

  const std::size_t expected = ids.size() * kLife.size();
  auto allArrived = [&](const std::vector<json>& bodies) {
    std::size_t n = 0;
    for (const auto& [id, events] : byJob(bodies)) n += events.size();
    return n >= expected;
  };
  ASSERT_TRUE(sseB.waitFor([&](const auto& m) { return allArrived(bodiesOf(m)); }, 20s)) << "SSE on B";
  ASSERT_TRUE(sseA.waitFor([&](const auto& m) { return allArrived(bodiesOf(m)); }, 20s)) << "SSE on A";
  ASSERT_TRUE(wsB.waitFor([&](const auto& m) { return allArrived(m); }, 20s)) << "WebSocket on B";
  std::this_thread::sleep_for(300ms);  // room for a duplicate to show up, if one were coming

  const auto onA = byJob(bodiesOf(sseA.events()));
  const auto onB = byJob(bodiesOf(sseB.events()));
  const auto onWs = byJob(wsB.snapshot().messages);
  for (const std::string& id : ids) {
    ASSERT_TRUE(onB.count(id)) << id;
    EXPECT_EQ(types(onB.at(id)), kLife) << "SSE on B, job " << id;
    EXPECT_EQ(types(onWs.at(id)), kLife) << "WebSocket on B, job " << id;
    EXPECT_EQ(onB.at(id), onA.at(id)) << "the same bodies on both servers, job " << id;
    EXPECT_EQ(onWs.at(id), onB.at(id)) << "the same bodies on SSE and WebSocket, job " << id;
  }
  EXPECT_EQ(onB.at(ids.back())[3]["data"]["message"], bulky);
  EXPECT_GT(onB.at(ids.back())[3].dump().size(), 8000u);
  // Ids are those of the server that sent them: unique and increasing on each stream.
  const auto events = sseB.events();
  for (std::size_t i = 1; i < events.size(); ++i) EXPECT_NE(events[i].id, events[i - 1].id);
}

}  // namespace
}  // namespace spooled::test
