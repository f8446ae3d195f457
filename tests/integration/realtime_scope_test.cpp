// Who sees which live events: a key limited to some queues sees only those queues' events (and gets
// 403 for a stream of another queue), and one organization never sees another's events.
#include <gtest/gtest.h>

#include "support/account_steps.hpp"
#include "support/stream_clients.hpp"

namespace spooled::test {
namespace {

using namespace std::chrono_literals;

class RealtimeScopeTest : public AccountServerTest {};

TEST_F(RealtimeScopeTest, QueueLimitedKeySeesOnlyItsQueues) {
  const json scoped = AccountSteps::createKey(*http_, {{"name", "qa only"}, {"queues", {"qa"}}});
  const std::string key = scoped.at("key");
  SseClient sse(server_->port(), "/api/v1/events", SseOptions{{{"Authorization", "Bearer " + key}}});
  ASSERT_EQ(sse.status(), 200);
  WsClient ws(server_->port(), "/api/v1/ws?token=" + key);
  api_->createJob("qb");
  const std::string mine = api_->createJob("qa");
  api_->createJob("qb");
  ASSERT_TRUE(sse.waitFor([](const auto& m) { return !m.empty(); }, 10s));
  ASSERT_TRUE(ws.waitFor([](const auto& m) { return typesOf(m).size() >= 1; }, 10s));
  // A later event of the key's queue shows that nothing of qb was merely late.
  const std::string mine2 = api_->createJob("qa");
  ASSERT_TRUE(sse.waitFor([](const auto& m) { return m.size() >= 2; }, 10s));
  ASSERT_TRUE(ws.waitFor([](const auto& m) { return typesOf(m).size() >= 2; }, 10s));
  for (const SseMessage& m : sse.events()) EXPECT_EQ(m.body["data"]["queue_name"], "qa") << m.data;
  for (const json& m : ws.snapshot().messages)
    if (m["type"] != "Ping") {
      EXPECT_EQ(m["data"]["queue_name"], "qa") << m.dump();
    }
  EXPECT_EQ(sse.events()[0].body["data"]["job_id"], mine);
  EXPECT_EQ(sse.events()[1].body["data"]["job_id"], mine2);

  HttpClient client(server_->baseUrl(), key);
  EXPECT_EQ(client.get("/api/v1/events/queues/qb").status, 403);
  EXPECT_EQ(client.get("/api/v1/events?queue=qb").status, 403);
}

TEST_F(RealtimeScopeTest, AnotherOrganizationsEventsNeverLeak) {
  const TestOrganization other = accounts_->createOrganization("other-org");
  SseClient mine(server_->port(), "/api/v1/events", SseOptions{{{"Authorization", "Bearer " + server_->apiKey()}}});
  WsClient theirsWs(server_->port(), "/api/v1/ws?token=" + other.apiKey);
  SseClient theirs(server_->port(), "/api/v1/events", SseOptions{{{"Authorization", "Bearer " + other.apiKey}}});
  ASSERT_EQ(mine.status(), 200);
  ASSERT_EQ(theirs.status(), 200);
  HttpClient otherHttp(server_->baseUrl(), other.apiKey);
  ApiSteps otherApi(otherHttp);
  const std::string ours = api_->createJob("shared-name");
  const std::string theirsJob = otherApi.createJob("shared-name");
  ASSERT_TRUE(mine.waitFor([](const auto& m) { return !m.empty(); }, 10s));
  ASSERT_TRUE(theirs.waitFor([](const auto& m) { return !m.empty(); }, 10s));
  ASSERT_TRUE(theirsWs.waitFor([](const auto& m) { return typesOf(m).size() >= 1; }, 10s));
  // One more event each, after which anything leaked would have arrived.
  api_->createJob("shared-name");
  otherApi.createJob("shared-name");
  ASSERT_TRUE(mine.waitFor([](const auto& m) { return m.size() >= 2; }, 10s));
  ASSERT_TRUE(theirs.waitFor([](const auto& m) { return m.size() >= 2; }, 10s));
  EXPECT_EQ(mine.events().size(), 2u);
  EXPECT_EQ(theirs.events().size(), 2u);
  EXPECT_EQ(mine.events()[0].body["data"]["job_id"], ours);
  EXPECT_EQ(theirs.events()[0].body["data"]["job_id"], theirsJob);
  for (const json& m : theirsWs.snapshot().messages)
    if (m["type"] == "JobCreated") {
      EXPECT_NE(m["data"]["job_id"], ours);
    }
  // A job of the other organization cannot be streamed by id either.
  EXPECT_EQ(http_->get("/api/v1/events/jobs/" + theirsJob).status, 404);
}

}  // namespace
}  // namespace spooled::test
