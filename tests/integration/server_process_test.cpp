// The process as an operator sees it: graceful SIGTERM, crash and restart without losing acknowledged
// changes, organization isolation, and start-up flags.
#include <thread>

#include "server/auth/bootstrap.hpp"
#include "server/store/store.hpp"
#include "support/server_test.hpp"

namespace spooled::test {
namespace {

using namespace std::chrono_literals;

class ServerProcessTest : public ServerTest {};

TEST_F(ServerProcessTest, SigtermAnswersInFlightRequestThenExitsZero) {
  const std::string worker = api_->registerWorker("drain");
  HttpClient poller(server_.baseUrl(), server_.apiKey());
  HttpResult parked;
  std::thread claimer([&] {
    parked = poller.post("/api/v1/jobs/claim", {{"queue_name", "drain"}, {"worker_id", worker}, {"wait_ms", 20000}});
  });
  // The claim is parked once it has been in flight a moment; SIGTERM must still let it answer.
  std::this_thread::sleep_for(300ms);
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(server_.stop(), 0) << server_.logs();
  claimer.join();
  EXPECT_LT(std::chrono::steady_clock::now() - started, 10s);
  EXPECT_EQ(parked.status, 200) << parked.describe();
  EXPECT_EQ(parked.body["jobs"], json::array());
  EXPECT_NE(server_.stderrText().find("stopped"), std::string::npos);
}

TEST_F(ServerProcessTest, EveryAcknowledgedChangeSurvivesSigkill) {
  std::vector<std::string> ids;
  for (int i = 0; i < 12; ++i) ids.push_back(api_->createJob("durable", {{"priority", i}}));
  const std::string worker = api_->registerWorker("durable");
  const json claimed = api_->claim("durable", worker, {{"limit", 5}, {"lease_duration_secs", 600}});
  ASSERT_EQ(claimed.size(), 5u);
  ASSERT_EQ(api_->settle("complete", claimed[0], worker, {{"result", {{"ok", 1}}}}).status, 200);
  ASSERT_EQ(api_->settle("fail", claimed[1], worker, {{"error", "bad"}, {"retryable", false}}).status, 200);
  ASSERT_EQ(api_->settle("progress", claimed[2], worker, {{"percent", 70}}).status, 200);
  ASSERT_EQ(http_->del("/api/v1/jobs/" + ids[0]).status, 204);

  std::map<std::string, json> before;
  for (const auto& id : ids) before[id] = api_->getJob(id);
  const json workerBefore = http_->get("/api/v1/workers/" + worker).body;

  server_.kill();
  server_.restart();
  HttpClient after(server_.baseUrl(), server_.apiKey());
  ApiSteps steps(after);
  for (const auto& id : ids) EXPECT_EQ(steps.getJob(id), before[id]) << id;
  EXPECT_EQ(after.get("/api/v1/workers/" + worker).body["id"], workerBefore["id"]);
  // Leases handed out before the crash still hold: the holder can finish its job.
  EXPECT_EQ(steps.settle("complete", claimed[3], worker).status, 200);
}

TEST_F(ServerProcessTest, OrganizationsSeeOnlyTheirOwnData) {
  const std::string mine = api_->createJob("shared-name");
  const std::string myWorker = api_->registerWorker("shared-name");
  ASSERT_EQ(server_.stop(), 0);

  // A second organization with its own key, written straight to the store while the server is down.
  const std::string otherKey = "sk_test_other_org_key_0123456789";
  {
    auto store = spooled::server::openStore(server_.databaseUrl());
    store->writeNow([&](spooled::server::StoreTx& tx) {
      const auto org = spooled::server::ensureOrganization(tx, "other", "Other");
      spooled::server::insertApiKey(tx, org.id, otherKey, "test");
    });
  }
  server_.restart();

  HttpClient other(server_.baseUrl(), otherKey);
  ApiSteps otherSteps(other);
  EXPECT_EQ(other.get("/api/v1/jobs/" + mine).status, 404);
  EXPECT_EQ(other.get("/api/v1/jobs").body.size(), 0u);
  EXPECT_EQ(other.get("/api/v1/workers").body.size(), 0u);
  EXPECT_EQ(other.get("/api/v1/workers/" + myWorker).status, 404);
  EXPECT_EQ(other.del("/api/v1/jobs/" + mine).status, 404);

  // Same queue name, different organization: neither claims the other's jobs.
  const std::string theirs = otherSteps.createJob("shared-name");
  const json claimedByThem = otherSteps.claim("shared-name", otherSteps.registerWorker("shared-name"), {{"limit", 10}});
  ASSERT_EQ(claimedByThem.size(), 1u);
  EXPECT_EQ(claimedByThem[0]["id"], theirs);

  HttpClient me(server_.baseUrl(), server_.apiKey());
  EXPECT_EQ(ApiSteps(me).getJob(mine)["status"], "pending");
  EXPECT_EQ(me.get("/api/v1/jobs/" + theirs).status, 404);
}

TEST(ServerCommandTest, HelpDocumentsEveryFlagWithItsVariable) {
  const CommandResult r = runServerCommand({"--help"}, 10s);
  EXPECT_EQ(r.exitCode, 0);
  for (const char* text : {"--host", "HOST", "--port", "PORT", "--database-url", "DATABASE_URL", "--api-key",
                           "SPOOLED_API_KEY", "--admin-key", "ADMIN_API_KEY", "--log-level", "LOG_LEVEL", "8080",
                           "127.0.0.1", "sqlite:./spooled-data/spooled.db"})
    EXPECT_NE(r.stdoutText.find(text), std::string::npos) << text << "\n" << r.stdoutText;
}

TEST(ServerCommandTest, BadFlagsFailFastWithAMessage) {
  for (const auto& args : std::vector<std::vector<std::string>>{{"--port", "70000"},
                                                               {"--port", "abc"},
                                                               {"--host", "not-an-ip"},
                                                               {"--database-url", "mysql://x"},
                                                               {"--log-level", "loud"},
                                                               {"--api-key", "short"},
                                                               {"--no-such-flag"}}) {
    const CommandResult r = runServerCommand(args, 10s);
    EXPECT_NE(r.exitCode, 0) << args[0];
    EXPECT_FALSE(r.stderrText.empty()) << args[0];
  }
}

TEST(ServerCommandTest, LogLevelIgnoresCaseAndTakesWarningForWarn) {
  for (const char* level : {"WARNING", "Debug"}) {
    ServerProcessOptions options;
    options.extraArgs = {"--log-level", level};
    ServerProcess server(options);
    server.start();
    EXPECT_EQ(server.stop(), 0) << level << "\n" << server.logs();
  }
}

TEST(ServerCommandTest, GeneratesAndPrintsAKeyOnceWhenNoneExists) {
  ServerProcessOptions options;
  options.apiKey.clear();                  // no --api-key flag
  options.env["SPOOLED_API_KEY"] = "";     // and none inherited from the environment
  ServerProcess server(options);
  server.start();
  const std::string out = server.stdoutText();
  const auto at = out.find("sk_live_");
  ASSERT_NE(at, std::string::npos) << server.logs();
  const std::string key = out.substr(at, out.find_first_of(" \n", at) - at);

  HttpClient client(server.baseUrl(), key);
  EXPECT_EQ(client.get("/api/v1/jobs").status, 200);

  // A restart finds the key and prints nothing new.
  ASSERT_EQ(server.stop(), 0);
  server.restart();
  const std::string again = server.stdoutText();
  EXPECT_EQ(again, out) << "a restart must not print or create another key";
  HttpClient afterRestart(server.baseUrl(), key);
  EXPECT_EQ(afterRestart.get("/api/v1/jobs").status, 200);
}

}  // namespace
}  // namespace spooled::test
