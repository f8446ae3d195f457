// GET /metrics against a real server: well-formed Prometheus text whose counters and gauges follow
// what the test does with jobs, workers and requests; public on a loopback address, token-protected on
// request, and refused without a token on any other address unless --metrics-public.
#include "support/prometheus_text.hpp"
#include "support/server_test.hpp"

namespace spooled::test {
namespace {

class MetricsTest : public ServerTest {
 protected:
  PromText scrape() {
    const auto r = http_->get("/metrics");
    expectStatus(r, 200, "GET /metrics");
    return parsePromText(r.rawBody);  // throws, naming the line, on anything Prometheus would reject
  }
};

TEST_F(MetricsTest, IsPublicWellFormedPrometheusText) {
  http_->setApiKey(std::nullopt);
  const auto r = http_->get("/metrics");
  ASSERT_EQ(r.status, 200) << r.describe();
  EXPECT_EQ(r.header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  const PromText text = parsePromText(r.rawBody);
  for (const char* family : {"spooled_jobs_enqueued_total", "spooled_jobs_completed_total", "spooled_jobs_failed_total",
                             "spooled_jobs_deadlettered_total", "spooled_api_requests_total"})
    EXPECT_EQ(text.types.count(family) ? text.types.at(family) : "", "counter") << family;
  for (const char* family : {"spooled_job_duration_seconds", "spooled_api_request_duration_seconds"})
    EXPECT_EQ(text.types.count(family) ? text.types.at(family) : "", "histogram") << family;
  for (const char* family : {"spooled_queue_jobs", "spooled_workers", "spooled_jobs_pending", "spooled_database_up"})
    EXPECT_EQ(text.types.count(family) ? text.types.at(family) : "", "gauge") << family;
  EXPECT_EQ(text.value("spooled_database_up"), 1);
  EXPECT_EQ(text.value("spooled_build_info", {{"version", SPOOLED_VERSION}}), 1);
}

TEST_F(MetricsTest, JobCountersFollowCreateCompleteAndFail) {
  const PromText before = scrape();
  EXPECT_EQ(before.sum("spooled_jobs_enqueued_total", {{"queue", "billing"}}), 0);

  for (int i = 0; i < 3; ++i) api_->createJob("billing", {{"max_retries", 3}});
  const std::string worker = api_->registerWorker("billing");
  const json claimed = api_->claim("billing", worker, {{"limit", 3}});
  ASSERT_EQ(claimed.size(), 3u);
  expectStatus(api_->settle("complete", claimed[0], worker), 200, "complete");
  expectStatus(api_->settle("fail", claimed[1], worker, {{"error", "try again"}}), 200, "fail");
  expectStatus(api_->settle("fail", claimed[2], worker, {{"error", "hopeless"}, {"retryable", false}}), 200, "fail");

  // Events are counted before the request that caused them answers, so no waiting is needed.
  const PromText after = scrape();
  const std::map<std::string, std::string> billing = {{"queue", "billing"}};
  EXPECT_EQ(after.value("spooled_jobs_enqueued_total", billing), 3);
  EXPECT_EQ(after.value("spooled_jobs_claimed_total", billing), 3);
  EXPECT_EQ(after.value("spooled_jobs_completed_total", billing), 1);
  EXPECT_EQ(after.value("spooled_jobs_failed_total", billing), 2);
  EXPECT_EQ(after.value("spooled_jobs_retried_total", billing), 1);
  EXPECT_EQ(after.value("spooled_jobs_deadlettered_total", billing), 1);
  EXPECT_EQ(after.value("spooled_job_duration_seconds_count", billing), 3);
  EXPECT_EQ(after.value("spooled_job_duration_seconds_bucket", {{"queue", "billing"}, {"le", "+Inf"}}), 3);
  // The series carry the organization, so one queue name in two organizations stays two series.
  const auto series = after.select("spooled_jobs_enqueued_total", billing);
  ASSERT_EQ(series.size(), 1u);
  EXPECT_FALSE(series[0].labels.at("organization_id").empty());
}

TEST_F(MetricsTest, QueueDepthGaugeFollowsPendingAndProcessingJobs) {
  for (int i = 0; i < 4; ++i) api_->createJob("depth");
  PromText text = scrape();
  EXPECT_EQ(text.value("spooled_queue_jobs", {{"queue", "depth"}, {"status", "pending"}}), 4);
  EXPECT_EQ(text.value("spooled_queue_jobs", {{"queue", "depth"}, {"status", "processing"}}), 0);
  EXPECT_EQ(text.value("spooled_jobs_pending"), 4);

  const std::string worker = api_->registerWorker("depth");
  const json claimed = api_->claim("depth", worker);
  ASSERT_EQ(claimed.size(), 1u);
  text = scrape();
  EXPECT_EQ(text.value("spooled_queue_jobs", {{"queue", "depth"}, {"status", "pending"}}), 3);
  EXPECT_EQ(text.value("spooled_queue_jobs", {{"queue", "depth"}, {"status", "processing"}}), 1);
  EXPECT_EQ(text.value("spooled_jobs_processing"), 1);

  expectStatus(api_->settle("complete", claimed[0], worker), 200, "complete");
  text = scrape();
  // The processing series drops to zero rather than disappearing.
  EXPECT_EQ(text.value("spooled_queue_jobs", {{"queue", "depth"}, {"status", "processing"}}), 0);
  EXPECT_EQ(text.value("spooled_queue_jobs", {{"queue", "depth"}, {"status", "completed"}}), 1);
}

TEST_F(MetricsTest, RequestsAreCountedByRoutePatternNotRawPath) {
  const std::string a = api_->createJob("routes");
  const std::string b = api_->createJob("routes");
  api_->getJob(a);
  api_->getJob(b);
  EXPECT_EQ(http_->get("/no/such/path/" + a).status, 404);

  const PromText text = scrape();
  EXPECT_EQ(text.value("spooled_api_requests_total",
                       {{"method", "GET"}, {"route", "/api/v1/jobs/{id}"}, {"status", "200"}}),
            2);
  EXPECT_EQ(text.value("spooled_api_requests_total", {{"method", "POST"}, {"route", "/api/v1/jobs"}, {"status", "201"}}),
            2);
  EXPECT_EQ(text.value("spooled_api_requests_total", {{"route", "(unmatched)"}, {"status", "404"}}), 1);
  // No series names a job id: that is what keeps the number of series bounded.
  for (const PromSample& s : text.samples) {
    const auto route = s.labels.find("route");
    if (route != s.labels.end()) {
      EXPECT_EQ(route->second.find(a), std::string::npos) << route->second;
    }
  }
  EXPECT_EQ(text.value("spooled_api_request_duration_seconds_count", {{"method", "GET"}, {"route", "/api/v1/jobs/{id}"}}),
            2);
  // The readiness poll of the test harness went through the router too.
  EXPECT_GE(text.sum("spooled_api_requests_total", {{"route", "/health"}}), 1);
}

TEST_F(MetricsTest, WorkersGaugeCountsByStatus) {
  api_->registerWorker("w");
  const std::string degraded = api_->registerWorker("w");
  const std::string gone = api_->registerWorker("w");
  expectStatus(http_->post("/api/v1/workers/" + degraded + "/heartbeat", {{"current_jobs", 0}, {"status", "degraded"}}),
               200, "heartbeat");
  expectStatus(http_->request("POST", "/api/v1/workers/" + gone + "/deregister"), 204, "deregister");

  const PromText text = scrape();
  EXPECT_EQ(text.value("spooled_workers", {{"status", "healthy"}}), 1);
  EXPECT_EQ(text.value("spooled_workers", {{"status", "degraded"}}), 1);
  EXPECT_EQ(text.value("spooled_workers", {{"status", "offline"}}), 1);
  EXPECT_EQ(text.value("spooled_workers", {{"status", "draining"}}), 0);
  EXPECT_EQ(text.value("spooled_workers_active"), 2);
  EXPECT_EQ(text.value("spooled_workers_healthy"), 1);
}

TEST(MetricsTokenTest, TokenIsRequiredWhenConfigured) {
  const std::string token = "metrics-token-0123456789";
  ServerProcessOptions options;
  options.extraArgs = {"--metrics-token", token};
  ServerProcess server(options);
  server.start();
  HttpClient http(server.baseUrl(), std::nullopt);
  EXPECT_EQ(http.get("/metrics").status, 401);
  http.setApiKey(server.apiKey());  // an API key is not the metrics token
  EXPECT_EQ(http.get("/metrics").status, 401);
  http.setApiKey(token + "x");
  EXPECT_EQ(http.get("/metrics").status, 401);
  http.setApiKey(token);
  const auto ok = http.get("/metrics");
  ASSERT_EQ(ok.status, 200) << ok.describe();
  EXPECT_NO_THROW(parsePromText(ok.rawBody));
  // The probes stay public.
  http.setApiKey(std::nullopt);
  EXPECT_EQ(http.get("/health").status, 200);
}

// /metrics names every organization and queue, so without a token only a loopback listener serves it.
TEST(MetricsProtectionTest, OnANonLoopbackAddressItIsRefusedWithoutAToken) {
  ServerProcessOptions options;
  options.host = "0.0.0.0";
  ServerProcess server(options);
  server.start();
  HttpClient http(server.baseUrl(), std::nullopt);
  const auto refused = http.get("/metrics");
  EXPECT_EQ(refused.status, 403) << refused.describe();
  EXPECT_EQ(refused.body["code"], "ACCESS_DENIED");
  EXPECT_NE(refused.body["message"].get<std::string>().find("--metrics-token"), std::string::npos);
  EXPECT_EQ(refused.rawBody.find("organization_id"), std::string::npos);
  http.setApiKey(server.apiKey());  // an API key does not open it either
  EXPECT_EQ(http.get("/metrics").status, 403);
  EXPECT_NE(server.stderrText().find("GET /metrics is refused"), std::string::npos);  // told at start
  // The probes stay public.
  http.setApiKey(std::nullopt);
  EXPECT_EQ(http.get("/health").status, 200);
}

TEST(MetricsProtectionTest, OnANonLoopbackAddressATokenOrMetricsPublicOpensIt) {
  const std::string token = "metrics-token-0123456789";
  {
    ServerProcessOptions options;
    options.host = "0.0.0.0";
    options.extraArgs = {"--metrics-token", token};
    ServerProcess server(options);
    server.start();
    HttpClient http(server.baseUrl(), std::nullopt);
    EXPECT_EQ(http.get("/metrics").status, 401);
    http.setApiKey(token);
    EXPECT_EQ(http.get("/metrics").status, 200);
  }
  {
    ServerProcessOptions options;
    options.host = "0.0.0.0";
    options.extraArgs = {"--metrics-public"};
    ServerProcess server(options);
    server.start();
    HttpClient http(server.baseUrl(), std::nullopt);
    const auto open = http.get("/metrics");
    EXPECT_EQ(open.status, 200) << open.describe();
    EXPECT_NO_THROW(parsePromText(open.rawBody));
  }
}

TEST(MetricsFlagsTest, BadEnvironmentOrShortTokenFailsFastNamingTheFlag) {
  using namespace std::chrono_literals;
  const CommandResult env = runServerCommand({"--environment", "prod"}, 10s);
  EXPECT_EQ(env.exitCode, 2);
  EXPECT_NE(env.stderrText.find("--environment"), std::string::npos) << env.stderrText;
  const CommandResult token = runServerCommand({"--metrics-token", "short"}, 10s);
  EXPECT_EQ(token.exitCode, 2);
  EXPECT_NE(token.stderrText.find("--metrics-token"), std::string::npos) << token.stderrText;
}

}  // namespace
}  // namespace spooled::test
