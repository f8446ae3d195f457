// /api/v1/api-keys over HTTP: a created key works at once and its raw value is shown only once; a
// revoked, deactivated or expired key gets 401; a key limited to some queues gets 403 on the others
// on every queue-scoped route, and cannot create, change, revoke or even list keys (key_scope_test.cpp
// checks the whole route table).
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "common/time.hpp"
#include "support/account_steps.hpp"

namespace spooled::test {
namespace {

using namespace std::chrono_literals;

class ApiKeysTest : public AccountServerTest {};

TEST_F(ApiKeysTest, CreatedKeyWorksAndIsShownOnlyOnce) {
  const json created = AccountSteps::createKey(*http_, {{"name", "ci deploys"}});
  const std::string key = created.at("key");
  EXPECT_TRUE(key.starts_with("sk_live_")) << key;
  EXPECT_GE(key.size(), 40u);
  for (const char* field : {"id", "key", "name", "created_at", "expires_at"})
    EXPECT_TRUE(created.contains(field)) << field << created.dump();
  EXPECT_EQ(created["name"], "ci deploys");

  // The new key authenticates on its own.
  EXPECT_EQ(clientWith(key)->get("/api/v1/jobs").status, 200);

  // Neither a GET nor the list ever shows the key or its hash again.
  const HttpResult got = http_->get("/api/v1/api-keys/" + created["id"].get<std::string>());
  ASSERT_EQ(got.status, 200) << got.describe();
  EXPECT_EQ(got.rawBody.find(key), std::string::npos);
  for (const char* field : {"id", "name", "queues", "rate_limit", "is_active", "created_at", "last_used", "expires_at"})
    EXPECT_TRUE(got.body.contains(field)) << field << got.rawBody;
  EXPECT_FALSE(got.body.contains("key"));
  EXPECT_FALSE(got.body.contains("key_hash"));
  EXPECT_TRUE(got.body["is_active"].get<bool>());

  const HttpResult list = http_->get("/api/v1/api-keys");
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.rawBody.find(key), std::string::npos);
  ASSERT_EQ(list.body.size(), 2u);  // the bootstrap key and the new one, newest first
  EXPECT_EQ(list.body[0]["id"], created["id"]);
}

TEST_F(ApiKeysTest, LastUsedIsRecorded) {
  const json created = AccountSteps::createKey(*http_, {{"name", "usage"}});
  const std::string id = created["id"];
  EXPECT_TRUE(http_->get("/api/v1/api-keys/" + id).body["last_used"].is_null());
  ASSERT_EQ(clientWith(created["key"])->get("/api/v1/jobs").status, 200);
  // Recording the use is bookkeeping the request does not wait for: it commits a moment later.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!http_->get("/api/v1/api-keys/" + id).body["last_used"].is_string() &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_TRUE(http_->get("/api/v1/api-keys/" + id).body["last_used"].is_string());
}

TEST_F(ApiKeysTest, RevokedKeyGets401AndStaysListedInactive) {
  const json created = AccountSteps::createKey(*http_, {{"name", "to revoke"}});
  const std::string id = created["id"];
  auto client = clientWith(created["key"]);
  ASSERT_EQ(client->get("/api/v1/jobs").status, 200);

  const HttpResult revoked = http_->del("/api/v1/api-keys/" + id);
  EXPECT_EQ(revoked.status, 204) << revoked.describe();
  const HttpResult after = client->get("/api/v1/jobs");
  EXPECT_EQ(after.status, 401);
  EXPECT_EQ(after.body["code"], "UNAUTHORIZED");
  EXPECT_FALSE(http_->get("/api/v1/api-keys/" + id).body["is_active"].get<bool>());
}

TEST_F(ApiKeysTest, UpdateRenamesDeactivatesAndReactivates) {
  const json created = AccountSteps::createKey(*http_, {{"name", "before"}});
  const std::string path = "/api/v1/api-keys/" + created["id"].get<std::string>();
  auto client = clientWith(created["key"]);

  HttpResult r = http_->request("PUT", path, json{{"name", "after"}, {"rate_limit", 50}, {"queues", {"emails"}}});
  ASSERT_EQ(r.status, 200) << r.describe();
  EXPECT_EQ(r.body["name"], "after");
  EXPECT_EQ(r.body["rate_limit"], 50);
  EXPECT_EQ(r.body["queues"], json({"emails"}));

  r = http_->request("PUT", path, json{{"is_active", false}});
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body["name"], "after");  // unset fields keep their values
  EXPECT_EQ(client->get("/api/v1/jobs").status, 401);

  ASSERT_EQ(http_->request("PUT", path, json{{"is_active", true}}).status, 200);
  EXPECT_EQ(client->get("/api/v1/jobs?queue_name=emails").status, 200);
}

TEST_F(ApiKeysTest, ExpiredKeyGets401) {
  const std::string soon = formatIso8601(nowMs() + 3s);
  const json created = AccountSteps::createKey(*http_, {{"name", "short-lived"}, {"expires_at", soon}});
  EXPECT_EQ(created["expires_at"], soon);
  auto client = clientWith(created["key"]);
  ASSERT_EQ(client->get("/api/v1/jobs").status, 200);
  EXPECT_TRUE(waitUntil([&] { return client->get("/api/v1/jobs").status == 401; }, 10s));
}

TEST_F(ApiKeysTest, QueueLimitedKeyIsRefusedOnOtherQueuesEverywhere) {
  // Work on a queue the limited key may not touch, made with the full key.
  const std::string otherJob = api_->createJob("billing");
  const std::string otherWorker = api_->registerWorker("billing");
  const json otherClaimed = api_->claim("billing", otherWorker);
  ASSERT_EQ(otherClaimed.size(), 1u);

  const json limitedKey = AccountSteps::createKey(*http_, {{"name", "emails only"}, {"queues", {"emails"}}});
  auto limited = clientWith(limitedKey["key"]);
  ApiSteps mine(*limited);

  // Allowed queue: everything works.
  const std::string myJob = mine.createJob("emails");
  const std::string myWorker = mine.registerWorker("emails");
  ASSERT_EQ(mine.claim("emails", myWorker).size(), 1u);
  EXPECT_EQ(limited->get("/api/v1/jobs/" + myJob).status, 200);

  const auto expect403 = [&](const HttpResult& r, const std::string& what) {
    EXPECT_EQ(r.status, 403) << what << ": " << r.describe();
    EXPECT_EQ(r.body["code"], "ACCESS_DENIED") << what;
  };
  expect403(limited->post("/api/v1/jobs", {{"queue_name", "billing"}, {"payload", json::object()}}), "create");
  expect403(limited->post("/api/v1/jobs/claim", {{"queue_name", "billing"}, {"worker_id", myWorker}}), "claim");
  expect403(limited->post("/api/v1/workers/register", {{"queue_name", "billing"}, {"hostname", "h"}}), "register");
  expect403(limited->get("/api/v1/jobs?queue_name=billing"), "list jobs of queue");
  expect403(limited->get("/api/v1/workers?queue_name=billing"), "list workers of queue");
  expect403(limited->get("/api/v1/jobs/" + otherJob), "get job");
  expect403(limited->del("/api/v1/jobs/" + otherJob), "cancel job");
  for (const char* action : {"complete", "fail", "heartbeat", "progress"}) {
    json extra = json::object();
    if (std::string(action) == "fail") extra = {{"error", "x"}};
    if (std::string(action) == "progress") extra = {{"percent", 5}};
    expect403(ApiSteps(*limited).settle(action, otherClaimed[0], otherWorker, extra), action);
  }
  expect403(limited->get("/api/v1/workers/" + otherWorker), "get worker");
  expect403(limited->post("/api/v1/workers/" + otherWorker + "/heartbeat", {{"current_jobs", 0}}), "worker heartbeat");
  expect403(limited->post("/api/v1/workers/" + otherWorker + "/deregister", json::object()), "deregister");

  // Unfiltered lists show only the key's queues.
  const json jobs = limited->get("/api/v1/jobs").body;
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0]["id"], myJob);
  const json workers = limited->get("/api/v1/workers").body;
  ASSERT_EQ(workers.size(), 1u);
  EXPECT_EQ(workers[0]["id"], myWorker);

  // Nothing the refusals touched changed: the other job is still held by its worker.
  EXPECT_EQ(api_->getJob(otherJob)["status"], "processing");
}

TEST_F(ApiKeysTest, QueueLimitedKeyCannotManageKeysWiderThanItself) {
  // The organization's unrestricted keys: the bootstrap key, and one revoked by it.
  const std::string fullId = http_->get("/api/v1/api-keys").body.at(0).at("id");
  const json revoked = AccountSteps::createKey(*http_, {{"name", "retired"}});
  const std::string revokedId = revoked["id"];
  ASSERT_EQ(http_->del("/api/v1/api-keys/" + revokedId).status, 204);
  const json fullBefore = http_->get("/api/v1/api-keys/" + fullId).body;
  const json revokedBefore = http_->get("/api/v1/api-keys/" + revokedId).body;

  const json limitedKey = AccountSteps::createKey(*http_, {{"name", "emails only"}, {"queues", {"emails"}}});
  for (const std::string& credential : {limitedKey["key"].get<std::string>(),
                                        accounts_->login(limitedKey["key"]).at("access_token").get<std::string>()}) {
    auto limited = clientWith(credential);
    const auto expect403 = [&](const HttpResult& r, const std::string& what) {
      EXPECT_EQ(r.status, 403) << what << ": " << r.describe();
      EXPECT_EQ(r.body["code"], "ACCESS_DENIED") << what;
    };
    // Re-activate the revoked key, narrow, throttle or rename the full one, revoke it.
    expect403(limited->request("PUT", "/api/v1/api-keys/" + revokedId, json{{"is_active", true}}), "re-activate");
    expect403(limited->request("PUT", "/api/v1/api-keys/" + fullId, json{{"queues", {"emails"}}}), "narrow");
    expect403(limited->request("PUT", "/api/v1/api-keys/" + fullId, json{{"rate_limit", 1}}), "rate limit");
    expect403(limited->request("PUT", "/api/v1/api-keys/" + fullId, json{{"name", "mine now"}}), "rename");
    expect403(limited->del("/api/v1/api-keys/" + fullId), "revoke");
    // Nor mint keys, even narrower ones, nor widen itself, nor see the keys.
    expect403(limited->post("/api/v1/api-keys", {{"name", "same"}, {"queues", {"emails"}}}), "mint");
    expect403(limited->request("PUT", "/api/v1/api-keys/" + limitedKey["id"].get<std::string>(),
                               json{{"queues", json::array()}}),
              "widen itself");
    expect403(limited->get("/api/v1/api-keys"), "list");
    expect403(limited->get("/api/v1/api-keys/" + fullId), "get");
  }

  // Nothing changed: the full key still works unchanged, the revoked one stays revoked.
  EXPECT_EQ(http_->get("/api/v1/api-keys/" + revokedId).body, revokedBefore);
  json fullAfter = http_->get("/api/v1/api-keys/" + fullId).body;
  fullAfter["last_used"] = fullBefore["last_used"];  // the full key itself was used in between
  EXPECT_EQ(fullAfter, fullBefore);
  EXPECT_EQ(clientWith(revoked["key"])->get("/api/v1/jobs").status, 401);
  EXPECT_EQ(http_->get("/api/v1/api-keys").body.size(), 3u);
}

TEST_F(ApiKeysTest, InvalidFieldsAre400WithTheField) {
  const std::string past = formatIso8601(nowMs() - 1h);
  const std::vector<std::pair<json, std::string>> cases = {
      {json::object(), "name"},
      {{{"name", ""}}, "name"},
      {{{"name", std::string(101, 'a')}}, "name"},
      {{{"name", "bad/name"}}, "name"},
      {{{"name", "ok"}, {"rate_limit", 0}}, "rate_limit"},
      {{{"name", "ok"}, {"rate_limit", 10001}}, "rate_limit"},
      {{{"name", "ok"}, {"queues", "emails"}}, "queues"},
      {{{"name", "ok"}, {"queues", {"bad queue"}}}, "queues"},
      {{{"name", "ok"}, {"expires_at", past}}, "expires_at"},
      {{{"name", "ok"}, {"expires_at", "tomorrow"}}, "expires_at"},
  };
  for (const auto& [body, field] : cases) {
    const HttpResult r = http_->post("/api/v1/api-keys", body);
    EXPECT_EQ(r.status, 400) << body.dump() << r.describe();
    EXPECT_EQ(r.body["code"], "VALIDATION_ERROR") << body.dump();
    EXPECT_EQ(r.body["details"]["field"], field) << body.dump();
  }
  EXPECT_EQ(http_->get("/api/v1/api-keys").body.size(), 1u) << "a rejected create must not create a key";
}

TEST_F(ApiKeysTest, UnknownIdsAre404AndAnonymousCallersAre401) {
  for (const std::string id : {"00000000-0000-4000-8000-000000000000", "not-a-uuid"}) {
    EXPECT_EQ(http_->get("/api/v1/api-keys/" + id).status, 404) << id;
    EXPECT_EQ(http_->request("PUT", "/api/v1/api-keys/" + id, json{{"name", "x"}}).status, 404) << id;
    EXPECT_EQ(http_->del("/api/v1/api-keys/" + id).status, 404) << id;
  }
  auto anonymous = std::make_unique<HttpClient>(server_->baseUrl(), std::nullopt);
  EXPECT_EQ(anonymous->get("/api/v1/api-keys").status, 401);
  EXPECT_EQ(anonymous->post("/api/v1/api-keys", {{"name", "x"}}).status, 401);
}

}  // namespace
}  // namespace spooled::test
