// The pure rules of outgoing webhooks: which URLs a webhook may name and which addresses it may reach,
// what an attempt's outcome does to its delivery (backoff, give up, log), the signed request, and the
// SDK's signature check (HMAC-SHA256 against RFC 4231's vectors).
#include <gtest/gtest.h>

#include "common/ids.hpp"
#include "server/core/webhook_url.hpp"
#include "server/webhook/webhook_delivery_loop.hpp"
#include "spooled/webhooks.hpp"

namespace spooled::server {
namespace {

TEST(WebhookUrl, ParsesHttpAndHttpsUrlsOnly) {
  auto u = parseWebhookUrl("https://hooks.example.com/a/b?x=1");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->scheme, "https");
  EXPECT_EQ(u->host, "hooks.example.com");
  EXPECT_EQ(u->port, 443);
  EXPECT_EQ(u->target, "/a/b?x=1");
  u = parseWebhookUrl("HTTP://[::1]:8080");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(u->port, 8080);
  EXPECT_EQ(u->target, "/");
  for (const char* bad : {"ftp://x/y", "http://", "http://user@host/", "http://h:0/", "http://h:70000/", "http://h:1x/",
                          "http://a b/", "http://h/#frag", "hooks.example.com/x", "http://[::1/"})
    EXPECT_FALSE(parseWebhookUrl(bad)) << bad;
}

TEST(WebhookUrl, RefusesLoopbackPrivateLinkLocalAndReservedAddresses) {
  for (const char* ip : {"127.0.0.1", "127.8.9.10", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.0.1",
                         "169.254.169.254", "100.64.0.1", "0.0.0.0", "224.0.0.1", "255.255.255.255", "::1", "::",
                         "fe80::1", "fc00::1", "fd12::1", "ff02::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1",
                         "64:ff9b::a00:1"})
    EXPECT_TRUE(isNonPublicAddress(ip)) << ip;
  for (const char* ip : {"8.8.8.8", "172.32.0.1", "100.128.0.1", "1.1.1.1", "2606:4700::1111", "::ffff:8.8.8.8"})
    EXPECT_FALSE(isNonPublicAddress(ip)) << ip;
  EXPECT_FALSE(isNonPublicLiteral("localhost")) << "names are judged after resolution";
}

TEST(WebhookAttempts, FailuresBackOffThenGiveUpAndEachAttemptIsLogged) {
  WebhookDeliveryRecord d;
  d.maxAttempts = 3;
  const TimePoint t0 = fromEpochMs(1'000'000);
  WebhookHttpResult fail;
  fail.statusCode = 500;
  fail.responseBody = std::string(2000, 'x') + "\x01";
  fail.error = "HTTP 500";
  fail.latency = std::chrono::milliseconds(12);
  applyAttemptResult(d, fail, t0);
  EXPECT_EQ(d.status, "pending");
  EXPECT_EQ(d.attempts, 1);
  EXPECT_EQ(d.nextAttemptAt, t0 + std::chrono::seconds(1));
  EXPECT_EQ(d.responseBody->size(), 500u);
  applyAttemptResult(d, fail, t0);
  EXPECT_EQ(d.nextAttemptAt, t0 + std::chrono::seconds(2));
  WebhookHttpResult noAnswer;
  noAnswer.error = "cannot connect";
  applyAttemptResult(d, noAnswer, t0);
  EXPECT_EQ(d.status, "failed");
  EXPECT_FALSE(d.statusCode);
  ASSERT_EQ(d.attemptLog.size(), 3u);
  EXPECT_EQ(d.attemptLog[0]["latency_ms"], 12);
  EXPECT_EQ(d.attemptLog[2]["error"], "cannot connect");

  WebhookDeliveryRecord ok;
  WebhookHttpResult success;
  success.statusCode = 204;
  applyAttemptResult(ok, success, t0);
  EXPECT_EQ(ok.status, "success");
  EXPECT_EQ(ok.deliveredAt, t0);
  EXPECT_FALSE(ok.error);
}

TEST(WebhookRequest, CarriesTheOfficialHeadersAndSignsTimestampDotBody) {
  OutgoingWebhookRecord w;
  w.url = "http://example.com/hook";
  w.secret = "k";
  const auto r = webhookRequest(w, "job.completed", R"({"a":1})", 3, fromEpochMs(1'700'000'000'123), "d-1");
  std::map<std::string, std::string> h(r.headers.begin(), r.headers.end());
  EXPECT_EQ(h["X-Spooled-Event"], "job.completed");
  EXPECT_EQ(h["X-Spooled-Timestamp"], "1700000000");
  EXPECT_EQ(h["X-Spooled-Delivery-Attempt"], "3");
  EXPECT_EQ(h["X-Spooled-Delivery-Id"], "d-1");
  EXPECT_EQ(h["X-Spooled-Signature"], "sha256=" + hmacSha256Hex("k", "1700000000." + std::string(R"({"a":1})")));
  w.secret.reset();
  EXPECT_EQ(webhookRequest(w, "job.completed", "{}", 1, fromEpochMs(0)).headers.size(), 4u);  // unsigned
}

TEST(SdkWebhookSignature, MatchesTheServersSignatureAndRfc4231) {
  // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
  EXPECT_EQ(hmacSha256Hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  const std::string ts = std::to_string(std::time(nullptr));
  const std::string body = R"({"event":"job.completed"})";
  const std::string longKey(131, '\xaa');  // longer than a block: hashed first
  for (const std::string& key : {std::string("whsec"), longKey}) {
    const std::string sig = "sha256=" + hmacSha256Hex(key, ts + "." + body);
    EXPECT_TRUE(spooled::verifyWebhookSignature(key, ts, body, sig));
    EXPECT_FALSE(spooled::verifyWebhookSignature(key, ts, body + " ", sig));
    EXPECT_FALSE(spooled::verifyWebhookSignature(key + "x", ts, body, sig));
    EXPECT_FALSE(spooled::verifyWebhookSignature(key, ts, body, sig.substr(7)));
  }
  const std::string old = "1000";
  EXPECT_FALSE(spooled::verifyWebhookSignature("k", old, body, "sha256=" + hmacSha256Hex("k", old + "." + body)));
  EXPECT_TRUE(spooled::verifyWebhookSignature("k", old, body, "sha256=" + hmacSha256Hex("k", old + "." + body), 0));
}

}  // namespace
}  // namespace spooled::server
