// Two organizations on one server, the second made through the admin API: no id of the one answers to
// the other (404, exactly like an unknown id), no list shows the other's data, and the same queue
// name in both is two separate queues.
#include <gtest/gtest.h>

#include "support/account_steps.hpp"

namespace spooled::test {
namespace {

class TenantIsolationTest : public AccountServerTest {
 protected:
  void SetUp() override {
    AccountServerTest::SetUp();
    other_ = accounts_->createOrganization("tenant-b");
    them_ = clientWith(other_.apiKey);
  }

  TestOrganization other_;
  std::unique_ptr<HttpClient> them_;
};

TEST_F(TenantIsolationTest, EveryIdOfOneOrganizationIs404ToTheOther) {
  // Organization A (the default one): a held job, a waiting job, a worker, a second key, a queue.
  const std::string worker = api_->registerWorker("shared");
  const std::string held = api_->createJob("shared");
  const json claimed = api_->claim("shared", worker);
  ASSERT_EQ(claimed.size(), 1u);
  const std::string waiting = api_->createJob("a-only");
  const json key = AccountSteps::createKey(*http_, {{"name", "a key"}});
  const std::string keyId = key["id"];
  const std::string orgId = http_->get("/api/v1/organizations").body[0]["id"];

  const auto expect404 = [&](const HttpResult& r, const std::string& what) {
    EXPECT_EQ(r.status, 404) << what << ": " << r.describe();
    EXPECT_EQ(r.body["code"], "NOT_FOUND") << what;
  };
  const json lease = {{"worker_id", worker}, {"lease_id", claimed[0]["lease_id"]}};
  expect404(them_->get("/api/v1/jobs/" + held), "get job");
  expect404(them_->del("/api/v1/jobs/" + waiting), "cancel job");
  expect404(them_->post("/api/v1/jobs/" + held + "/complete", lease), "complete");
  json failBody = lease;
  failBody["error"] = "x";
  expect404(them_->post("/api/v1/jobs/" + held + "/fail", failBody), "fail");
  expect404(them_->post("/api/v1/jobs/" + held + "/heartbeat", lease), "heartbeat");
  json progressBody = lease;
  progressBody["percent"] = 50;
  expect404(them_->post("/api/v1/jobs/" + held + "/progress", progressBody), "progress");
  expect404(them_->post("/api/v1/jobs/" + waiting + "/retry", json::object()), "retry");
  expect404(them_->request("PUT", "/api/v1/jobs/" + waiting + "/priority", json{{"priority", 50}}), "priority");
  expect404(them_->get("/api/v1/workers/" + worker), "get worker");
  expect404(them_->post("/api/v1/workers/" + worker + "/heartbeat", {{"current_jobs", 0}}), "worker heartbeat");
  expect404(them_->post("/api/v1/workers/" + worker + "/deregister", json::object()), "deregister");
  expect404(them_->get("/api/v1/api-keys/" + keyId), "get key");
  expect404(them_->request("PUT", "/api/v1/api-keys/" + keyId, json{{"is_active", false}}), "update key");
  expect404(them_->del("/api/v1/api-keys/" + keyId), "revoke key");
  expect404(them_->get("/api/v1/organizations/" + orgId), "get organization");
  expect404(them_->request("PUT", "/api/v1/organizations/" + orgId, json{{"name", "Taken over"}}), "update org");
  expect404(them_->get("/api/v1/queues/a-only"), "get queue");

  // Nothing of A changed.
  EXPECT_EQ(api_->getJob(held)["status"], "processing");
  EXPECT_EQ(api_->getJob(waiting)["status"], "pending");
  EXPECT_EQ(api_->getJob(waiting)["priority"], 0);
  EXPECT_EQ(http_->get("/api/v1/workers/" + worker).body["status"], "healthy");
  EXPECT_EQ(clientWith(key["key"])->get("/api/v1/jobs").status, 200);
  EXPECT_EQ(api_->settle("complete", claimed[0], worker).status, 200);
}

TEST_F(TenantIsolationTest, ListsShowOnlyTheCallersData) {
  api_->createJob("shared");
  api_->registerWorker("shared");
  AccountSteps::createKey(*http_, {{"name", "a key"}});

  EXPECT_EQ(them_->get("/api/v1/jobs").body, json::array());
  EXPECT_EQ(them_->get("/api/v1/jobs?queue_name=shared").body, json::array());
  EXPECT_EQ(them_->get("/api/v1/workers").body, json::array());
  const json keys = them_->get("/api/v1/api-keys").body;
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_EQ(keys[0]["id"], other_.apiKeyId);
  const json orgs = them_->get("/api/v1/organizations").body;
  ASSERT_EQ(orgs.size(), 1u);
  EXPECT_EQ(orgs[0]["id"], other_.id);
  EXPECT_EQ(them_->get("/api/v1/queues").body, json::array());
  EXPECT_EQ(them_->get("/api/v1/jobs/stats").body["total"], 0);
  EXPECT_EQ(them_->get("/api/v1/organizations/usage").body["usage"]["active_jobs"]["current"], 0);
}

TEST_F(TenantIsolationTest, TheSameQueueNameIsTwoQueues) {
  const std::string mine = api_->createJob("shared");
  const std::string theirs = ApiSteps(*them_).createJob("shared");
  // B pausing "shared" pauses its own queue only.
  ASSERT_EQ(them_->post("/api/v1/queues/shared/pause", json::object()).status, 200);

  const json myClaim = api_->claim("shared", api_->registerWorker("shared"), {{"limit", 10}});
  ASSERT_EQ(myClaim.size(), 1u);
  EXPECT_EQ(myClaim[0]["id"], mine);
  ApiSteps theirSteps(*them_);
  EXPECT_EQ(theirSteps.claim("shared", theirSteps.registerWorker("shared"), {{"limit", 10}}).size(), 0u);
  ASSERT_EQ(them_->post("/api/v1/queues/shared/resume", json::object()).status, 200);
  const json theirClaim = theirSteps.claim("shared", theirSteps.registerWorker("shared"), {{"limit", 10}});
  ASSERT_EQ(theirClaim.size(), 1u);
  EXPECT_EQ(theirClaim[0]["id"], theirs);
}

TEST_F(TenantIsolationTest, TokensAreBoundToTheirOrganization) {
  const std::string mine = api_->createJob("shared");
  const json tokens = accounts_->login(other_.apiKey);
  auto jwt = clientWith(tokens["access_token"]);
  EXPECT_EQ(jwt->get("/api/v1/jobs/" + mine).status, 404);
  EXPECT_EQ(jwt->get("/api/v1/jobs").body, json::array());
  EXPECT_EQ(jwt->get("/api/v1/auth/me").body["organization_id"], other_.id);
}

}  // namespace
}  // namespace spooled::test
