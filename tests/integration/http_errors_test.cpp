// What clients see for auth failures, unknown ids and routes, wrong methods, and the public probes.
#include "support/server_test.hpp"

namespace spooled::test {
namespace {

class HttpErrorsTest : public ServerTest {};

TEST_F(HttpErrorsTest, MissingOrWrongKeyIs401) {
  HttpClient anonymous(server_.baseUrl(), std::nullopt);
  for (const auto& [method, path] : std::vector<std::pair<std::string, std::string>>{
           {"GET", "/api/v1/jobs"}, {"POST", "/api/v1/jobs"}, {"POST", "/api/v1/jobs/claim"},
           {"GET", "/api/v1/workers"}}) {
    const auto r = anonymous.request(method, path, json{{"queue_name", "q"}, {"payload", json::object()}});
    EXPECT_EQ(r.status, 401) << method << " " << path << " " << r.describe();
    EXPECT_EQ(r.body["code"], "UNAUTHORIZED");
    EXPECT_TRUE(r.body["message"].is_string());
  }
  HttpClient wrong(server_.baseUrl(), "sk_test_not_a_real_key_000000");
  EXPECT_EQ(wrong.get("/api/v1/jobs").status, 401);
  EXPECT_EQ(wrong.request("GET", "/api/v1/jobs", std::nullopt, {{"Authorization", "Basic abc"}}).status, 401);
  // A rejected create stores nothing.
  EXPECT_EQ(anonymous.post("/api/v1/jobs", {{"queue_name", "q"}, {"payload", json::object()}}).status, 401);
  EXPECT_EQ(api_->countJobs(), 0u);
}

TEST_F(HttpErrorsTest, UnknownOrMalformedIdsAre404) {
  for (const std::string path : {"/api/v1/jobs/2b0c4a52-9d0e-4d43-9b5c-1f2a3b4c5d6e", "/api/v1/jobs/not-a-uuid",
                                 "/api/v1/workers/2b0c4a52-9d0e-4d43-9b5c-1f2a3b4c5d6e", "/api/v1/workers/nope"}) {
    const auto r = http_->get(path);
    EXPECT_EQ(r.status, 404) << path << " " << r.describe();
    EXPECT_EQ(r.body["code"], "NOT_FOUND");
  }
  const auto cancel = http_->del("/api/v1/jobs/2b0c4a52-9d0e-4d43-9b5c-1f2a3b4c5d6e");
  EXPECT_EQ(cancel.status, 404) << cancel.describe();
  const auto complete =
      http_->post("/api/v1/jobs/not-a-uuid/complete", {{"worker_id", "w"}, {"lease_id", "l"}});
  EXPECT_EQ(complete.status, 404) << complete.describe();
}

TEST_F(HttpErrorsTest, UnknownRouteIs404Json) {
  const auto r = http_->get("/api/v1/nothing-here");
  EXPECT_EQ(r.status, 404) << r.describe();
  EXPECT_EQ(r.body["code"], "NOT_FOUND");
  EXPECT_EQ(http_->get("/").status, 404);
}

TEST_F(HttpErrorsTest, WrongMethodIs405WithAllow) {
  const auto r = http_->request("PUT", "/api/v1/jobs");
  EXPECT_EQ(r.status, 405) << r.describe();
  EXPECT_EQ(r.body["code"], "METHOD_NOT_ALLOWED");
  ASSERT_TRUE(r.header("allow").has_value());
  EXPECT_NE(r.header("allow")->find("POST"), std::string::npos);
  EXPECT_NE(r.header("allow")->find("GET"), std::string::npos);

  const auto claim = http_->get("/api/v1/jobs/claim");
  EXPECT_EQ(claim.status, 405) << claim.describe();
  EXPECT_EQ(claim.header("allow"), "POST");
}

TEST_F(HttpErrorsTest, HealthProbesArePublic) {
  HttpClient anonymous(server_.baseUrl(), std::nullopt);
  const auto health = anonymous.get("/health");
  ASSERT_EQ(health.status, 200) << health.describe();
  // The official fields, plus our per-check detail (docs/reliability.md, storage faults).
  EXPECT_EQ(health.body["status"], "healthy");
  EXPECT_EQ(health.body["database"], true);
  EXPECT_EQ(health.body["cache"], true);
  EXPECT_EQ(health.body["checks"]["database_write"]["ok"], true);
  EXPECT_EQ(anonymous.get("/health/live").status, 200);
  EXPECT_EQ(anonymous.get("/health/ready").status, 200);
}

TEST_F(HttpErrorsTest, ConnectionIsKeptAlive) {
  // Many requests on one client reuse one connection; all must succeed.
  for (int i = 0; i < 50; ++i) ASSERT_EQ(http_->get("/api/v1/jobs").status, 200);
  const auto r = http_->get("/health");
  EXPECT_NE(r.header("connection").value_or(""), "close");
}

}  // namespace
}  // namespace spooled::test
