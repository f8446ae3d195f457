// MetricsRegistry's text output, as Prometheus reads it: well-formed lines, one HELP and TYPE per
// family, escaped label values, cumulative histogram buckets ending in +Inf, _sum and _count; and the
// counters job events and requests move.
#include "server/core/metrics_registry.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <thread>

#include "support/prometheus_text.hpp"

using namespace std::chrono_literals;
using spooled::test::parsePromText;
using spooled::test::PromText;

namespace spooled::server {
namespace {

JobEvent event(JobEvent::Kind kind, const std::string& queue,
               std::optional<std::chrono::milliseconds> took = std::nullopt) {
  return JobEvent{kind, "org-1", queue, "job-id", took};
}

TEST(MetricsRegistryTest, EveryFamilyHasHelpAndTypeEvenBeforeAnySample) {
  const MetricsRegistry registry;
  const PromText text = parsePromText(registry.render());
  for (const char* counter : {"spooled_jobs_enqueued_total", "spooled_jobs_completed_total", "spooled_jobs_failed_total",
                              "spooled_jobs_deadlettered_total", "spooled_api_requests_total"}) {
    EXPECT_EQ(text.types.at(counter), "counter") << counter;
    EXPECT_FALSE(text.helps.at(counter).empty()) << counter;
  }
  EXPECT_EQ(text.types.at("spooled_job_duration_seconds"), "histogram");
  EXPECT_EQ(text.types.at("spooled_api_request_duration_seconds"), "histogram");
  EXPECT_TRUE(text.samples.empty());
}

TEST(MetricsRegistryTest, JobEventsCountByOrganizationAndQueue) {
  MetricsRegistry registry;
  for (int i = 0; i < 3; ++i) registry.onJobEvent(event(JobEvent::Kind::Created, "emails"));
  registry.onJobEvent(event(JobEvent::Kind::Created, "reports"));
  registry.onJobEvent(event(JobEvent::Kind::Claimed, "emails"));
  registry.onJobEvent(event(JobEvent::Kind::Completed, "emails", 20ms));
  registry.onJobEvent(event(JobEvent::Kind::Failed, "emails", 30ms));
  registry.onJobEvent(event(JobEvent::Kind::DeadLettered, "emails", 40ms));
  registry.onJobEvent(event(JobEvent::Kind::Cancelled, "reports"));

  const PromText text = parsePromText(registry.render());
  const std::map<std::string, std::string> emails = {{"organization_id", "org-1"}, {"queue", "emails"}};
  EXPECT_EQ(text.value("spooled_jobs_enqueued_total", emails), 3);
  EXPECT_EQ(text.value("spooled_jobs_enqueued_total", {{"queue", "reports"}}), 1);
  EXPECT_EQ(text.value("spooled_jobs_claimed_total", emails), 1);
  EXPECT_EQ(text.value("spooled_jobs_completed_total", emails), 1);
  // A dead-lettered job's last attempt failed too: failed counts both, retried and DLQ one each.
  EXPECT_EQ(text.value("spooled_jobs_failed_total", emails), 2);
  EXPECT_EQ(text.value("spooled_jobs_retried_total", emails), 1);
  EXPECT_EQ(text.value("spooled_jobs_deadlettered_total", emails), 1);
  EXPECT_EQ(text.value("spooled_jobs_cancelled_total", {{"queue", "reports"}}), 1);
  // Three finished attempts had a processing time; the cancel did not count as one.
  EXPECT_EQ(text.value("spooled_job_duration_seconds_count", emails), 3);
  EXPECT_NEAR(*text.value("spooled_job_duration_seconds_sum", emails), 0.09, 1e-9);
  EXPECT_FALSE(text.value("spooled_job_duration_seconds_count", {{"queue", "reports"}}));
}

TEST(MetricsRegistryTest, HistogramBucketsAreCumulativeAndEndWithInf) {
  MetricsRegistry registry({0.1, 1, 10}, {0.5});
  for (const auto took : {5ms, 50ms, 100ms, 700ms, 2000ms, 60000ms})
    registry.onJobEvent(event(JobEvent::Kind::Completed, "q", took));

  const PromText text = parsePromText(registry.render());
  const auto buckets = text.select("spooled_job_duration_seconds_bucket", {{"queue", "q"}});
  ASSERT_EQ(buckets.size(), 4u);
  EXPECT_EQ(buckets[0].labels.at("le"), "0.1");
  EXPECT_EQ(buckets[0].value, 3);  // 5 ms, 50 ms and exactly 100 ms (le means <=)
  EXPECT_EQ(buckets[1].labels.at("le"), "1");
  EXPECT_EQ(buckets[1].value, 4);
  EXPECT_EQ(buckets[2].labels.at("le"), "10");
  EXPECT_EQ(buckets[2].value, 5);
  EXPECT_EQ(buckets[3].labels.at("le"), "+Inf");
  EXPECT_EQ(buckets[3].value, 6);  // the 60 s attempt is above every finite bound
  EXPECT_EQ(text.value("spooled_job_duration_seconds_count", {{"queue", "q"}}), 6);
  EXPECT_NEAR(*text.value("spooled_job_duration_seconds_sum", {{"queue", "q"}}), 62.855, 1e-9);
}

TEST(MetricsRegistryTest, RequestsCountByMethodRoutePatternAndStatus) {
  MetricsRegistry registry;
  registry.recordRequest("GET", "/api/v1/jobs/{id}", 200, 3ms);
  registry.recordRequest("GET", "/api/v1/jobs/{id}", 200, 4ms);
  registry.recordRequest("GET", "/api/v1/jobs/{id}", 404, 1ms);
  registry.recordRequest("BREW", "", 404, 1ms);  // unknown method, no route

  const PromText text = parsePromText(registry.render());
  EXPECT_EQ(text.value("spooled_api_requests_total",
                       {{"method", "GET"}, {"route", "/api/v1/jobs/{id}"}, {"status", "200"}}),
            2);
  EXPECT_EQ(text.value("spooled_api_requests_total", {{"route", "/api/v1/jobs/{id}"}, {"status", "404"}}), 1);
  // Neither arbitrary methods nor unmatched paths can add series beyond these.
  EXPECT_EQ(text.value("spooled_api_requests_total", {{"method", "OTHER"}, {"route", "(unmatched)"}}), 1);
  // Latency is by method and route, across statuses.
  EXPECT_EQ(text.value("spooled_api_request_duration_seconds_count", {{"method", "GET"}, {"route", "/api/v1/jobs/{id}"}}),
            3);
  EXPECT_EQ(text.value("spooled_api_request_duration_seconds_bucket",
                       {{"method", "GET"}, {"route", "/api/v1/jobs/{id}"}, {"le", "0.005"}}),
            3);
}

TEST(MetricsRegistryTest, LabelValuesAndHelpAreEscaped) {
  MetricsRegistry registry;
  const std::string tricky = "a\"b\\c\nd";
  registry.onJobEvent(event(JobEvent::Kind::Created, tricky));
  const std::string out = registry.render({ScrapeGauge{"test_gauge", "help with \\ and\nnewline",
                                                       {GaugeSample{{{"name", tricky}}, 2.5}}}});

  EXPECT_NE(out.find(R"(queue="a\"b\\c\nd")"), std::string::npos) << out;
  EXPECT_NE(out.find("# HELP test_gauge help with \\\\ and\\nnewline\n"), std::string::npos) << out;
  // Read back, the escaped values are the original ones.
  const PromText text = parsePromText(out);
  EXPECT_EQ(text.value("spooled_jobs_enqueued_total", {{"queue", tricky}}), 1);
  EXPECT_EQ(text.value("test_gauge", {{"name", tricky}}), 2.5);
  EXPECT_EQ(text.types.at("test_gauge"), "gauge");
}

TEST(MetricsRegistryTest, ValuesAreFormattedAsPrometheusReadsThem) {
  EXPECT_EQ(metrics_text::formatValue(1), "1");
  EXPECT_EQ(metrics_text::formatValue(0.005), "0.005");
  EXPECT_EQ(metrics_text::formatValue(1234567), "1234567");
  EXPECT_EQ(metrics_text::formatValue(INFINITY), "+Inf");
  EXPECT_EQ(metrics_text::formatValue(-INFINITY), "-Inf");
  EXPECT_EQ(metrics_text::formatValue(NAN), "NaN");
  EXPECT_EQ(metrics_text::formatLabels({}), "");
  EXPECT_EQ(metrics_text::formatLabels({{"a", "1"}, {"b", "x"}}), R"({a="1",b="x"})");
}

TEST(MetricsRegistryTest, ConcurrentRecordsAreAllCounted) {
  MetricsRegistry registry;
  constexpr int kThreads = 8;
  constexpr int kEach = 2000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&registry, t] {
      for (int i = 0; i < kEach; ++i) {
        registry.recordRequest("POST", "/api/v1/jobs", 201, 1ms);
        registry.onJobEvent(event(JobEvent::Kind::Created, t % 2 == 0 ? "even" : "odd"));
        if (i % 500 == 0) (void)registry.render();  // scrapes race with updates
      }
    });
  }
  for (auto& th : threads) th.join();
  const PromText text = parsePromText(registry.render());
  EXPECT_EQ(text.value("spooled_api_requests_total", {{"route", "/api/v1/jobs"}}), kThreads * kEach);
  EXPECT_EQ(text.sum("spooled_jobs_enqueued_total"), kThreads * kEach);
}

TEST(MetricsRegistryTest, QueueSeriesAreCappedAndTheRestAddUpUnderOther) {
  // 93,000 queues took a scrape to 83 MB; whatever clients create, the job families keep their
  // series for the first pairs only and the rest add up under "_other".
  MetricsRegistry registry;
  constexpr int kQueues = 20000;
  for (int i = 0; i < kQueues; ++i) {
    const std::string queue = "q" + std::to_string(i);
    registry.onJobEvent(JobEvent{JobEvent::Kind::Created, "org-" + std::to_string(i % 7), queue, "id", std::nullopt});
    registry.onJobEvent(JobEvent{JobEvent::Kind::Completed, "org-" + std::to_string(i % 7), queue, "id", 20ms});
  }
  const std::string rendered = registry.render();
  const PromText text = parsePromText(rendered);
  const std::size_t cap = MetricsRegistry::kDefaultMaxQueueSeries;
  EXPECT_EQ(text.select("spooled_jobs_enqueued_total").size(), cap + 1);
  EXPECT_EQ(text.select("spooled_job_duration_seconds_count").size(), cap + 1);
  // Nothing is lost: the totals still add up, the overflow is visible as such.
  EXPECT_EQ(text.sum("spooled_jobs_enqueued_total"), kQueues);
  EXPECT_EQ(text.sum("spooled_jobs_completed_total"), kQueues);
  EXPECT_EQ(text.value("spooled_jobs_enqueued_total", {{"organization_id", "_other"}, {"queue", "_other"}}),
            kQueues - static_cast<double>(cap));
  // A pair admitted before the cap keeps counting under its own labels.
  registry.onJobEvent(JobEvent{JobEvent::Kind::Created, "org-0", "q0", "id", std::nullopt});
  EXPECT_EQ(parsePromText(registry.render()).value("spooled_jobs_enqueued_total", {{"queue", "q0"}}), 2);
  // The text stays in the hundreds of kilobytes, not tens of megabytes.
  EXPECT_LT(rendered.size(), 2u * 1024 * 1024) << rendered.size();
}

TEST(MetricsRegistryTest, TheQueueSeriesCapIsConfigurable) {
  MetricsRegistry registry;
  registry.setMaxQueueSeries(2);
  for (const char* queue : {"a", "b", "c", "d"}) registry.onJobEvent(event(JobEvent::Kind::Created, queue));
  const PromText text = parsePromText(registry.render());
  EXPECT_EQ(text.select("spooled_jobs_enqueued_total").size(), 3u);
  EXPECT_EQ(text.value("spooled_jobs_enqueued_total", {{"queue", "_other"}}), 2);
}

}  // namespace
}  // namespace spooled::server
