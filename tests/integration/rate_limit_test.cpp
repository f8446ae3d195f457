// Per-key rate limits over HTTP: a key gets its burst, then 429 RATE_LIMIT_EXCEEDED with Retry-After
// and X-RateLimit-* headers, and is served again once tokens come back; other keys, health probes and
// tokens' own keys behave as documented.
#include <gtest/gtest.h>

#include "support/account_steps.hpp"

namespace spooled::test {
namespace {

using namespace std::chrono_literals;

long headerNumber(const HttpResult& r, const std::string& name) {
  const auto value = r.header(name);
  if (!value) throw std::runtime_error("missing header " + name + ": " + r.describe());
  return std::stol(*value);
}

// Slow refill, so that the burst runs out long before a token comes back.
class RateLimitTest : public AccountServerTest {
 protected:
  ServerProcessOptions serverOptions() override {
    return accountServerOptions({"--rate-limit-per-second", "1", "--rate-limit-burst", "3"});
  }
};

TEST_F(RateLimitTest, BurstThen429WithHeadersThenServedAgain) {
  const auto nowSecs = [] {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  };
  long lastRemaining = 3;
  int served = 0;
  HttpResult r;
  // Tokens trickle back at 1/s, so allow a few extra requests before the bucket is empty.
  for (int i = 0; i < 10; ++i) {
    r = http_->get("/api/v1/jobs");
    if (r.status != 200) break;
    ++served;
    EXPECT_EQ(headerNumber(r, "x-ratelimit-limit"), 3);
    EXPECT_LT(headerNumber(r, "x-ratelimit-remaining"), lastRemaining + 1);
    lastRemaining = headerNumber(r, "x-ratelimit-remaining");
    EXPECT_GE(headerNumber(r, "x-ratelimit-reset"), nowSecs());
  }
  EXPECT_GE(served, 3);
  ASSERT_EQ(r.status, 429) << r.describe();
  EXPECT_EQ(r.body["code"], "RATE_LIMIT_EXCEEDED");
  EXPECT_GE(headerNumber(r, "retry-after"), 1);
  EXPECT_EQ(headerNumber(r, "x-ratelimit-limit"), 3);
  EXPECT_EQ(headerNumber(r, "x-ratelimit-remaining"), 0);
  EXPECT_GT(headerNumber(r, "x-ratelimit-reset"), nowSecs() - 1);

  // A refused request did nothing: creates are refused too, and nothing was created.
  EXPECT_EQ(http_->post("/api/v1/jobs", {{"queue_name", "q"}, {"payload", json::object()}}).status, 429);

  // Another key has its own bucket; probes are never limited.
  const TestOrganization other = accounts_->createOrganization("other-tenant");
  EXPECT_EQ(clientWith(other.apiKey)->get("/api/v1/jobs").status, 200);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(http_->tryGet("/health"), 200);

  // Tokens come back at the configured rate.
  HttpResult again;
  EXPECT_TRUE(waitUntil(
      [&] {
        again = http_->get("/api/v1/jobs");
        return again.status == 200;
      },
      5s));
  EXPECT_EQ(again.body, json::array()) << "the refused create made nothing";
}

TEST_F(RateLimitTest, TokensShareTheirKeysBucket) {
  const json tokens = accounts_->login(server_->apiKey());  // login is public: it takes no token
  auto jwt = clientWith(tokens["access_token"]);
  int served = 0;
  while (served < 10 && jwt->get("/api/v1/jobs").status == 200) ++served;
  EXPECT_GE(served, 3);
  EXPECT_LT(served, 10);
  EXPECT_EQ(http_->get("/api/v1/jobs").status, 429) << "the key and its tokens draw from one bucket";
}

// A generous server default, overridden by the key's own rate_limit.
class KeyRateLimitTest : public AccountServerTest {};

TEST_F(KeyRateLimitTest, AKeysOwnRateLimitOverridesTheServerDefault) {
  const HttpResult normal = http_->get("/api/v1/jobs");
  EXPECT_EQ(headerNumber(normal, "x-ratelimit-limit"), 2000);

  const json slow = AccountSteps::createKey(*http_, {{"name", "slow"}, {"rate_limit", 1}});
  auto client = clientWith(slow["key"]);
  const HttpResult first = client->get("/api/v1/jobs");
  ASSERT_EQ(first.status, 200);
  EXPECT_EQ(headerNumber(first, "x-ratelimit-limit"), 2);  // a burst of twice its rate
  int served = 1;
  while (served < 10 && client->get("/api/v1/jobs").status == 200) ++served;
  EXPECT_LT(served, 10) << "rate_limit 1 must be enforced";

  // Raising the key's limit applies at once.
  const std::string path = "/api/v1/api-keys/" + slow["id"].get<std::string>();
  ASSERT_EQ(http_->request("PUT", path, json{{"rate_limit", 1000}}).status, 200);
  EXPECT_TRUE(waitUntil([&] { return client->get("/api/v1/jobs").status == 200; }, 5s));
  EXPECT_EQ(headerNumber(client->get("/api/v1/jobs"), "x-ratelimit-limit"), 2000);
}

class RateLimitOffTest : public AccountServerTest {
 protected:
  ServerProcessOptions serverOptions() override { return accountServerOptions({"--rate-limit-per-second", "0"}); }
};

TEST_F(RateLimitOffTest, ZeroTurnsLimitingAndItsHeadersOff) {
  for (int i = 0; i < 50; ++i) {
    const HttpResult r = http_->get("/api/v1/jobs");
    ASSERT_EQ(r.status, 200);
    EXPECT_FALSE(r.header("x-ratelimit-limit")) << r.describe();
  }
}

}  // namespace
}  // namespace spooled::test
