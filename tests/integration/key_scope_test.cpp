// The route × key-scope table of docs/api.md ("What a queue-limited key may call"), checked against
// every route the server registers: a route missing from the table fails here, so a new route cannot
// ship without a decision. For each route the table allows, a key limited to queue "qx" gets past the
// access checks; for each it does not, it gets 403 ACCESS_DENIED before the handler runs. The server
// runs in this process (ServerApp), so the test reads the real router.
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <set>
#include <sstream>

#include "common/ids.hpp"
#include "server/http/router.hpp"
#include "server/server_app.hpp"
#include "support/account_steps.hpp"
#include "support/http_client.hpp"

namespace spooled::test {
namespace {

using server::Access;
using server::KeyScope;

enum class Decision {
  Public,     // no credentials
  Admin,      // X-Admin-Key
  Queues,     // any API key; a queue-limited key is kept to its queues by the handler
  AllQueues,  // only a key with every queue
};

struct Row {
  std::string method;
  std::string pattern;
  Decision decision;
};

// The table of docs/api.md, word for word.
const std::vector<Row> kTable = {
    {"GET", "/health", Decision::Public},
    {"GET", "/health/live", Decision::Public},
    {"GET", "/health/ready", Decision::Public},
    {"GET", "/metrics", Decision::Public},
    {"POST", "/api/v1/auth/login", Decision::Public},
    {"POST", "/api/v1/auth/refresh", Decision::Public},
    {"POST", "/api/v1/auth/validate", Decision::Public},
    {"GET", "/api/v1/auth/me", Decision::Public},
    {"POST", "/api/v1/organizations", Decision::Public},
    {"POST", "/api/v1/webhooks/{org_id}/custom", Decision::Public},
    {"POST", "/api/v1/webhooks/{org_id}/github", Decision::Public},
    {"POST", "/api/v1/webhooks/{org_id}/stripe", Decision::Public},
    // Jobs and workers on the key's own queues.
    {"POST", "/api/v1/jobs", Decision::Queues},
    {"GET", "/api/v1/jobs", Decision::Queues},
    {"POST", "/api/v1/jobs/claim", Decision::Queues},
    {"POST", "/api/v1/jobs/ack", Decision::Queues},
    {"GET", "/api/v1/jobs/{id}", Decision::Queues},
    {"DELETE", "/api/v1/jobs/{id}", Decision::Queues},
    {"POST", "/api/v1/jobs/{id}/complete", Decision::Queues},
    {"POST", "/api/v1/jobs/{id}/fail", Decision::Queues},
    {"POST", "/api/v1/jobs/{id}/heartbeat", Decision::Queues},
    {"POST", "/api/v1/jobs/{id}/progress", Decision::Queues},
    {"POST", "/api/v1/jobs/bulk", Decision::Queues},
    {"GET", "/api/v1/jobs/stats", Decision::Queues},
    {"GET", "/api/v1/jobs/status", Decision::Queues},
    {"PUT", "/api/v1/jobs/{id}/priority", Decision::Queues},
    {"POST", "/api/v1/jobs/{id}/retry", Decision::Queues},
    {"GET", "/api/v1/jobs/dlq", Decision::Queues},
    {"POST", "/api/v1/jobs/dlq/retry", Decision::Queues},
    {"POST", "/api/v1/jobs/dlq/purge", Decision::Queues},
    {"GET", "/api/v1/workers", Decision::Queues},
    {"POST", "/api/v1/workers/register", Decision::Queues},
    {"GET", "/api/v1/workers/{id}", Decision::Queues},
    {"POST", "/api/v1/workers/{id}/heartbeat", Decision::Queues},
    {"POST", "/api/v1/workers/{id}/deregister", Decision::Queues},
    {"GET", "/api/v1/queues", Decision::Queues},
    {"GET", "/api/v1/queues/{name}", Decision::Queues},
    {"GET", "/api/v1/queues/{name}/stats", Decision::Queues},
    {"POST", "/api/v1/auth/logout", Decision::Queues},
    {"GET", "/api/v1/events", Decision::Queues},
    {"GET", "/api/v1/events/jobs/{id}", Decision::Queues},
    {"GET", "/api/v1/events/queues/{name}", Decision::Queues},
    {"GET", "/api/v1/ws", Decision::Queues},
    // Managing queues, keys and the organization, and organization-wide views.
    {"PUT", "/api/v1/queues/{name}/config", Decision::AllQueues},
    {"POST", "/api/v1/queues/{name}/pause", Decision::AllQueues},
    {"POST", "/api/v1/queues/{name}/resume", Decision::AllQueues},
    {"DELETE", "/api/v1/queues/{name}", Decision::AllQueues},
    {"GET", "/api/v1/api-keys", Decision::AllQueues},
    {"POST", "/api/v1/api-keys", Decision::AllQueues},
    {"GET", "/api/v1/api-keys/{id}", Decision::AllQueues},
    {"PUT", "/api/v1/api-keys/{id}", Decision::AllQueues},
    {"DELETE", "/api/v1/api-keys/{id}", Decision::AllQueues},
    {"GET", "/api/v1/organizations", Decision::AllQueues},
    {"GET", "/api/v1/organizations/usage", Decision::AllQueues},
    {"GET", "/api/v1/organizations/webhook-token", Decision::AllQueues},
    {"POST", "/api/v1/organizations/webhook-token/regenerate", Decision::AllQueues},
    {"POST", "/api/v1/organizations/webhook-token/clear", Decision::AllQueues},
    {"GET", "/api/v1/organizations/{id}", Decision::AllQueues},
    {"PUT", "/api/v1/organizations/{id}", Decision::AllQueues},
    {"DELETE", "/api/v1/organizations/{id}", Decision::AllQueues},
    {"GET", "/api/v1/organizations/{id}/members", Decision::AllQueues},
    {"GET", "/api/v1/dashboard", Decision::AllQueues},
    {"GET", "/api/v1/outgoing-webhooks", Decision::AllQueues},
    {"POST", "/api/v1/outgoing-webhooks", Decision::AllQueues},
    {"GET", "/api/v1/outgoing-webhooks/{id}", Decision::AllQueues},
    {"PUT", "/api/v1/outgoing-webhooks/{id}", Decision::AllQueues},
    {"DELETE", "/api/v1/outgoing-webhooks/{id}", Decision::AllQueues},
    {"POST", "/api/v1/outgoing-webhooks/{id}/test", Decision::AllQueues},
    {"GET", "/api/v1/outgoing-webhooks/{id}/deliveries", Decision::AllQueues},
    {"POST", "/api/v1/outgoing-webhooks/{id}/retry/{delivery_id}", Decision::AllQueues},
    {"POST", "/api/v1/workflows", Decision::AllQueues},
    {"GET", "/api/v1/workflows", Decision::AllQueues},
    {"GET", "/api/v1/workflows/{id}", Decision::AllQueues},
    {"POST", "/api/v1/workflows/{id}/cancel", Decision::AllQueues},
    {"POST", "/api/v1/workflows/{id}/retry", Decision::AllQueues},
    {"GET", "/api/v1/workflows/{id}/jobs", Decision::AllQueues},
    {"GET", "/api/v1/workflows/{id}/jobs/status", Decision::AllQueues},
    {"GET", "/api/v1/workflows/{id}/jobs/{job_id}", Decision::AllQueues},
    {"GET", "/api/v1/jobs/{id}/dependencies", Decision::AllQueues},
    {"GET", "/api/v1/schedules", Decision::AllQueues},
    {"POST", "/api/v1/schedules", Decision::AllQueues},
    {"GET", "/api/v1/schedules/{id}", Decision::AllQueues},
    {"PUT", "/api/v1/schedules/{id}", Decision::AllQueues},
    {"DELETE", "/api/v1/schedules/{id}", Decision::AllQueues},
    {"POST", "/api/v1/schedules/{id}/pause", Decision::AllQueues},
    {"POST", "/api/v1/schedules/{id}/resume", Decision::AllQueues},
    {"POST", "/api/v1/schedules/{id}/trigger", Decision::AllQueues},
    {"GET", "/api/v1/schedules/{id}/history", Decision::AllQueues},
    // The operator's routes.
    {"GET", "/api/v1/admin/organizations", Decision::Admin},
    {"POST", "/api/v1/admin/organizations", Decision::Admin},
    {"GET", "/api/v1/admin/organizations/{id}", Decision::Admin},
    {"PATCH", "/api/v1/admin/organizations/{id}", Decision::Admin},
    {"DELETE", "/api/v1/admin/organizations/{id}", Decision::Admin},
    {"POST", "/api/v1/admin/organizations/{id}/api-keys", Decision::Admin},
    {"POST", "/api/v1/admin/organizations/{id}/reset-usage", Decision::Admin},
    {"GET", "/api/v1/admin/stats", Decision::Admin},
    {"GET", "/api/v1/admin/plans", Decision::Admin},
};

const char* kFullKey = "sk_test_key_scope_full_0123456789";

std::string routeName(const std::string& method, const std::string& pattern) { return method + " " + pattern; }

const Row* rowFor(const server::Route& route) {
  for (const Row& row : kTable)
    if (row.method == route.method && row.pattern == route.pattern) return &row;
  return nullptr;
}

// The route's pattern with each parameter filled: the key's own queue, or a random (unknown) id.
std::string concretePath(const std::string& pattern) {
  std::string path = pattern;
  for (std::size_t open; (open = path.find('{')) != std::string::npos;) {
    const std::size_t close = path.find('}', open);
    const std::string name = path.substr(open + 1, close - open - 1);
    path.replace(open, close - open + 1, name == "name" ? std::string("qx") : newUuid());
  }
  return path;
}

class KeyScopeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { spdlog::set_level(spdlog::level::warn); }

  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("spooled-key-scope-" + newUuid());
    std::filesystem::create_directories(dir_);
    server::ServerConfig config;
    config.port = 0;
    config.databaseUrl = "sqlite:" + (dir_ / "spooled.db").string();
    config.apiKey = kFullKey;
    config.adminKey = kTestAdminKey;
    config.jwtSecret = kTestJwtSecret;
    app_ = std::make_unique<server::ServerApp>(config);
    std::ostringstream keyOut;
    baseUrl_ = "http://127.0.0.1:" + std::to_string(app_->start(keyOut));
    full_ = std::make_unique<HttpClient>(baseUrl_, kFullKey);
    const json scoped = AccountSteps::createKey(*full_, {{"name", "qx only"}, {"queues", {"qx"}}});
    scopedKey_ = scoped.at("key");
    scoped_ = std::make_unique<HttpClient>(baseUrl_, scopedKey_);
  }

  void TearDown() override {
    app_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  // A fresh JWT of the queue-limited key (logout ends the token it is called with).
  std::string scopedJwt() { return AccountSteps(baseUrl_).login(scopedKey_).at("access_token"); }

  HttpResult call(HttpClient& client, const server::Route& route) {
    const std::string path = concretePath(route.pattern);
    if (route.pattern.rfind("/api/v1/events", 0) == 0) {
      // A live stream stays open: its status is what counts, read when the client gives up on the body.
      client.setTimeoutMs(1500);
      HttpResult r = client.request(route.method, path);
      client.setTimeoutMs(60000);
      return r;
    }
    if (route.method == "GET" || route.method == "DELETE") return client.request(route.method, path);
    // Names the key's own queue, so handlers that need a queue from a limited key get one.
    return client.request(route.method, path, json{{"queue_name", "qx"}});
  }

  std::filesystem::path dir_;
  std::unique_ptr<server::ServerApp> app_;
  std::string baseUrl_;
  std::unique_ptr<HttpClient> full_;
  std::string scopedKey_;
  std::unique_ptr<HttpClient> scoped_;
};

TEST_F(KeyScopeTest, EveryRegisteredRouteHasADecisionThatMatchesTheRouter) {
  std::set<std::string> registered;
  for (const server::Route& route : app_->router().routes()) {
    const std::string name = routeName(route.method, route.pattern);
    registered.insert(name);
    const Row* row = rowFor(route);
    if (row == nullptr) {
      ADD_FAILURE() << name << " has no key-scope decision: decide whether a queue-limited key may call it, "
                    << "register it with that KeyScope, and add it to the table here and in docs/api.md";
      continue;
    }
    switch (row->decision) {
      case Decision::Public: EXPECT_EQ(route.access, Access::Public) << name; break;
      case Decision::Admin: EXPECT_EQ(route.access, Access::Admin) << name; break;
      case Decision::Queues:
        EXPECT_EQ(route.access, Access::ApiKey) << name;
        EXPECT_EQ(route.keyScope, KeyScope::Queues) << name;
        break;
      case Decision::AllQueues:
        EXPECT_EQ(route.access, Access::ApiKey) << name;
        EXPECT_EQ(route.keyScope, KeyScope::AllQueues) << name;
        break;
    }
  }
  for (const Row& row : kTable)
    EXPECT_TRUE(registered.contains(routeName(row.method, row.pattern)))
        << routeName(row.method, row.pattern) << " is in the table but not registered";
}

TEST_F(KeyScopeTest, QueueLimitedKeyPassesWhereTheTableSaysYesAndGets403WhereItSaysNo) {
  int allowed = 0;
  int refused = 0;
  for (const server::Route& route : app_->router().routes()) {
    const Row* row = rowFor(route);
    if (row == nullptr || route.access != Access::ApiKey) continue;
    const std::string name = routeName(route.method, route.pattern);
    // Logout needs a JWT (a raw key has no session to end); the scope is the same for a key's tokens.
    std::unique_ptr<HttpClient> jwtClient;
    if (route.pattern == "/api/v1/auth/logout") jwtClient = std::make_unique<HttpClient>(baseUrl_, scopedJwt());
    HttpClient& client = jwtClient ? *jwtClient : *scoped_;
    const HttpResult r = call(client, route);
    if (row->decision == Decision::AllQueues) {
      ++refused;
      EXPECT_EQ(r.status, 403) << name << ": " << r.describe();
      EXPECT_EQ(r.body["code"], "ACCESS_DENIED") << name;
      EXPECT_EQ(r.body["details"]["required_scope"], "all_queues") << name << ": " << r.describe();
    } else {
      ++allowed;
      EXPECT_NE(r.status, 401) << name << ": " << r.describe();
      EXPECT_NE(r.status, 403) << name << ": " << r.describe();
      EXPECT_GT(r.status, 0) << name << ": " << r.error;
    }
  }
  EXPECT_EQ(allowed, 31);
  EXPECT_EQ(refused, 45);  // 19, nine workflow, eight outgoing-webhook and nine schedule routes
}

TEST_F(KeyScopeTest, KeyWithEveryQueueIsRefusedNowhere) {
  for (const server::Route& route : app_->router().routes()) {
    if (route.access != Access::ApiKey || route.pattern == "/api/v1/auth/logout") continue;
    // Deleting the organization would end the test's own key; an unknown id stays a harmless 404.
    const HttpResult r = call(*full_, route);
    const std::string name = routeName(route.method, route.pattern);
    EXPECT_NE(r.status, 401) << name << ": " << r.describe();
    EXPECT_NE(r.status, 403) << name << ": " << r.describe();
  }
}

TEST_F(KeyScopeTest, TokensOfAQueueLimitedKeyAreRefusedLikeTheKey) {
  HttpClient jwt(baseUrl_, scopedJwt());
  const HttpResult keys = jwt.get("/api/v1/api-keys");
  EXPECT_EQ(keys.status, 403) << keys.describe();
  const HttpResult config = jwt.request("PUT", "/api/v1/queues/qx/config", json{{"max_retries", 1}});
  EXPECT_EQ(config.status, 403) << config.describe();
  EXPECT_EQ(jwt.get("/api/v1/queues/qx/stats").status, 200);
}

}  // namespace
}  // namespace spooled::test
