// /api/v1/auth over HTTP: an API key is exchanged for JWTs that work on every protected route; refresh
// mints a new access token; logout revokes tokens for good (also across a restart); expired, forged,
// wrong-type and revoked-key tokens get 401.
#include <gtest/gtest.h>

#include "server/auth/jwt.hpp"
#include "support/account_steps.hpp"

namespace spooled::test {
namespace {

using namespace std::chrono_literals;

class AuthJwtTest : public AccountServerTest {
 protected:
  json login() { return accounts_->login(server_->apiKey()); }
  std::unique_ptr<HttpClient> bearer(const json& tokens, const char* which = "access_token") {
    return clientWith(tokens.at(which).get<std::string>());
  }
};

class ShortLivedTokensTest : public AuthJwtTest {
 protected:
  ServerProcessOptions serverOptions() override { return accountServerOptions({"--jwt-access-ttl-secs", "3"}); }
};

TEST_F(AuthJwtTest, LoginAnswersTheContractShape) {
  const json tokens = login();
  EXPECT_EQ(tokens["token_type"], "Bearer");
  EXPECT_EQ(tokens["expires_in"], 24 * 3600);
  EXPECT_EQ(tokens["refresh_expires_in"], 24 * 24 * 3600);
  EXPECT_TRUE(spooled::server::looksLikeJwt(tokens["access_token"].get<std::string>()));
  EXPECT_NE(tokens["access_token"], tokens["refresh_token"]);
}

TEST_F(AuthJwtTest, AccessTokenWorksOnProtectedRoutesLikeTheKey) {
  auto jwt = bearer(login());
  ApiSteps steps(*jwt);
  const std::string job = steps.createJob("jwt-queue");
  const std::string worker = steps.registerWorker("jwt-queue");
  const json claimed = steps.claim("jwt-queue", worker);
  ASSERT_EQ(claimed.size(), 1u);
  EXPECT_EQ(steps.settle("complete", claimed[0], worker).status, 200);
  // Same organization as the key: the key sees what the token did.
  EXPECT_EQ(api_->getJob(job)["status"], "completed");
  EXPECT_EQ(jwt->get("/api/v1/api-keys").status, 200);
  EXPECT_EQ(jwt->get("/api/v1/organizations/usage").status, 200);
}

TEST_F(AuthJwtTest, MeDescribesTheToken) {
  const json tokens = login();
  const HttpResult me = bearer(tokens)->get("/api/v1/auth/me");
  ASSERT_EQ(me.status, 200) << me.describe();
  EXPECT_EQ(me.body["organization_id"], http_->get("/api/v1/organizations").body[0]["id"]);
  EXPECT_EQ(me.body["api_key_id"], http_->get("/api/v1/api-keys").body[0]["id"]);
  EXPECT_EQ(me.body["queues"], json::array());
  EXPECT_TRUE(me.body["issued_at"].is_string());
  EXPECT_TRUE(me.body["expires_at"].is_string());
  // An API key has no session to describe, as in the official backend.
  EXPECT_EQ(http_->get("/api/v1/auth/me").status, 401);
}

TEST_F(AuthJwtTest, RefreshMintsANewWorkingAccessToken) {
  const json tokens = login();
  HttpClient anonymous(server_->baseUrl(), std::nullopt);
  const HttpResult r = anonymous.post("/api/v1/auth/refresh", {{"refresh_token", tokens["refresh_token"]}});
  ASSERT_EQ(r.status, 200) << r.describe();
  EXPECT_EQ(r.body["token_type"], "Bearer");
  EXPECT_EQ(r.body["expires_in"], 24 * 3600);
  EXPECT_NE(r.body["access_token"], tokens["access_token"]);
  EXPECT_EQ(clientWith(r.body["access_token"])->get("/api/v1/jobs").status, 200);

  // Each token does its own job only.
  EXPECT_EQ(anonymous.post("/api/v1/auth/refresh", {{"refresh_token", tokens["access_token"]}}).status, 401);
  EXPECT_EQ(bearer(tokens, "refresh_token")->get("/api/v1/jobs").status, 401);
  EXPECT_EQ(anonymous.post("/api/v1/auth/refresh", {{"refresh_token", "eyJnot.a.token"}}).status, 401);
  EXPECT_EQ(anonymous.post("/api/v1/auth/refresh", json::object()).status, 400);
}

TEST_F(AuthJwtTest, ValidateReportsValidityWithoutFailing) {
  const json tokens = login();
  HttpClient anonymous(server_->baseUrl(), std::nullopt);
  const HttpResult good = anonymous.post("/api/v1/auth/validate", {{"token", tokens["access_token"]}});
  ASSERT_EQ(good.status, 200);
  EXPECT_TRUE(good.body["valid"].get<bool>());
  for (const char* claim : {"sub", "api_key_id", "org_id", "iat", "exp", "nbf", "jti", "queues", "token_type"})
    EXPECT_TRUE(good.body["claims"].contains(claim)) << claim;
  EXPECT_EQ(good.body["claims"]["token_type"], "access");

  const HttpResult bad = anonymous.post("/api/v1/auth/validate", {{"token", "garbage"}});
  ASSERT_EQ(bad.status, 200);
  EXPECT_FALSE(bad.body["valid"].get<bool>());
  EXPECT_TRUE(bad.body["error"].is_string());
  EXPECT_FALSE(bad.body.contains("claims"));
}

TEST_F(AuthJwtTest, LogoutRevokesBothTokensAlsoAfterARestart) {
  const json loggedOut = login();
  const json stillIn = login();
  auto jwt = bearer(loggedOut);
  ASSERT_EQ(jwt->get("/api/v1/jobs").status, 200);

  const HttpResult r = jwt->post("/api/v1/auth/logout", {{"refresh_token", loggedOut["refresh_token"]}});
  ASSERT_EQ(r.status, 204) << r.describe();
  EXPECT_EQ(jwt->get("/api/v1/jobs").status, 401);
  EXPECT_EQ(jwt->get("/api/v1/auth/me").status, 401);
  HttpClient anonymous(server_->baseUrl(), std::nullopt);
  EXPECT_EQ(anonymous.post("/api/v1/auth/refresh", {{"refresh_token", loggedOut["refresh_token"]}}).status, 401);
  EXPECT_FALSE(anonymous.post("/api/v1/auth/validate", {{"token", loggedOut["access_token"]}}).body["valid"].get<bool>());

  ASSERT_EQ(server_->stop(), 0);
  server_->restart();
  EXPECT_EQ(bearer(loggedOut)->get("/api/v1/jobs").status, 401) << "a revoked token must stay revoked";
  // The same secret signs after the restart, so tokens that were not revoked still work.
  EXPECT_EQ(bearer(stillIn)->get("/api/v1/jobs").status, 200);
}

TEST_F(AuthJwtTest, LogoutWithAnApiKeyNeedsARefreshTokenOfItsOwn) {
  EXPECT_EQ(http_->post("/api/v1/auth/logout", json::object()).status, 401);
  const json tokens = login();
  ASSERT_EQ(http_->post("/api/v1/auth/logout", {{"refresh_token", tokens["refresh_token"]}}).status, 204);
  HttpClient anonymous(server_->baseUrl(), std::nullopt);
  EXPECT_EQ(anonymous.post("/api/v1/auth/refresh", {{"refresh_token", tokens["refresh_token"]}}).status, 401);

  // Another key's refresh token is not this caller's to revoke.
  const json otherKey = AccountSteps::createKey(*http_, {{"name", "other"}});
  const json otherTokens = accounts_->login(otherKey["key"]);
  EXPECT_EQ(http_->post("/api/v1/auth/logout", {{"refresh_token", otherTokens["refresh_token"]}}).status, 401);
  EXPECT_EQ(anonymous.post("/api/v1/auth/refresh", {{"refresh_token", otherTokens["refresh_token"]}}).status, 200);
}

TEST_F(AuthJwtTest, RevokingTheKeyEndsItsTokens) {
  const json key = AccountSteps::createKey(*http_, {{"name", "session"}});
  const json tokens = accounts_->login(key["key"]);
  auto jwt = bearer(tokens);
  ASSERT_EQ(jwt->get("/api/v1/jobs").status, 200);
  ASSERT_EQ(http_->del("/api/v1/api-keys/" + key["id"].get<std::string>()).status, 204);
  EXPECT_EQ(jwt->get("/api/v1/jobs").status, 401);
  HttpClient anonymous(server_->baseUrl(), std::nullopt);
  EXPECT_EQ(anonymous.post("/api/v1/auth/refresh", {{"refresh_token", tokens["refresh_token"]}}).status, 401);
  EXPECT_EQ(anonymous.post("/api/v1/auth/login", {{"api_key", key["key"]}}).status, 401);
}

TEST_F(AuthJwtTest, ExpiredForgedAndForeignTokensAreRefused) {
  const json tokens = login();
  const auto validated = HttpClient(server_->baseUrl(), std::nullopt)
                             .post("/api/v1/auth/validate", {{"token", tokens["access_token"]}})
                             .body["claims"];
  spooled::server::JwtClaims claims;
  claims.sub = validated["sub"];
  claims.apiKeyId = validated["api_key_id"];
  claims.orgId = validated["org_id"];
  claims.jti = "crafted-jti";
  claims.tokenType = "access";
  claims.iat = validated["iat"].get<std::int64_t>() - 7200;
  claims.nbf = claims.iat;
  claims.exp = validated["iat"].get<std::int64_t>() - 3600;  // an hour ago

  const spooled::server::JwtCodec serverCodec(kTestJwtSecret);
  EXPECT_EQ(clientWith(serverCodec.encode(claims))->get("/api/v1/jobs").status, 401) << "expired";

  claims.exp = claims.iat + 10 * 3600;  // valid for hours, but signed with another secret
  const spooled::server::JwtCodec otherCodec("someone-elses-secret-0123456789abcdef");
  EXPECT_EQ(clientWith(otherCodec.encode(claims))->get("/api/v1/jobs").status, 401) << "foreign";
  // The control: the same claims signed with the server's secret are accepted.
  EXPECT_EQ(clientWith(serverCodec.encode(claims))->get("/api/v1/jobs").status, 200);

  // alg "none" with the signature stripped.
  const std::string real = tokens["access_token"];
  const std::string unsigned_ = spooled::server::base64UrlEncode(R"({"alg":"none","typ":"JWT"})") +
                                real.substr(real.find('.'), real.rfind('.') - real.find('.')) + ".";
  EXPECT_EQ(clientWith(unsigned_)->get("/api/v1/jobs").status, 401) << "alg none";
}

TEST_F(AuthJwtTest, LoginRefusesBadKeys) {
  HttpClient anonymous(server_->baseUrl(), std::nullopt);
  EXPECT_EQ(anonymous.post("/api/v1/auth/login", {{"api_key", "sk_test_not_a_real_key_0000"}}).status, 401);
  const HttpResult shortKey = anonymous.post("/api/v1/auth/login", {{"api_key", "short"}});
  EXPECT_EQ(shortKey.status, 400);
  EXPECT_EQ(shortKey.body["details"]["field"], "api_key");
}

TEST_F(ShortLivedTokensTest, AccessTokenStopsWorkingWhenItExpires) {
  const json tokens = login();
  EXPECT_EQ(tokens["expires_in"], 3);
  auto jwt = bearer(tokens);
  EXPECT_TRUE(waitUntil([&] { return jwt->get("/api/v1/jobs").status == 401; }, 10s));
  // The refresh token lives on and brings a working access token back.
  HttpClient anonymous(server_->baseUrl(), std::nullopt);
  const HttpResult r = anonymous.post("/api/v1/auth/refresh", {{"refresh_token", tokens["refresh_token"]}});
  ASSERT_EQ(r.status, 200) << r.describe();
  EXPECT_EQ(clientWith(r.body["access_token"])->get("/api/v1/jobs").status, 200);
}

TEST(AuthFlagsTest, WithoutAJwtSecretTokensWorkAndAWarningIsLogged) {
  ServerProcess server(ServerProcessOptions{});
  server.start();
  AccountSteps accounts(server.baseUrl());
  const json tokens = accounts.login(server.apiKey());
  EXPECT_EQ(HttpClient(server.baseUrl(), tokens["access_token"].get<std::string>()).get("/api/v1/jobs").status, 200);
  EXPECT_NE(server.stderrText().find("--jwt-secret"), std::string::npos) << server.logs();
}

TEST(AuthFlagsTest, BadAuthFlagsFailFast) {
  for (const auto& args : std::vector<std::vector<std::string>>{{"--jwt-secret", "too-short"},
                                                               {"--registration-mode", "invite"},
                                                               {"--jwt-access-ttl-secs", "0"},
                                                               {"--rate-limit-per-second", "-1"},
                                                               {"--rate-limit-burst", "0"}}) {
    const CommandResult r = runServerCommand(args, 10s);
    EXPECT_EQ(r.exitCode, 2) << args[0];
    EXPECT_NE(r.stderrText.find(args[0]), std::string::npos) << r.stderrText;
  }
  const CommandResult help = runServerCommand({"--help"}, 10s);
  for (const char* text : {"--jwt-secret", "JWT_SECRET", "--registration-mode", "REGISTRATION_MODE",
                           "--jwt-access-ttl-secs", "--jwt-refresh-ttl-secs", "--rate-limit-per-second",
                           "--rate-limit-burst"})
    EXPECT_NE(help.stdoutText.find(text), std::string::npos) << text;
}

}  // namespace
}  // namespace spooled::test
