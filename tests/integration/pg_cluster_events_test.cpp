// Live events across servers: two spooled-server processes on one PostgreSQL database; subscribers
// (SSE and WebSocket) on one server get the events of jobs driven through the other, or through both
// by turns, in each job's order, once each, with the same bodies the other server's subscribers get,
// events too big for a NOTIFY payload included. A server relays through the database only while
// another server has subscribers, and one that gains a subscriber gets the others' events from then on.
#include <gtest/gtest.h>

#include <poll.h>

#include <algorithm>
#include <map>
#include <set>
#include <thread>

#include "server/store/postgres/pg_connection.hpp"
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
  const json& progress = onB.at(ids.back()).at(3);
  EXPECT_EQ(progress.at("data").value("message", ""), bulky);
  EXPECT_GT(progress.dump().size(), 8000u);
  // Ids are those of the server that sent them: unique and increasing on each stream.
  const auto events = sseB.events();
  for (std::size_t i = 1; i < events.size(); ++i) EXPECT_NE(events[i].id, events[i - 1].id);
}

// Listens on the servers' channels with a connection of its own, as a third party: what the servers
// send through the database, and when a server announces that it has subscribers.
class ChannelListener {
 public:
  explicit ChannelListener(const std::string& url) : conn_(url) {
    conn_.exec("LISTEN spooled_events; LISTEN spooled_listeners");
  }
  // Collects what arrives within `wait`.
  void collect(std::chrono::milliseconds wait) {
    pollfd fd{PQsocket(conn_.raw()), POLLIN, 0};
    if (::poll(&fd, 1, static_cast<int>(wait.count())) > 0) PQconsumeInput(conn_.raw());
    while (PGnotify* note = PQnotifies(conn_.raw())) {
      (std::string(note->relname) == "spooled_events" ? events : announcements).push_back(note->extra);
      PQfreemem(note);
    }
  }
  // The servers that announced subscribers so far (a starting server's questions begin with "?").
  std::set<std::string> announcers() const {
    std::set<std::string> out;
    for (const std::string& a : announcements)
      if (!a.starts_with("?")) out.insert(a);
    return out;
  }
  // Waits for an announcement from a server not among `known`.
  bool waitForNewAnnouncer(const std::set<std::string>& known, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      collect(100ms);
      for (const std::string& a : announcers())
        if (!known.count(a)) return true;
    }
    return false;
  }
  std::vector<std::string> events, announcements;

 private:
  server::PgConnection conn_;
};

TEST_F(PgClusterEventsTest, EventsGoThroughTheDatabaseOnlyWhileAnotherServerHasSubscribers) {
  startServers(2, {}, {"--cluster-presence-ms", "300"});
  ChannelListener database(url_);
  std::this_thread::sleep_for(1500ms);  // past the servers' start-up, when they relay everything (0.5 s)
  const SseOptions auth{{{"Authorization", "Bearer " + servers_[0]->apiKey()}}};

  // A subscriber on A alone: A's events reach it directly, and nothing goes through the database.
  SseClient sseA(servers_[0]->port(), "/api/v1/events", auth);
  ASSERT_EQ(sseA.status(), 200);
  database.collect(50ms);
  database.events.clear();
  const std::string local = runJob(0, 0, 0, {{"n", 1}});
  ASSERT_TRUE(sseA.waitFor([&](const auto& m) { return byJob(bodiesOf(m))[local].size() >= kLife.size(); }, 10s));
  EXPECT_EQ(types(byJob(bodiesOf(sseA.events()))[local]), kLife);
  database.collect(200ms);  // a relayed event would have come back to A through the database first
  EXPECT_TRUE(database.events.empty()) << database.events.size() << " NOTIFY payload(s), first: "
                                       << database.events.front();

  // A subscriber on B: B says so, and from then on A relays. The first jobs may still race the
  // announcement; the next ones reach B whole, in order, and A's subscriber as before.
  const std::set<std::string> onlyA = database.announcers();  // A announces its own subscriber
  ASSERT_EQ(onlyA.size(), 1u);
  SseClient sseB(servers_[1]->port(), "/api/v1/events", auth);
  ASSERT_EQ(sseB.status(), 200);
  ASSERT_TRUE(database.waitForNewAnnouncer(onlyA, 5s));
  std::string first;
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (first.empty() && std::chrono::steady_clock::now() < deadline) {
    const std::string id = runJob(0, 0, 0, {{"n", 2}});
    if (sseB.waitFor([&](const auto& m) { return byJob(bodiesOf(m)).count(id) > 0; }, 1s)) first = id;
  }
  ASSERT_FALSE(first.empty()) << "B never got an event of a job run through A";
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) ids.push_back(runJob(0, 0, 0, {{"n", 3 + i}}));
  auto whole = [&](const std::vector<SseMessage>& m) {
    auto jobs = byJob(bodiesOf(m));
    return std::all_of(ids.begin(), ids.end(), [&](const std::string& id) { return jobs[id].size() >= kLife.size(); });
  };
  ASSERT_TRUE(sseB.waitFor(whole, 10s)) << "SSE on B";
  ASSERT_TRUE(sseA.waitFor(whole, 10s)) << "SSE on A";
  for (const std::string& id : ids) {
    EXPECT_EQ(types(byJob(bodiesOf(sseB.events()))[id]), kLife) << "B, job " << id;
    EXPECT_EQ(byJob(bodiesOf(sseA.events()))[id], byJob(bodiesOf(sseB.events()))[id]) << "job " << id;
  }
  database.collect(50ms);
  EXPECT_FALSE(database.events.empty());
}

}  // namespace
}  // namespace spooled::test
