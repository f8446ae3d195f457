// Incoming webhooks make jobs: a custom webhook with the organization's token, GitHub and Stripe
// requests signed with the configured secrets; wrong tokens and signatures change nothing.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <cstdio>

#include "common/ids.hpp"
#include "common/time.hpp"
#include "support/server_test.hpp"

namespace spooled::test {
namespace {

const std::string kGithubSecret = "gh-secret-for-tests";
const std::string kStripeSecret = "whsec_stripe_for_tests";

std::string hmacHex(const std::string& key, const std::string& data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), mac.data(), &len);
  std::string hex;
  for (unsigned int i = 0; i < len; ++i) {
    std::array<char, 3> b{};
    std::snprintf(b.data(), b.size(), "%02x", mac[i]);
    hex += b.data();
  }
  return hex;
}

class IncomingWebhooksTest : public ServerTest {
 protected:
  IncomingWebhooksTest() : ServerTest(options()) {}
  static ServerProcessOptions options() {
    ServerProcessOptions o;
    o.extraArgs = {"--github-webhook-secret", kGithubSecret, "--stripe-webhook-secret", kStripeSecret};
    return o;
  }
  void SetUp() override {
    ServerTest::SetUp();
    const HttpResult me = http_->get("/api/v1/organizations/webhook-token");
    expectStatus(me, 200, "webhook token");
    token_ = me.body.at("webhook_token").get<std::string>();
    const HttpResult orgs = http_->get("/api/v1/organizations");
    expectStatus(orgs, 200, "organizations");
    orgId_ = orgs.body.at(0).at("id").get<std::string>();
  }
  HttpResult post(const std::string& provider, const std::string& body, std::map<std::string, std::string> headers) {
    HttpClient anonymous(server_.baseUrl(), std::nullopt);
    headers["Content-Type"] = "application/json";
    return anonymous.requestRaw("POST", "/api/v1/webhooks/" + orgId_ + "/" + provider, body, headers);
  }
  std::string token_;
  std::string orgId_;
};

TEST_F(IncomingWebhooksTest, CustomWebhookWithTheOrganizationsTokenCreatesAJobOnTheNamedQueue) {
  const json body = {{"queue_name", "from-hook"}, {"event_type", "order.paid"}, {"payload", {{"order", 7}}},
                     {"priority", 5}, {"idempotency_key", "hook-1"}};
  const HttpResult r = post("custom", body.dump(), {{"X-Webhook-Token", token_}});
  ASSERT_EQ(r.status, 200) << r.describe();
  const json job = api_->getJob(r.body["job_id"]);
  EXPECT_EQ(job["queue_name"], "from-hook");
  EXPECT_EQ(job["payload"], json({{"order", 7}}));
  EXPECT_EQ(job["priority"], 5);
  const HttpResult again = post("custom", body.dump(), {{"X-Webhook-Token", token_}});
  EXPECT_EQ(again.body["job_id"], r.body["job_id"]) << "the idempotency key holds";

  const std::size_t before = api_->countJobs();
  EXPECT_EQ(post("custom", body.dump(), {{"X-Webhook-Token", "whk_wrong"}}).status, 401);
  EXPECT_EQ(post("custom", body.dump(), {}).status, 401);
  HttpClient anonymous(server_.baseUrl(), std::nullopt);
  EXPECT_EQ(anonymous.requestRaw("POST", "/api/v1/webhooks/" + newUuid() + "/custom", body.dump(),
                                 {{"Content-Type", "application/json"}, {"X-Webhook-Token", token_}})
                .status,
            404);
  EXPECT_EQ(post("custom", json{{"queue_name", "bad name!"}, {"payload", {}}}.dump(), {{"X-Webhook-Token", token_}}).status,
            400);
  EXPECT_EQ(api_->countJobs(), before);
}

TEST_F(IncomingWebhooksTest, GithubWebhookSignedWithTheSecretCreatesAJob) {
  const std::string body = R"({"ref":"refs/heads/main","repository":{"full_name":"a/b"}})";
  const HttpResult r = post("github", body, {{"X-GitHub-Event", "push"},
                                             {"X-Hub-Signature-256", "sha256=" + hmacHex(kGithubSecret, body)}});
  ASSERT_EQ(r.status, 200) << r.describe();
  const json job = api_->getJob(r.body["job_id"]);
  EXPECT_EQ(job["queue_name"], "github-push");
  EXPECT_EQ(job["payload"]["ref"], "refs/heads/main");
  const HttpResult forged = post("github", body, {{"X-GitHub-Event", "push"},
                                                  {"X-Hub-Signature-256", "sha256=" + hmacHex("wrong", body)}});
  EXPECT_EQ(forged.status, 401) << forged.describe();
  EXPECT_EQ(post("github", body, {{"X-GitHub-Event", "push"}}).status, 401);
}

TEST_F(IncomingWebhooksTest, StripeWebhookSignedWithTheSecretCreatesOneJobPerEvent) {
  const std::string body =
      R"({"id":"evt_123","type":"payment_intent.succeeded","data":{"object":{"id":"pi_1","amount":500}}})";
  const std::string t = std::to_string(toEpochMs(nowMs()) / 1000);
  const std::string signature = "t=" + t + ",v1=" + hmacHex(kStripeSecret, t + "." + body);
  const HttpResult r = post("stripe", body, {{"Stripe-Signature", signature}});
  ASSERT_EQ(r.status, 200) << r.describe();
  const json job = api_->getJob(r.body["job_id"]);
  EXPECT_EQ(job["queue_name"], "stripe-payment_intent-succeeded");
  EXPECT_EQ(job["payload"], json({{"id", "pi_1"}, {"amount", 500}}));
  const HttpResult redelivered = post("stripe", body, {{"Stripe-Signature", signature}});
  EXPECT_EQ(redelivered.body["job_id"], r.body["job_id"]);
  EXPECT_EQ(redelivered.body["created"], false);
  const std::string old = std::to_string(toEpochMs(nowMs()) / 1000 - 3600);
  EXPECT_EQ(post("stripe", body, {{"Stripe-Signature", "t=" + old + ",v1=" + hmacHex(kStripeSecret, old + "." + body)}})
                .status,
            401)
      << "a replay an hour later";
}

}  // namespace
}  // namespace spooled::test
