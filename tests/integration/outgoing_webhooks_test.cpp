// Outgoing webhooks against a real server and a local HTTP receiver: a signed delivery arrives and its
// signature verifies; a receiver answering 500 gets the delivery again (attempt 2); a delivery stored
// with a job's completion survives a SIGKILL before it was sent; private addresses are refused without
// --webhook-allow-private (a literal at creation, a name after DNS); CRUD, validation, organization
// isolation, delivery listing and manual retry. Runs on SQLite and PostgreSQL.
#include <gtest/gtest.h>

#include <atomic>

#include "common/ids.hpp"
#include "integration/sdk_http_stub.hpp"
#include "support/account_steps.hpp"

namespace spooled::test {
namespace {

constexpr auto kWait = std::chrono::seconds(20);

class OutgoingWebhooksTest : public AccountServerTest {
 protected:
  ServerProcessOptions serverOptions() override {
    return accountServerOptions({"--webhook-allow-private", "--webhook-timeout-secs", "5"});
  }

  void SetUp() override {
    AccountServerTest::SetUp();
    receiver_ = std::make_unique<HttpStub>([this](const StubRequest&, int index) {
      StubResponse r;
      r.status = answer_ ? answer_(index) : 200;
      r.body = R"({"received":true})";
      return r;
    });
  }

  std::string receiverUrl(const std::string& host = "127.0.0.1") const {
    const std::string base = receiver_->baseUrl();  // http://127.0.0.1:PORT
    return "http://" + host + base.substr(base.rfind(':')) + "/hook";
  }

  json createWebhook(HttpClient& client, const json& body) {
    const HttpResult r = client.post("/api/v1/outgoing-webhooks", body);
    EXPECT_EQ(r.status, 201) << r.describe();
    return r.body;
  }

  json deliveries(const std::string& webhookId) {
    const HttpResult r = http_->get("/api/v1/outgoing-webhooks/" + webhookId + "/deliveries");
    EXPECT_EQ(r.status, 200) << r.describe();
    return r.body;
  }

  // Waits until the webhook's newest delivery satisfies `ok`; returns it (null on timeout).
  json waitForDelivery(const std::string& webhookId, const std::function<bool(const json&)>& ok) {
    json found;
    waitUntil(
        [&] {
          const json list = deliveries(webhookId);
          if (list.is_array() && !list.empty() && ok(list[0])) found = list[0];
          return !found.is_null();
        },
        kWait);
    return found;
  }

  // A job of `queue` created, claimed and completed with this result; returns its id.
  std::string completeJob(const std::string& queue) {
    const std::string worker = api_->registerWorker(queue);
    const std::string id = api_->createJob(queue);
    const json claimed = api_->claim(queue, worker);
    EXPECT_EQ(claimed.size(), 1u);
    expectStatus(api_->settle("complete", claimed[0], worker, {{"result", {{"answer", 42}}}}), 200, "complete");
    return id;
  }

  std::function<int(int)> answer_;  // status for the receiver's request number i; default 200
  std::unique_ptr<HttpStub> receiver_;
};

TEST_F(OutgoingWebhooksTest, SignedDeliveryArrivesAndItsSignatureVerifies) {
  const std::string secret = "whsec_test_0123456789";
  const json webhook =
      createWebhook(*http_, {{"name", "ops"}, {"url", receiverUrl()}, {"events", {"job.completed"}}, {"secret", secret}});
  const std::string jobId = completeJob("signed");

  ASSERT_TRUE(waitUntil([&] { return receiver_->requestCount() >= 1; }, kWait)) << server_->logs();
  const StubRequest got = receiver_->requests().at(0);
  EXPECT_EQ(got.method, "POST");
  EXPECT_EQ(got.target, "/hook");
  EXPECT_EQ(got.headers.at("content-type"), "application/json");
  EXPECT_EQ(got.headers.at("x-spooled-event"), "job.completed");
  EXPECT_EQ(got.headers.at("x-spooled-delivery-attempt"), "1");
  const std::string timestamp = got.headers.at("x-spooled-timestamp");
  const long long seconds = std::stoll(timestamp);
  EXPECT_NEAR(static_cast<double>(seconds), static_cast<double>(std::time(nullptr)), 60.0);
  // The receiver's check: HMAC-SHA256 over "<timestamp>.<raw body>" with the shared secret.
  EXPECT_EQ(got.headers.at("x-spooled-signature"), "sha256=" + hmacSha256Hex(secret, timestamp + "." + got.body));
  const json body = json::parse(got.body);
  EXPECT_EQ(body["event"], "job.completed");
  EXPECT_EQ(body["data"]["job_id"], jobId);
  EXPECT_EQ(body["data"]["queue_name"], "signed");
  EXPECT_EQ(body["data"]["status"], "completed");
  EXPECT_EQ(body["data"]["result"]["answer"], 42);
  EXPECT_TRUE(body.contains("timestamp"));

  const json d = waitForDelivery(webhook["id"], [](const json& d) { return d["status"] == "success"; });
  ASSERT_FALSE(d.is_null());
  EXPECT_EQ(d["attempts"], 1);
  EXPECT_EQ(d["status_code"], 200);
  EXPECT_EQ(d["event"], "job.completed");
  EXPECT_EQ(got.headers.at("x-spooled-delivery-id"), d["id"]);
  ASSERT_EQ(d["attempts_log"].size(), 1u);
  EXPECT_TRUE(d["attempts_log"][0]["latency_ms"].is_number());
  const json w = http_->get("/api/v1/outgoing-webhooks/" + webhook["id"].get<std::string>()).body;
  EXPECT_EQ(w["last_status"], "success");
  EXPECT_EQ(w["failure_count"], 0);
  // Only the subscribed event was sent: not job.created or job.started.
  EXPECT_EQ(receiver_->requestCount(), 1);
}

TEST_F(OutgoingWebhooksTest, AReceiverAnswering500GetsTheDeliveryAgainAsAttempt2) {
  answer_ = [](int index) { return index == 0 ? 500 : 200; };
  const json webhook = createWebhook(*http_, {{"name", "flaky"}, {"url", receiverUrl()}, {"events", {"job.created"}}});
  api_->createJob("flaky");
  ASSERT_TRUE(waitUntil([&] { return receiver_->requestCount() >= 2; }, kWait)) << server_->logs();
  const auto got = receiver_->requests();
  EXPECT_EQ(got[0].headers.at("x-spooled-delivery-attempt"), "1");
  EXPECT_EQ(got[1].headers.at("x-spooled-delivery-attempt"), "2");
  EXPECT_EQ(got[0].headers.at("x-spooled-delivery-id"), got[1].headers.at("x-spooled-delivery-id"));
  EXPECT_EQ(got[0].body, got[1].body);  // the same event, not a new one
  EXPECT_FALSE(got[0].headers.count("x-spooled-signature"));  // no secret, no signature

  const json d = waitForDelivery(webhook["id"], [](const json& d) { return d["status"] == "success"; });
  ASSERT_FALSE(d.is_null());
  EXPECT_EQ(d["attempts"], 2);
  ASSERT_EQ(d["attempts_log"].size(), 2u);
  EXPECT_EQ(d["attempts_log"][0]["status_code"], 500);
  EXPECT_EQ(d["attempts_log"][0]["error"], "HTTP 500");
  EXPECT_EQ(d["attempts_log"][1]["status_code"], 200);
}

TEST_F(OutgoingWebhooksTest, ADeliveryStoredWithTheCompletionArrivesAfterTheServerWasKilled) {
  // A second server on the same database that does not send (--webhook-delivery false) holds the
  // delivery exactly between the job's acknowledged completion and its sending; then it is SIGKILLed.
  ServerProcessOptions quiet = accountServerOptions({"--webhook-allow-private", "--webhook-delivery", "false"});
  quiet.databaseUrl = server_->databaseUrl();
  server_->stop();
  ServerProcess holder(quiet);
  holder.start();
  HttpClient client(holder.baseUrl(), holder.apiKey());
  ApiSteps steps(client);
  const json webhook = createWebhook(client, {{"name", "durable"}, {"url", receiverUrl()}, {"events", {"job.completed"}}});
  const std::string worker = steps.registerWorker("durable");
  const std::string jobId = steps.createJob("durable");
  const json claimed = steps.claim("durable", worker);
  ASSERT_EQ(claimed.size(), 1u);
  expectStatus(steps.settle("complete", claimed[0], worker), 200, "complete");
  const json pending = client.get("/api/v1/outgoing-webhooks/" + webhook["id"].get<std::string>() + "/deliveries").body;
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0]["status"], "pending");
  holder.kill();
  EXPECT_EQ(receiver_->requestCount(), 0);

  server_->restart();  // delivers (same database)
  ASSERT_TRUE(waitUntil([&] { return receiver_->requestCount() >= 1; }, kWait)) << server_->logs();
  const json body = json::parse(receiver_->requests().at(0).body);
  EXPECT_EQ(body["event"], "job.completed");
  EXPECT_EQ(body["data"]["job_id"], jobId);
}

class PrivateAddressTest : public OutgoingWebhooksTest {
 protected:
  ServerProcessOptions serverOptions() override { return accountServerOptions({"--webhook-timeout-secs", "5"}); }
};

TEST_F(PrivateAddressTest, LoopbackIsRefusedAtCreationAndAfterResolutionWithoutTheFlag) {
  const HttpResult literal = http_->post("/api/v1/outgoing-webhooks",
                                         {{"name", "inside"}, {"url", receiverUrl()}, {"events", {"job.created"}}});
  EXPECT_EQ(literal.status, 400) << literal.describe();
  EXPECT_EQ(literal.body["code"], "VALIDATION_ERROR");
  EXPECT_NE(literal.body["message"].get<std::string>().find("Invalid webhook URL"), std::string::npos);
  for (const char* host : {"[::1]", "10.0.0.7", "169.254.169.254", "192.168.1.1"}) {
    const HttpResult r = http_->post("/api/v1/outgoing-webhooks",
                                     {{"name", "inside"}, {"url", std::string("http://") + host + "/x"}, {"events", {"job.created"}}});
    EXPECT_EQ(r.status, 400) << host << ": " << r.describe();
  }
  EXPECT_EQ(http_->get("/api/v1/outgoing-webhooks").body.size(), 0u);  // nothing stored

  // A name is judged on the address it resolves to, at delivery: localhost is loopback.
  const json webhook = createWebhook(*http_, {{"name", "by name"}, {"url", receiverUrl("localhost")}, {"events", {"job.created"}}});
  api_->createJob("private");
  const json d = waitForDelivery(webhook["id"], [](const json& d) { return d["attempts"].get<int>() >= 1; });
  ASSERT_FALSE(d.is_null()) << server_->logs();
  EXPECT_NE(d["error"].get<std::string>().find("refused"), std::string::npos) << d.dump();
  EXPECT_TRUE(d["status_code"].is_null());
  const HttpResult test = http_->post("/api/v1/outgoing-webhooks/" + webhook["id"].get<std::string>() + "/test", json::object());
  EXPECT_EQ(test.status, 200) << test.describe();
  EXPECT_EQ(test.body["success"], false);
  EXPECT_NE(test.body["error"].get<std::string>().find("refused"), std::string::npos);
  EXPECT_EQ(receiver_->requestCount(), 0);
}

TEST_F(OutgoingWebhooksTest, CrudWithTheOfficialShapesAndValidation) {
  const json created = createWebhook(*http_, {{"name", "crud"},
                                              {"url", receiverUrl()},
                                              {"events", {"job.created", "job.completed", "job.failed"}},
                                              {"secret", "s3cret"}});
  const std::string id = created["id"];
  for (const char* field : {"id", "organization_id", "name", "url", "events", "enabled", "failure_count",
                            "last_triggered_at", "last_status", "created_at", "updated_at"})
    EXPECT_TRUE(created.contains(field)) << field;
  EXPECT_FALSE(created.contains("secret"));
  EXPECT_EQ(created["enabled"], true);
  EXPECT_EQ(created["failure_count"], 0);

  const HttpResult list = http_->get("/api/v1/outgoing-webhooks");
  ASSERT_EQ(list.body.size(), 1u);
  EXPECT_EQ(list.body[0]["id"], id);
  EXPECT_EQ(http_->get("/api/v1/outgoing-webhooks/" + id).body["url"], receiverUrl());

  const HttpResult updated = http_->request(
      "PUT", "/api/v1/outgoing-webhooks/" + id,
      json{{"events", {"job.created", "job.completed", "job.failed", "job.started"}}, {"enabled", false}});
  EXPECT_EQ(updated.status, 200) << updated.describe();
  const json got = http_->get("/api/v1/outgoing-webhooks/" + id).body;
  EXPECT_EQ(got["events"].size(), 4u);
  EXPECT_EQ(got["enabled"], false);
  EXPECT_EQ(got["name"], "crud");

  const std::vector<std::pair<json, std::string>> bad = {
      {{{"url", receiverUrl()}, {"events", {"job.created"}}}, "name"},
      {{{"name", ""}, {"url", receiverUrl()}, {"events", {"job.created"}}}, "name"},
      {{{"name", std::string(256, 'n')}, {"url", receiverUrl()}, {"events", {"job.created"}}}, "name"},
      {{{"name", "x"}, {"url", "ftp://example.com/x"}, {"events", {"job.created"}}}, "url"},
      {{{"name", "x"}, {"url", "not a url"}, {"events", {"job.created"}}}, "url"},
      {{{"name", "x"}, {"url", "https://example.com/" + std::string(2048, 'p')}, {"events", {"job.created"}}}, "url"},
      {{{"name", "x"}, {"url", receiverUrl()}, {"events", json::array()}}, "events"},
      {{{"name", "x"}, {"url", receiverUrl()}}, "events"},
      {{{"name", "x"}, {"url", receiverUrl()}, {"events", {"job.exploded"}}}, "events"},
      {{{"name", "x"}, {"url", receiverUrl()}, {"events", "job.created"}}, "events"},
      {{{"name", "x"}, {"url", receiverUrl()}, {"events", {"job.created"}}, {"secret", std::string(256, 's')}}, "secret"},
      {{{"name", "x"}, {"url", receiverUrl()}, {"events", {"job.created"}}, {"enabled", "yes"}}, "enabled"},
  };
  for (const auto& [body, field] : bad) {
    const HttpResult r = http_->post("/api/v1/outgoing-webhooks", body);
    EXPECT_EQ(r.status, 400) << body.dump().substr(0, 120) << ": " << r.describe();
    EXPECT_EQ(r.body["code"], "VALIDATION_ERROR") << r.describe();
    EXPECT_TRUE(r.body["message"].is_string());
    EXPECT_EQ(r.body["details"]["field"], field) << r.describe();
  }
  const HttpResult badUpdate = http_->request("PUT", "/api/v1/outgoing-webhooks/" + id, json{{"events", {"nope"}}});
  EXPECT_EQ(badUpdate.status, 400) << badUpdate.describe();
  EXPECT_EQ(http_->get("/api/v1/outgoing-webhooks/" + id).body["events"].size(), 4u);  // unchanged
  EXPECT_EQ(http_->requestRaw("POST", "/api/v1/outgoing-webhooks", "[1]").status, 400);
  EXPECT_EQ(http_->get("/api/v1/outgoing-webhooks").body.size(), 1u);  // nothing stored by bad requests

  // Another organization sees none of it.
  const TestOrganization other = accounts_->createOrganization("webhooks-b");
  auto them = clientWith(other.apiKey);
  EXPECT_EQ(them->get("/api/v1/outgoing-webhooks").body.size(), 0u);
  for (const auto& r : {them->get("/api/v1/outgoing-webhooks/" + id),
                        them->request("PUT", "/api/v1/outgoing-webhooks/" + id, json{{"name", "mine"}}),
                        them->post("/api/v1/outgoing-webhooks/" + id + "/test", json::object()),
                        them->get("/api/v1/outgoing-webhooks/" + id + "/deliveries"), them->del("/api/v1/outgoing-webhooks/" + id)})
    EXPECT_EQ(r.status, 404) << r.describe();
  // Its events never reach this organization's webhook (which is disabled anyway: enable it first).
  http_->request("PUT", "/api/v1/outgoing-webhooks/" + id, json{{"enabled", true}});
  them->post("/api/v1/jobs", {{"queue_name", "theirs"}, {"payload", json::object()}});

  EXPECT_EQ(http_->del("/api/v1/outgoing-webhooks/" + id).status, 204);
  EXPECT_EQ(http_->get("/api/v1/outgoing-webhooks/" + id).status, 404);
  EXPECT_EQ(http_->del("/api/v1/outgoing-webhooks/" + id).status, 404);
  EXPECT_EQ(http_->get("/api/v1/outgoing-webhooks/not-a-uuid").status, 404);
  EXPECT_EQ(receiver_->requestCount(), 0);
}

TEST_F(OutgoingWebhooksTest, TestSendsASignedWebhookTestEventNow) {
  const json webhook =
      createWebhook(*http_, {{"name", "t"}, {"url", receiverUrl()}, {"events", {"job.created"}}, {"secret", "k"}});
  const HttpResult r = http_->post("/api/v1/outgoing-webhooks/" + webhook["id"].get<std::string>() + "/test", json::object());
  ASSERT_EQ(r.status, 200) << r.describe();
  EXPECT_EQ(r.body["success"], true);
  EXPECT_EQ(r.body["status_code"], 200);
  EXPECT_TRUE(r.body["response_time_ms"].is_number());
  ASSERT_EQ(receiver_->requestCount(), 1);  // sent before the answer
  const StubRequest got = receiver_->requests().at(0);
  EXPECT_EQ(got.headers.at("x-spooled-event"), "webhook.test");
  EXPECT_EQ(json::parse(got.body)["event"], "webhook.test");
  EXPECT_EQ(got.headers.at("x-spooled-signature"),
            "sha256=" + hmacSha256Hex("k", got.headers.at("x-spooled-timestamp") + "." + got.body));
  answer_ = [](int) { return 503; };
  const HttpResult failed = http_->post("/api/v1/outgoing-webhooks/" + webhook["id"].get<std::string>() + "/test", json::object());
  EXPECT_EQ(failed.body["success"], false);
  EXPECT_EQ(failed.body["status_code"], 503);
  EXPECT_EQ(failed.body["error"], "HTTP 503");
}

class ManualRetryTest : public OutgoingWebhooksTest {
 protected:
  ServerProcessOptions serverOptions() override {
    return accountServerOptions({"--webhook-allow-private", "--webhook-max-attempts", "1"});
  }
};

TEST_F(ManualRetryTest, AFailedDeliveryIsListedAndSentAgainOnRequest) {
  std::atomic<bool> healthy{false};
  answer_ = [&healthy](int) { return healthy ? 200 : 500; };
  const json webhook = createWebhook(*http_, {{"name", "r"}, {"url", receiverUrl()}, {"events", {"job.created"}}});
  const std::string id = webhook["id"];
  api_->createJob("retry-me");
  const json failed = waitForDelivery(id, [](const json& d) { return d["status"] == "failed"; });
  ASSERT_FALSE(failed.is_null()) << server_->logs();
  EXPECT_EQ(failed["attempts"], 1);
  EXPECT_EQ(failed["status_code"], 500);
  EXPECT_EQ(failed["error"], "HTTP 500");
  EXPECT_EQ(http_->get("/api/v1/outgoing-webhooks/" + id).body["failure_count"], 1);
  EXPECT_EQ(http_->get("/api/v1/outgoing-webhooks/" + id).body["last_status"], "failed");

  healthy = true;
  const std::string deliveryId = failed["id"];
  const HttpResult retried = http_->post("/api/v1/outgoing-webhooks/" + id + "/retry/" + deliveryId, json::object());
  ASSERT_EQ(retried.status, 200) << retried.describe();
  EXPECT_EQ(retried.body["success"], true);
  EXPECT_TRUE(retried.body["message"].is_string());
  const json done = waitForDelivery(id, [](const json& d) { return d["status"] == "success"; });
  ASSERT_FALSE(done.is_null()) << server_->logs();
  EXPECT_EQ(done["id"], deliveryId);
  EXPECT_EQ(done["attempts"], 2);
  EXPECT_EQ(receiver_->requests().back().headers.at("x-spooled-delivery-attempt"), "2");

  EXPECT_EQ(http_->post("/api/v1/outgoing-webhooks/" + id + "/retry/" + newUuid(), json::object()).status, 404);
  EXPECT_EQ(http_->post("/api/v1/outgoing-webhooks/" + id + "/retry/nope", json::object()).status, 404);
  EXPECT_EQ(http_->get("/api/v1/outgoing-webhooks/" + id + "/deliveries?limit=0").status, 400);
}

}  // namespace
}  // namespace spooled::test
