// What one organization may create is capped (--max-queues-per-org, --max-workers-per-org,
// --max-api-keys-per-org): the request that would go one over gets 403 LIMIT_EXCEEDED with
// {resource, current, limit}, as the official backend answers a plan limit, and stores nothing. Every
// way of creating the thing is checked (jobs, bulk, queue configuration and pause; registration and a
// heartbeat that brings an offline worker back; key creation, re-activation and the admin route), and
// the limits are per organization. Usage reports them.
#include <gtest/gtest.h>

#include "support/account_steps.hpp"

namespace spooled::test {
namespace {

using namespace std::chrono_literals;

constexpr int kMaxQueues = 3;
constexpr int kMaxWorkers = 2;
constexpr int kMaxKeys = 3;

class OrgLimitsTest : public AccountServerTest {
 protected:
  ServerProcessOptions serverOptions() override {
    return accountServerOptions({"--max-queues-per-org", std::to_string(kMaxQueues), "--max-workers-per-org",
                                 std::to_string(kMaxWorkers), "--max-api-keys-per-org", std::to_string(kMaxKeys)});
  }

  static void expectLimit(const HttpResult& r, const std::string& resource, int limit, const std::string& what) {
    EXPECT_EQ(r.status, 403) << what << ": " << r.describe();
    EXPECT_EQ(r.body["code"], "LIMIT_EXCEEDED") << what << ": " << r.describe();
    EXPECT_EQ(r.body["details"]["resource"], resource) << what;
    EXPECT_EQ(r.body["details"]["limit"], limit) << what;
    EXPECT_EQ(r.body["details"]["current"], limit) << what;
  }

  std::size_t queueCount(HttpClient& client) {
    const HttpResult r = client.get("/api/v1/queues");
    expectStatus(r, 200, "list queues");
    return r.body.size();
  }

  HttpResult registerWorker(HttpClient& client, const std::string& queue) {
    return client.post("/api/v1/workers/register", {{"queue_name", queue}, {"hostname", "h"}});
  }
};

TEST_F(OrgLimitsTest, OneQueueTooManyIsRefusedHoweverItWouldBeCreatedAndNothingIsStored) {
  for (int i = 0; i < kMaxQueues; ++i) api_->createJob("q" + std::to_string(i));
  ASSERT_EQ(queueCount(*http_), static_cast<std::size_t>(kMaxQueues));

  expectLimit(http_->post("/api/v1/jobs", {{"queue_name", "new"}, {"payload", json::object()}}), "queues", kMaxQueues,
              "job on a new queue");
  const json item = {{"payload", json::object()}};
  expectLimit(http_->post("/api/v1/jobs/bulk", {{"queue_name", "new"}, {"jobs", json::array({item, item})}}),
              "queues", kMaxQueues, "bulk on a new queue");
  expectLimit(http_->request("PUT", "/api/v1/queues/new/config", json{{"max_retries", 1}}), "queues", kMaxQueues,
              "configure a new queue");
  expectLimit(http_->request("POST", "/api/v1/queues/new/pause"), "queues", kMaxQueues, "pause a new queue");

  // Nothing of the refused requests was stored.
  EXPECT_EQ(queueCount(*http_), static_cast<std::size_t>(kMaxQueues));
  EXPECT_EQ(http_->get("/api/v1/jobs?queue_name=new").body, json::array());
  EXPECT_EQ(http_->get("/api/v1/queues/new").status, 404);
  EXPECT_EQ(api_->countJobs(), static_cast<std::size_t>(kMaxQueues));

  // Existing queues take more jobs and configuration; a second organization has its own limit.
  api_->createJob("q0");
  EXPECT_EQ(http_->request("PUT", "/api/v1/queues/q1/config", json{{"max_retries", 1}}).status, 200);
  const TestOrganization other = accounts_->createOrganization("other");
  auto theirs = clientWith(other.apiKey);
  EXPECT_EQ(theirs->post("/api/v1/jobs", {{"queue_name", "new"}, {"payload", json::object()}}).status, 201);
}

TEST_F(OrgLimitsTest, OneLiveWorkerTooManyIsRefusedAndOfflineWorkersFreeTheirSlot) {
  const std::string first = api_->registerWorker("q");
  api_->registerWorker("q");
  expectLimit(registerWorker(*http_, "q"), "workers", kMaxWorkers, "third worker");
  EXPECT_EQ(http_->get("/api/v1/workers").body.size(), static_cast<std::size_t>(kMaxWorkers));

  // A deregistered worker no longer counts, so another may register...
  ASSERT_EQ(http_->post("/api/v1/workers/" + first + "/deregister", json::object()).status, 204);
  const HttpResult replacement = registerWorker(*http_, "q");
  ASSERT_EQ(replacement.status, 201) << replacement.describe();
  // ...and the offline one cannot heartbeat its way back past the limit.
  expectLimit(http_->post("/api/v1/workers/" + first + "/heartbeat", {{"current_jobs", 0}}), "workers", kMaxWorkers,
              "offline worker back");
  EXPECT_EQ(http_->get("/api/v1/workers/" + first).body["status"], "offline");
}

TEST_F(OrgLimitsTest, OneActiveKeyTooManyIsRefusedOnEveryRoute) {
  // The bootstrap key is the first.
  AccountSteps::createKey(*http_, {{"name", "second"}});
  const json third = AccountSteps::createKey(*http_, {{"name", "third"}});
  expectLimit(http_->post("/api/v1/api-keys", {{"name", "fourth"}}), "api_keys", kMaxKeys, "fourth key");
  const std::string orgId = http_->get("/api/v1/organizations").body.at(0).at("id");
  expectLimit(accounts_->admin("POST", "/api/v1/admin/organizations/" + orgId + "/api-keys", json{{"name", "x"}}),
              "api_keys", kMaxKeys, "admin-created fourth key");
  EXPECT_EQ(http_->get("/api/v1/api-keys").body.size(), static_cast<std::size_t>(kMaxKeys));

  // Revoking frees a slot; re-activating the revoked key when the slot is taken again is refused.
  const std::string thirdId = third["id"];
  ASSERT_EQ(http_->del("/api/v1/api-keys/" + thirdId).status, 204);
  AccountSteps::createKey(*http_, {{"name", "replacement"}});
  expectLimit(http_->request("PUT", "/api/v1/api-keys/" + thirdId, json{{"is_active", true}}), "api_keys", kMaxKeys,
              "re-activation");
  EXPECT_FALSE(http_->get("/api/v1/api-keys/" + thirdId).body["is_active"].get<bool>());
  EXPECT_EQ(clientWith(third["key"])->get("/api/v1/jobs").status, 401);
  // Changing an active key is not creating one.
  EXPECT_EQ(http_->request("PUT", "/api/v1/api-keys/" + thirdId, json{{"name", "renamed"}}).status, 200);
}

TEST_F(OrgLimitsTest, UsageReportsTheLimitsAndWarnsAtThem) {
  for (int i = 0; i < kMaxQueues; ++i) api_->createJob("q" + std::to_string(i));
  const HttpResult r = http_->get("/api/v1/organizations/usage");
  ASSERT_EQ(r.status, 200) << r.describe();
  EXPECT_EQ(r.body["limits"]["max_queues"], kMaxQueues);
  EXPECT_EQ(r.body["limits"]["max_workers"], kMaxWorkers);
  EXPECT_EQ(r.body["limits"]["max_api_keys"], kMaxKeys);
  EXPECT_EQ(r.body["usage"]["queues"]["current"], kMaxQueues);
  EXPECT_EQ(r.body["usage"]["queues"]["limit"], kMaxQueues);
  EXPECT_DOUBLE_EQ(r.body["usage"]["queues"]["percentage"].get<double>(), 100.0);
  ASSERT_EQ(r.body["warnings"].size(), 1u) << r.body["warnings"].dump();
  EXPECT_EQ(r.body["warnings"][0]["resource"], "queues");
  EXPECT_EQ(r.body["warnings"][0]["severity"], "critical");
}

TEST(OrgLimitFlagsTest, OutOfRangeLimitFailsFastNamingTheFlag) {
  for (const char* flag : {"--max-queues-per-org", "--max-workers-per-org", "--max-api-keys-per-org"}) {
    const CommandResult r = runServerCommand({flag, "0"}, 10s);
    EXPECT_EQ(r.exitCode, 2) << flag;
    EXPECT_NE(r.stderrText.find(flag), std::string::npos) << r.stderrText;
  }
}

}  // namespace
}  // namespace spooled::test
