// SpooledClient's health, metrics and dashboard resources against a real spooled-server.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>

#include "spooled/spooled.hpp"
#include "support/prometheus_text.hpp"
#include "support/server_process.hpp"

namespace spooled {
namespace {

using namespace std::chrono_literals;

ClientOptions optionsFor(const test::ServerProcess& server, const std::string& apiKey) {
  ClientOptions o;
  o.apiKey = apiKey;
  o.baseUrl = server.baseUrl();
  o.retry.baseDelay = 20ms;
  o.retry.maxDelay = 100ms;
  return o;
}

class SdkObservabilityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.start();
    client_ = std::make_unique<SpooledClient>(optionsFor(server_, server_.apiKey()));
  }
  void TearDown() override {
    if (HasFailure()) std::cerr << server_.logs();
  }

  // Creates a job on queue, claims it as workerId and completes (or, with fail, dead-letters) it.
  void runOne(const std::string& queue, const std::string& workerId, bool fail) {
    client_->jobs().create({.queueName = queue, .payload = {{"n", 1}}});
    const auto claimed = client_->jobs().claim({.queueName = queue, .workerId = workerId});
    ASSERT_EQ(claimed.size(), 1u);
    if (fail) {
      client_->jobs().fail(claimed[0].id, {.workerId = workerId,
                                           .leaseId = claimed[0].leaseId,
                                           .error = "broken",
                                           .retryable = false});
    } else {
      client_->jobs().complete(claimed[0].id, {.workerId = workerId, .leaseId = claimed[0].leaseId});
    }
  }

  test::ServerProcess server_;
  std::unique_ptr<SpooledClient> client_;
};

TEST_F(SdkObservabilityTest, HealthGetLivenessAndReadiness) {
  const HealthResponse health = client_->health().get();
  EXPECT_EQ(health.status, "healthy");
  EXPECT_TRUE(health.isHealthy());
  EXPECT_TRUE(health.database);
  EXPECT_TRUE(health.cache);
  EXPECT_FALSE(health.version.has_value());  // not disclosed without credentials
  EXPECT_TRUE(client_->health().liveness());
  EXPECT_TRUE(client_->health().readiness());
}

TEST_F(SdkObservabilityTest, ProbesSayNoAtOnceWhenTheServerIsGone) {
  ASSERT_EQ(server_.stop(), 0);
  const auto started = std::chrono::steady_clock::now();
  EXPECT_FALSE(client_->health().liveness());
  EXPECT_FALSE(client_->health().readiness());
  // One attempt each, no retry backoff: a probe reports the present.
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
  EXPECT_THROW(client_->health().get(), NetworkError);
}

TEST_F(SdkObservabilityTest, MetricsTextCountsTheJobsThisClientRan) {
  const std::string worker = client_->workers().registerWorker({.queueName = "sdk-metrics", .hostname = "h"}).id;
  runOne("sdk-metrics", worker, /*fail=*/false);
  runOne("sdk-metrics", worker, /*fail=*/true);

  const std::string text = client_->metrics().get();
  const test::PromText parsed = test::parsePromText(text);
  EXPECT_EQ(parsed.value("spooled_jobs_enqueued_total", {{"queue", "sdk-metrics"}}), 2);
  EXPECT_EQ(parsed.value("spooled_jobs_completed_total", {{"queue", "sdk-metrics"}}), 1);
  EXPECT_EQ(parsed.value("spooled_jobs_deadlettered_total", {{"queue", "sdk-metrics"}}), 1);
  EXPECT_EQ(parsed.value("spooled_queue_jobs", {{"queue", "sdk-metrics"}, {"status", "deadletter"}}), 1);
}

TEST_F(SdkObservabilityTest, DashboardIsTyped) {
  const std::string worker = client_->workers().registerWorker({.queueName = "sdk-dash", .hostname = "h"}).id;
  runOne("sdk-dash", worker, /*fail=*/false);
  runOne("sdk-dash", worker, /*fail=*/true);
  client_->jobs().create({.queueName = "sdk-dash", .payload = {{"n", 2}}});

  const DashboardData d = client_->dashboard().get();
  EXPECT_FALSE(d.system.version.empty());
  EXPECT_EQ(d.system.databaseStatus, "healthy");
  EXPECT_EQ(d.system.environment, "production");
  EXPECT_FALSE(d.system.startedAt.empty());
  EXPECT_EQ(d.jobs.total, 3);
  EXPECT_EQ(d.jobs.pending, 1);
  EXPECT_EQ(d.jobs.completed24h, 1);
  EXPECT_EQ(d.jobs.failed24h, 1);
  EXPECT_EQ(d.jobs.deadletter, 1);
  EXPECT_TRUE(d.jobs.avgProcessingTimeMs.has_value());
  ASSERT_EQ(d.queues.size(), 1u);
  EXPECT_EQ(d.queues[0].name, "sdk-dash");
  EXPECT_EQ(d.queues[0].pending, 1);
  EXPECT_FALSE(d.queues[0].paused);
  EXPECT_EQ(d.workers.total, 1);
  EXPECT_EQ(d.workers.healthy, 1);
  EXPECT_EQ(d.recentActivity.jobsCreated1h, 3);
  EXPECT_EQ(d.recentActivity.jobsCompleted1h, 1);
  EXPECT_EQ(d.recentActivity.jobsFailed1h, 1);
}

TEST_F(SdkObservabilityTest, DashboardNeedsAValidKey) {
  SpooledClient stranger(optionsFor(server_, "sk_test_unknown_key_0123456789"));
  EXPECT_THROW(stranger.dashboard().get(), AuthenticationError);
}

TEST(SdkMetricsTokenTest, ProtectedMetricsNeedAClientCarryingTheToken) {
  const std::string token = "sdk-metrics-token-0123456789";
  test::ServerProcessOptions options;
  options.extraArgs = {"--metrics-token", token};
  test::ServerProcess server(options);
  server.start();
  SpooledClient withKey(optionsFor(server, server.apiKey()));
  EXPECT_THROW(withKey.metrics().get(), AuthenticationError);
  SpooledClient withToken(optionsFor(server, token));
  EXPECT_NE(withToken.metrics().get().find("# TYPE spooled_jobs_enqueued_total counter"), std::string::npos);
}

}  // namespace
}  // namespace spooled
