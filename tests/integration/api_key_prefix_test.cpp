// Every key the server mints has the official shape: "sk_live_" when it runs as production (the
// default), "sk_test_" otherwise, as the official backend issues them and the official SDKs expect.
// Keys of another shape (earlier releases minted "sp_live_") keep working.
#include <gtest/gtest.h>

#include <regex>

#include "support/account_steps.hpp"

namespace spooled::test {
namespace {

// Every place a key is minted, each returning the raw key it got: API keys, admin organization and
// admin key creation, and public registration.
std::vector<std::pair<std::string, std::string>> mintEveryWay(const ServerProcess& server) {
  HttpClient http(server.baseUrl(), server.apiKey());
  AccountSteps accounts(server.baseUrl());
  std::vector<std::pair<std::string, std::string>> keys;
  keys.emplace_back("POST /api-keys", AccountSteps::createKey(http, {{"name", "minted"}}).at("key"));
  const TestOrganization org = accounts.createOrganization("prefix-org");
  keys.emplace_back("admin organization", org.apiKey);
  const HttpResult adminKey =
      accounts.admin("POST", "/api/v1/admin/organizations/" + org.id + "/api-keys", json{{"name", "admin made"}});
  expectStatus(adminKey, 201, "admin create key");
  keys.emplace_back("admin key", adminKey.body.at("key"));
  HttpClient anonymous(server.baseUrl(), std::nullopt);
  const HttpResult registered =
      anonymous.post("/api/v1/organizations", json{{"name", "Open Org"}, {"slug", "open-org"}});
  expectStatus(registered, 201, "public registration");
  keys.emplace_back("registration", registered.body.at("api_key").at("key"));
  return keys;
}

void expectShape(const std::vector<std::pair<std::string, std::string>>& keys, const std::string& prefix,
                 const ServerProcess& server) {
  const std::regex shape(prefix + "[0-9a-f]{64}");
  for (const auto& [where, key] : keys) {
    EXPECT_TRUE(std::regex_match(key, shape)) << where << ": " << key;
    HttpClient client(server.baseUrl(), key);
    EXPECT_EQ(client.get("/api/v1/jobs").status, 200) << where << ": the new key must work";
  }
}

TEST(ApiKeyPrefixTest, ProductionMintsSkLiveKeysEverywhere) {
  ServerProcess server(accountServerOptions({"--registration-mode", "open"}));
  server.start();
  expectShape(mintEveryWay(server), "sk_live_", server);
}

TEST(ApiKeyPrefixTest, OtherEnvironmentsMintSkTestKeysEverywhereIncludingTheFirstStartKey) {
  for (const char* environment : {"development", "staging"}) {
    ServerProcessOptions options = accountServerOptions({"--registration-mode", "open", "--environment", environment});
    options.apiKey.clear();               // no --api-key: the server makes and prints its first key
    options.env["SPOOLED_API_KEY"] = "";  // and none inherited from the environment
    ServerProcess server(options);
    server.start();
    std::smatch printed;
    const std::string out = server.stdoutText();
    ASSERT_TRUE(std::regex_search(out, printed, std::regex("sk_test_[0-9a-f]{64}"))) << environment << server.logs();
    EXPECT_EQ(out.find("sk_live_"), std::string::npos) << out;
    HttpClient http(server.baseUrl(), printed.str());
    const json created = AccountSteps::createKey(http, {{"name", "minted"}});
    std::vector<std::pair<std::string, std::string>> keys = {{"first start", printed.str()},
                                                             {"POST /api-keys", created.at("key")}};
    expectShape(keys, "sk_test_", server);
  }
}

TEST(ApiKeyPrefixTest, KeysOfTheEarlierSpPrefixStillAuthenticate) {
  ServerProcessOptions options = accountServerOptions();
  options.apiKey = "sp_live_" + std::string(64, 'a');  // as an earlier release minted them
  ServerProcess server(options);
  server.start();
  HttpClient http(server.baseUrl(), options.apiKey);
  EXPECT_EQ(http.get("/api/v1/jobs").status, 200);
  AccountSteps accounts(server.baseUrl());
  const json tokens = accounts.login(options.apiKey);
  HttpClient withToken(server.baseUrl(), tokens.at("access_token").get<std::string>());
  EXPECT_EQ(withToken.get("/api/v1/jobs").status, 200);
  // And the keys it mints now have the official shape.
  EXPECT_TRUE(AccountSteps::createKey(http, {{"name", "new"}}).at("key").get<std::string>().starts_with("sk_live_"));
}

}  // namespace
}  // namespace spooled::test
