// /api/v1/organizations over HTTP: registration is closed by default (403 unless X-Admin-Key) and
// public with --registration-mode open; a caller sees and changes only its own organization (another
// one's id is 404); usage reports real counts against an unlimited plan; the webhook token can be
// read, regenerated and cleared.
#include <gtest/gtest.h>

#include "support/account_steps.hpp"

namespace spooled::test {
namespace {

class OrganizationsTest : public AccountServerTest {
 protected:
  std::string ownOrgId() {
    const HttpResult r = http_->get("/api/v1/organizations");
    expectStatus(r, 200, "list organizations");
    return r.body.at(0).at("id");
  }
};

class OpenRegistrationTest : public AccountServerTest {
 protected:
  ServerProcessOptions serverOptions() override { return accountServerOptions({"--registration-mode", "open"}); }
};

const json kNewOrg = {{"name", "Acme Corp"}, {"slug", "acme"}, {"billing_email", "ops@acme.example"}};

TEST_F(OrganizationsTest, ClosedRegistrationRefusesAnonymousCreates) {
  HttpClient anonymous(server_->baseUrl(), std::nullopt);
  const HttpResult refused = anonymous.post("/api/v1/organizations", kNewOrg);
  EXPECT_EQ(refused.status, 403) << refused.describe();
  EXPECT_EQ(refused.body["code"], "ACCESS_DENIED");
  // An API key of an existing organization is not enough either.
  EXPECT_EQ(http_->post("/api/v1/organizations", kNewOrg).status, 403);
  // The admin key is.
  const HttpResult created = anonymous.request("POST", "/api/v1/organizations", kNewOrg, {{"X-Admin-Key", kTestAdminKey}});
  EXPECT_EQ(created.status, 201) << created.describe();
}

TEST_F(OpenRegistrationTest, AnyoneCanRegisterAndTheKeyWorksAtOnce) {
  HttpClient anonymous(server_->baseUrl(), std::nullopt);
  const HttpResult r = anonymous.post("/api/v1/organizations", kNewOrg);
  ASSERT_EQ(r.status, 201) << r.describe();
  const json& org = r.body.at("organization");
  for (const char* field : {"id", "name", "slug", "plan_tier", "billing_email", "settings", "created_at", "updated_at"})
    EXPECT_TRUE(org.contains(field)) << field;
  EXPECT_EQ(org["name"], "Acme Corp");
  EXPECT_EQ(org["slug"], "acme");
  EXPECT_EQ(org["billing_email"], "ops@acme.example");
  const json& key = r.body.at("api_key");
  for (const char* field : {"id", "key", "name", "created_at"}) EXPECT_TRUE(key.contains(field)) << field;

  auto client = clientWith(key["key"]);
  const HttpResult mine = client->get("/api/v1/organizations");
  ASSERT_EQ(mine.status, 200);
  ASSERT_EQ(mine.body.size(), 1u);
  EXPECT_EQ(mine.body[0]["id"], org["id"]);
  EXPECT_EQ(ApiSteps(*client).createJob("welcome").size(), 36u);

  // Slugs are unique.
  const HttpResult again = anonymous.post("/api/v1/organizations", kNewOrg);
  EXPECT_EQ(again.status, 409) << again.describe();
  EXPECT_EQ(again.body["code"], "CONFLICT");
}

TEST_F(OpenRegistrationTest, InvalidFieldsAre400WithTheField) {
  HttpClient anonymous(server_->baseUrl(), std::nullopt);
  const std::vector<std::pair<json, std::string>> cases = {
      {{{"slug", "acme"}}, "name"},
      {{{"name", "Ac"}, {"slug", "acme"}}, "name"},
      {{{"name", "Acme"}}, "slug"},
      {{{"name", "Acme"}, {"slug", "Acme"}}, "slug"},
      {{{"name", "Acme"}, {"slug", "-acme"}}, "slug"},
      {{{"name", "Acme"}, {"slug", "ac--me"}}, "slug"},
      {{{"name", "Acme"}, {"slug", "ab"}}, "slug"},
      {{{"name", "Acme"}, {"slug", "admin"}}, "slug"},
      {{{"name", "Acme"}, {"slug", "acme"}, {"billing_email", "nope"}}, "billing_email"},
  };
  for (const auto& [body, field] : cases) {
    const HttpResult r = anonymous.post("/api/v1/organizations", body);
    EXPECT_EQ(r.status, 400) << body.dump() << r.describe();
    EXPECT_EQ(r.body["details"]["field"], field) << body.dump();
  }
}

TEST_F(OrganizationsTest, OwnOrganizationCanBeReadAndChanged) {
  const std::string id = ownOrgId();
  const HttpResult got = http_->get("/api/v1/organizations/" + id);
  ASSERT_EQ(got.status, 200) << got.describe();
  EXPECT_EQ(got.body["slug"], "default");

  const HttpResult updated = http_->request(
      "PUT", "/api/v1/organizations/" + id,
      json{{"name", "Renamed Inc"}, {"billing_email", "billing@renamed.example"}, {"settings", {{"theme", "dark"}}}});
  ASSERT_EQ(updated.status, 200) << updated.describe();
  EXPECT_EQ(updated.body["name"], "Renamed Inc");
  EXPECT_EQ(updated.body["slug"], "default");
  EXPECT_EQ(updated.body["settings"]["theme"], "dark");
  EXPECT_EQ(http_->get("/api/v1/organizations/" + id).body["billing_email"], "billing@renamed.example");

  EXPECT_EQ(http_->request("PUT", "/api/v1/organizations/" + id, json{{"billing_email", "not-an-address"}}).status, 400);
  EXPECT_EQ(http_->request("PUT", "/api/v1/organizations/" + id, json{{"name", "X"}}).status, 400);
}

TEST_F(OrganizationsTest, AnotherOrganizationIsNotFound) {
  const TestOrganization other = accounts_->createOrganization("other-org");
  const std::string path = "/api/v1/organizations/" + other.id;
  EXPECT_EQ(http_->get(path).status, 404);
  EXPECT_EQ(http_->request("PUT", path, json{{"name", "Hijacked"}}).status, 404);
  EXPECT_EQ(http_->del(path).status, 404);
  EXPECT_EQ(http_->get(path + "/members").status, 404);
  EXPECT_EQ(http_->get("/api/v1/organizations/not-a-uuid").status, 404);
  // Nothing changed there.
  EXPECT_EQ(clientWith(other.apiKey)->get(path).body["name"], "Org other-org");
  // The list holds only the caller's own.
  const json list = http_->get("/api/v1/organizations").body;
  ASSERT_EQ(list.size(), 1u);
  EXPECT_NE(list[0]["id"], other.id);
}

TEST_F(OrganizationsTest, UsageCountsWhatTheOrganizationHasWithNoLimits) {
  api_->createJob("emails");
  api_->createJob("emails");
  api_->createJob("reports");
  api_->registerWorker("emails");
  AccountSteps::createKey(*http_, {{"name", "second"}});
  // Another organization's work does not count.
  const TestOrganization other = accounts_->createOrganization("noise");
  ApiSteps(*clientWith(other.apiKey)).createJob("emails");

  const HttpResult r = http_->get("/api/v1/organizations/usage");
  ASSERT_EQ(r.status, 200) << r.describe();
  const json& usage = r.body.at("usage");
  EXPECT_EQ(usage["jobs_today"]["current"], 3);
  EXPECT_EQ(usage["active_jobs"]["current"], 3);
  EXPECT_EQ(usage["queues"]["current"], 2);
  EXPECT_EQ(usage["workers"]["current"], 1);
  EXPECT_EQ(usage["api_keys"]["current"], 2);
  for (const char* item : {"jobs_today", "active_jobs", "schedules", "workflows", "webhooks"}) {
    EXPECT_TRUE(usage[item]["limit"].is_null()) << item;
    EXPECT_TRUE(usage[item]["percentage"].is_null()) << item;
    EXPECT_FALSE(usage[item]["is_disabled"].get<bool>()) << item;
  }
  // Queues, workers and keys are measured against the server's organization limits (defaults here).
  EXPECT_EQ(usage["queues"]["limit"], 1000);
  EXPECT_DOUBLE_EQ(usage["queues"]["percentage"].get<double>(), 0.2);
  EXPECT_EQ(usage["workers"]["limit"], 10000);
  EXPECT_EQ(usage["api_keys"]["limit"], 100);
  EXPECT_EQ(r.body["warnings"], json::array());
  const json& limits = r.body.at("limits");
  EXPECT_TRUE(limits["max_jobs_per_day"].is_null());
  EXPECT_EQ(limits["max_queues"], 1000);
  EXPECT_EQ(limits["max_payload_size_bytes"], 1024 * 1024);
  EXPECT_TRUE(limits["rate_limit_requests_per_second"].is_number());
  EXPECT_EQ(r.body["plan"], limits["tier"]);
}

TEST_F(OrganizationsTest, WebhookTokenCanBeReadRegeneratedAndCleared) {
  const HttpResult first = http_->get("/api/v1/organizations/webhook-token");
  ASSERT_EQ(first.status, 200) << first.describe();
  ASSERT_TRUE(first.body["token"].is_string());
  EXPECT_EQ(first.body["webhook_token"], first.body["token"]);
  const std::string orgId = ownOrgId();
  EXPECT_EQ(first.body["webhook_url"], server_->baseUrl() + "/api/v1/webhooks/" + orgId + "/custom");

  const HttpResult regenerated = http_->post("/api/v1/organizations/webhook-token/regenerate", json::object());
  ASSERT_EQ(regenerated.status, 200);
  EXPECT_NE(regenerated.body["token"], first.body["token"]);
  EXPECT_EQ(http_->get("/api/v1/organizations/webhook-token").body["token"], regenerated.body["token"]);

  EXPECT_EQ(http_->post("/api/v1/organizations/webhook-token/clear", json::object()).status, 204);
  EXPECT_TRUE(http_->get("/api/v1/organizations/webhook-token").body["token"].is_null());
  // The webhook token never leaks into the organization's settings.
  EXPECT_EQ(http_->get("/api/v1/organizations/" + orgId).rawBody.find(regenerated.body["token"].get<std::string>()),
            std::string::npos);
}

TEST_F(OrganizationsTest, MembersAreTheActiveKeys) {
  const json key = AccountSteps::createKey(*http_, {{"name", "limited"}, {"queues", {"emails"}}});
  const HttpResult r = http_->get("/api/v1/organizations/" + ownOrgId() + "/members");
  ASSERT_EQ(r.status, 200) << r.describe();
  ASSERT_EQ(r.body.size(), 2u);
  EXPECT_EQ(r.body[1]["id"], key["id"]);
  EXPECT_EQ(r.body[1]["role"], "member");
  EXPECT_EQ(r.body[0]["role"], "owner");
}

TEST_F(OrganizationsTest, DeleteIsRefusedWhileWorkIsActiveThenRemovesEverything) {
  const TestOrganization doomed = accounts_->createOrganization("doomed");
  auto client = clientWith(doomed.apiKey);
  const std::string job = ApiSteps(*client).createJob("q");
  const HttpResult refused = client->del("/api/v1/organizations/" + doomed.id);
  EXPECT_EQ(refused.status, 409) << refused.describe();

  ASSERT_EQ(client->del("/api/v1/jobs/" + job).status, 204);
  EXPECT_EQ(client->del("/api/v1/organizations/" + doomed.id).status, 204);
  EXPECT_EQ(client->get("/api/v1/jobs").status, 401);  // its keys went with it
  EXPECT_EQ(accounts_->admin("GET", "/api/v1/admin/organizations/" + doomed.id).status, 404);
}

}  // namespace
}  // namespace spooled::test
