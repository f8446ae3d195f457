// /api/v1/admin over HTTP, behind X-Admin-Key: refused without the right key (and always when the
// server has none); organizations listed with usage, created with a working key, changed, deleted
// (soft: keys stop working; hard: everything is gone); keys made for an organization; platform stats
// that count real work; the self-hosted plan.
#include <gtest/gtest.h>

#include "support/account_steps.hpp"

namespace spooled::test {
namespace {

using namespace std::chrono_literals;

class AdminApiTest : public AccountServerTest {};

const std::vector<std::pair<std::string, std::string>> kAdminRoutes = {
    {"GET", "/api/v1/admin/organizations"},
    {"POST", "/api/v1/admin/organizations"},
    {"GET", "/api/v1/admin/organizations/00000000-0000-4000-8000-000000000000"},
    {"PATCH", "/api/v1/admin/organizations/00000000-0000-4000-8000-000000000000"},
    {"DELETE", "/api/v1/admin/organizations/00000000-0000-4000-8000-000000000000"},
    {"POST", "/api/v1/admin/organizations/00000000-0000-4000-8000-000000000000/api-keys"},
    {"POST", "/api/v1/admin/organizations/00000000-0000-4000-8000-000000000000/reset-usage"},
    {"GET", "/api/v1/admin/stats"},
    {"GET", "/api/v1/admin/plans"},
};

TEST_F(AdminApiTest, EveryRouteRefusesMissingOrWrongAdminKeys) {
  HttpClient anonymous(server_->baseUrl(), std::nullopt);
  for (const auto& [method, path] : kAdminRoutes) {
    const json body = {{"name", "Sneaky"}, {"slug", "sneaky"}};
    const HttpResult none = anonymous.request(method, path, body);
    EXPECT_EQ(none.status, 401) << method << " " << path << none.describe();
    const HttpResult wrong = anonymous.request(method, path, body, {{"X-Admin-Key", kTestAdminKey + "x"}});
    EXPECT_EQ(wrong.status, 401) << method << " " << path;
    // An organization's API key is no admin key.
    EXPECT_EQ(http_->request(method, path, body).status, 401) << method << " " << path;
  }
  EXPECT_EQ(accounts_->admin("GET", "/api/v1/admin/organizations").body["total"], 1) << "nothing was created";
}

TEST(AdminApiWithoutKeyTest, AdminRoutesAreRefusedWhenTheServerHasNoAdminKey) {
  ServerProcess server(ServerProcessOptions{});
  server.start();
  AccountSteps accounts(server.baseUrl(), "any-admin-key-at-all-0123");
  for (const auto& [method, path] : kAdminRoutes) {
    const HttpResult r = accounts.admin(method, path, json{{"name", "Sneaky"}, {"slug", "sneaky"}});
    EXPECT_EQ(r.status, 401) << method << " " << path << r.describe();
  }
}

TEST_F(AdminApiTest, CreatedOrganizationComesWithAWorkingKey) {
  const HttpResult r = accounts_->admin(
      "POST", "/api/v1/admin/organizations",
      json{{"name", "Globex"}, {"slug", "globex"}, {"plan_tier", "pro"}, {"billing_email", "it@globex.example"}});
  ASSERT_EQ(r.status, 201) << r.describe();
  EXPECT_EQ(r.body["organization"]["plan_tier"], "pro");
  EXPECT_EQ(r.body["api_key"]["name"], "Initial Admin Key");
  auto client = clientWith(r.body["api_key"]["key"]);
  EXPECT_EQ(client->get("/api/v1/organizations").body[0]["slug"], "globex");
  // Every queue: the initial key is the organization's owner.
  EXPECT_EQ(client->get("/api/v1/api-keys").body[0]["queues"], json({"*"}));

  EXPECT_EQ(accounts_->admin("POST", "/api/v1/admin/organizations", json{{"name", "Globex"}, {"slug", "globex"}}).status,
            409);
  EXPECT_EQ(accounts_->admin("POST", "/api/v1/admin/organizations",
                             json{{"name", "Initech"}, {"slug", "initech"}, {"plan_tier", "platinum"}})
                .status,
            400);
}

TEST_F(AdminApiTest, ListShowsEveryOrganizationWithUsageAndPages) {
  const TestOrganization a = accounts_->createOrganization("alpha");
  const TestOrganization b = accounts_->createOrganization("bravo");
  ApiSteps(*clientWith(a.apiKey)).createJob("q");
  ApiSteps(*clientWith(a.apiKey)).createJob("q");

  HttpResult r = accounts_->admin("GET", "/api/v1/admin/organizations?sort_by=slug&sort_order=asc");
  ASSERT_EQ(r.status, 200) << r.describe();
  EXPECT_EQ(r.body["total"], 3);
  EXPECT_EQ(r.body["limit"], 50);
  EXPECT_EQ(r.body["offset"], 0);
  const json& orgs = r.body["organizations"];
  ASSERT_EQ(orgs.size(), 3u);
  EXPECT_EQ(orgs[0]["slug"], "alpha");
  EXPECT_EQ(orgs[1]["slug"], "bravo");
  EXPECT_EQ(orgs[2]["slug"], "default");
  EXPECT_EQ(orgs[0]["usage"]["active_jobs"], 2);
  EXPECT_EQ(orgs[0]["usage"]["jobs_today"], 2);
  EXPECT_EQ(orgs[0]["usage"]["api_keys"], 1);
  EXPECT_EQ(orgs[1]["usage"]["active_jobs"], 0);

  r = accounts_->admin("GET", "/api/v1/admin/organizations?search=brav");
  ASSERT_EQ(r.body["organizations"].size(), 1u);
  EXPECT_EQ(r.body["organizations"][0]["id"], b.id);
  EXPECT_EQ(r.body["total"], 1);

  r = accounts_->admin("GET", "/api/v1/admin/organizations?sort_by=slug&sort_order=asc&limit=1&offset=1");
  ASSERT_EQ(r.body["organizations"].size(), 1u);
  EXPECT_EQ(r.body["organizations"][0]["slug"], "bravo");
  EXPECT_EQ(r.body["total"], 3);
}

TEST_F(AdminApiTest, DetailUpdateAndKeysForAnOrganization) {
  const TestOrganization org = accounts_->createOrganization("umbrella");
  ApiSteps(*clientWith(org.apiKey)).createJob("q");
  const std::string path = "/api/v1/admin/organizations/" + org.id;

  HttpResult r = accounts_->admin("GET", path);
  ASSERT_EQ(r.status, 200) << r.describe();
  EXPECT_EQ(r.body["slug"], "umbrella");
  EXPECT_EQ(r.body["api_keys_count"], 1);
  EXPECT_EQ(r.body["total_jobs"], 1);
  EXPECT_EQ(r.body["usage_info"]["usage"]["active_jobs"]["current"], 1);

  r = accounts_->admin("PATCH", path, json{{"plan_tier", "starter"}, {"settings", {{"region", "eu"}}}});
  ASSERT_EQ(r.status, 200) << r.describe();
  EXPECT_EQ(r.body["plan_tier"], "starter");
  EXPECT_EQ(r.body["settings"]["region"], "eu");
  EXPECT_EQ(accounts_->admin("PATCH", path, json{{"plan_tier", "gold"}}).status, 400);

  r = accounts_->admin("POST", path + "/api-keys", json{{"name", "reports bot"}, {"queues", {"reports"}}});
  ASSERT_EQ(r.status, 201) << r.describe();
  auto bot = clientWith(r.body["key"]);
  EXPECT_EQ(ApiSteps(*bot).createJob("reports").size(), 36u);
  EXPECT_EQ(bot->post("/api/v1/jobs", {{"queue_name", "q"}, {"payload", json::object()}}).status, 403);
  EXPECT_EQ(accounts_->admin("POST", path + "/api-keys", json::object()).status, 400);

  EXPECT_EQ(accounts_->admin("POST", path + "/reset-usage").status, 204);
  const std::string missing = "/api/v1/admin/organizations/00000000-0000-4000-8000-000000000000";
  EXPECT_EQ(accounts_->admin("GET", missing).status, 404);
  EXPECT_EQ(accounts_->admin("PATCH", missing, json{{"plan_tier", "pro"}}).status, 404);
  EXPECT_EQ(accounts_->admin("POST", missing + "/api-keys", json{{"name", "x"}}).status, 404);
}

TEST_F(AdminApiTest, SoftDeleteStopsTheKeysHardDeleteRemovesEverything) {
  const TestOrganization soft = accounts_->createOrganization("soft-delete");
  const TestOrganization hard = accounts_->createOrganization("hard-delete");
  auto softClient = clientWith(soft.apiKey);
  auto hardClient = clientWith(hard.apiKey);
  ApiSteps(*hardClient).createJob("q");

  ASSERT_EQ(accounts_->admin("DELETE", "/api/v1/admin/organizations/" + soft.id).status, 204);
  EXPECT_EQ(softClient->get("/api/v1/jobs").status, 401);
  EXPECT_EQ(accounts_->admin("GET", "/api/v1/admin/organizations/" + soft.id).body["plan_tier"], "deleted");

  ASSERT_EQ(accounts_->admin("DELETE", "/api/v1/admin/organizations/" + hard.id + "?hard_delete=true").status, 204);
  EXPECT_EQ(hardClient->get("/api/v1/jobs").status, 401);
  EXPECT_EQ(accounts_->admin("GET", "/api/v1/admin/organizations/" + hard.id).status, 404);
  EXPECT_EQ(accounts_->admin("GET", "/api/v1/admin/stats").body["jobs"]["pending"], 0);
}

TEST_F(AdminApiTest, StatsCountRealWorkAcrossOrganizations) {
  const TestOrganization other = accounts_->createOrganization("stats-org");
  const auto theirClient = clientWith(other.apiKey);
  ApiSteps theirs(*theirClient);
  api_->createJob("a");
  theirs.createJob("b");
  const std::string worker = theirs.registerWorker("b");
  const json claimed = theirs.claim("b", worker);
  ASSERT_EQ(claimed.size(), 1u);
  ASSERT_EQ(theirs.settle("complete", claimed[0], worker).status, 200);
  theirs.createJob("b");

  const HttpResult r = accounts_->admin("GET", "/api/v1/admin/stats");
  ASSERT_EQ(r.status, 200) << r.describe();
  EXPECT_EQ(r.body["organizations"]["total"], 2);
  EXPECT_EQ(r.body["organizations"]["created_today"], 2);
  EXPECT_EQ(r.body["jobs"]["pending"], 2);
  EXPECT_EQ(r.body["jobs"]["total_active"], 2);
  EXPECT_EQ(r.body["jobs"]["completed_24h"], 1);
  EXPECT_EQ(r.body["workers"]["total"], 1);
  EXPECT_EQ(r.body["workers"]["healthy"], 1);
  EXPECT_EQ(r.body["system"]["api_version"], "v1");
  EXPECT_TRUE(r.body["system"]["uptime_seconds"].is_number());
}

TEST_F(AdminApiTest, PlansListTheSelfHostedPlan) {
  const HttpResult r = accounts_->admin("GET", "/api/v1/admin/plans");
  ASSERT_EQ(r.status, 200) << r.describe();
  ASSERT_EQ(r.body.size(), 1u);
  const json& plan = r.body[0];
  for (const char* field : {"tier", "display_name", "max_jobs_per_day", "max_active_jobs", "max_queues", "max_workers",
                            "max_api_keys", "max_schedules", "max_workflows", "max_webhooks", "max_payload_size_bytes",
                            "rate_limit_requests_per_second", "rate_limit_burst", "job_retention_days",
                            "history_retention_days"})
    EXPECT_TRUE(plan.contains(field)) << field;
  EXPECT_TRUE(plan["max_jobs_per_day"].is_null());
  EXPECT_EQ(plan["max_queues"], 1000);  // the organization limits' defaults
  EXPECT_EQ(plan["max_workers"], 10000);
  EXPECT_EQ(plan["max_api_keys"], 100);
  EXPECT_EQ(plan["rate_limit_requests_per_second"], 1000);
  EXPECT_EQ(plan["rate_limit_burst"], 2000);
}

}  // namespace
}  // namespace spooled::test
