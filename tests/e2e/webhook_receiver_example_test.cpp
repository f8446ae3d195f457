// examples/webhook_receiver.cpp run as a user would, against a server that may call loopback
// addresses: it registers a webhook through client.webhooks(), receives a job's events with a
// signature it verifies, and deletes the webhook when stopped. The SDK's other webhook calls (test,
// deliveries, update, list) are checked on the same webhook.
#include <signal.h>

#include <filesystem>

#include "spooled/spooled.hpp"
#include "support/child_process.hpp"
#include "support/free_port.hpp"
#include "support/server_test.hpp"

namespace spooled::test {
namespace {

using namespace std::chrono_literals;

ServerProcessOptions allowPrivate() {
  ServerProcessOptions o;
  o.extraArgs = {"--webhook-allow-private"};
  return o;
}

class WebhookReceiverExampleTest : public ServerTest {
 protected:
  WebhookReceiverExampleTest() : ServerTest(allowPrivate()) {}

  ClientOptions clientOptions() const {
    ClientOptions options;
    options.apiKey = server_.apiKey();
    options.baseUrl = server_.baseUrl();
    options.circuitBreaker.enabled = false;
    return options;
  }
};

TEST_F(WebhookReceiverExampleTest, ReceivesVerifiedEventsAndCleansUp) {
  const std::string path = std::string(SPOOLED_EXAMPLES_DIR) + "/webhook_receiver";
  ASSERT_TRUE(std::filesystem::exists(path)) << path << " is missing: build example_webhook_receiver";
  const int port = freePort();
  ChildProcess example({path, std::to_string(port)},
                       {{"SPOOLED_API_URL", server_.baseUrl()}, {"SPOOLED_API_KEY", server_.apiKey()}});
  ASSERT_TRUE(example.waitForOutput("webhook ", 10s)) << example.output();

  SpooledClient client(clientOptions());
  const auto hooks = client.webhooks().list();
  ASSERT_EQ(hooks.size(), 1u);
  EXPECT_EQ(hooks[0].url, "http://127.0.0.1:" + std::to_string(port) + "/hook");
  EXPECT_EQ(hooks[0].events, (std::vector<std::string>{"job.created", "job.completed", "job.failed"}));

  const std::string jobId = api_->createJob("emails");
  ASSERT_TRUE(example.waitForOutput("verified job.created attempt 1", 15s)) << example.output();
  EXPECT_NE(example.output().find(jobId), std::string::npos) << example.output();
  EXPECT_EQ(example.output().find("REJECTED"), std::string::npos) << example.output();

  // The SDK's view of the same webhook.
  const WebhookTestResult test = client.webhooks().test(hooks[0].id);
  EXPECT_TRUE(test.success);
  EXPECT_EQ(test.statusCode.value_or(0), 200);
  ASSERT_TRUE(example.waitForOutput("verified webhook.test", 10s)) << example.output();
  std::vector<WebhookDelivery> deliveries;
  ASSERT_TRUE(waitUntil(
      [&] {
        deliveries = client.webhooks().deliveries(hooks[0].id);
        return deliveries.size() == 1 && deliveries[0].status == "success";
      },
      10s));
  EXPECT_EQ(deliveries[0].event, "job.created");
  EXPECT_EQ(deliveries[0].payload["data"]["job_id"], jobId);
  EXPECT_EQ(deliveries[0].attempts, 1);
  const auto updated = client.webhooks().update(hooks[0].id, {.name = "renamed"});
  EXPECT_EQ(updated.name, "renamed");
  EXPECT_THROW(client.webhooks().create({.name = "bad", .url = "ftp://x", .events = {"job.created"}}), ValidationError);

  example.signal(SIGTERM);
  const auto code = example.waitExit(20s);
  ASSERT_TRUE(code.has_value()) << example.output();
  EXPECT_EQ(*code, 0) << example.output();
  EXPECT_NE(example.output().find("webhook deleted"), std::string::npos);
  EXPECT_TRUE(client.webhooks().list().empty());
}

}  // namespace
}  // namespace spooled::test
