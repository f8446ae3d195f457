// GET /metrics stays small however many queues clients create: 93,000 queues once made one scrape
// 83 MB and eight concurrent scrapes took the server to 2.3 GB. Per-queue series are capped
// (--metrics-max-queue-series; the rest add up under "_other", so totals stay right), and concurrent
// scrapes share one rendering.
#include <gtest/gtest.h>

#include <fstream>
#include <future>
#include <set>

#include "common/ids.hpp"
#include "common/time.hpp"
#include "server/store/store.hpp"
#include "support/http_client.hpp"
#include "support/prometheus_text.hpp"
#include "support/server_process.hpp"

namespace spooled::test {
namespace {

// Distinct (organization_id, queue) pairs among the samples of one family.
std::size_t queuePairs(const PromText& text, const std::string& name) {
  std::set<std::pair<std::string, std::string>> pairs;
  for (const PromSample& s : text.select(name)) pairs.emplace(s.labels.at("organization_id"), s.labels.at("queue"));
  return pairs.size();
}

// The peak resident memory of a process, in MiB (VmHWM).
long peakRssMiB(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);)
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6)) / 1024;
  return -1;
}

TEST(MetricsBoundsTest, TwentyThousandQueuesMakeASmallScrapeAndConcurrentScrapesCostLittleMemory) {
  constexpr int kQueues = 20000;
  constexpr int kDefaultSeries = 500;
  ServerProcess server;
  server.start();
  ASSERT_EQ(server.stop(), 0);
  {
    // Written straight into the database: far more queues than any limit lets one organization make.
    auto store = server::openStore(server.databaseUrl());
    store->writeNow([&](server::StoreTx& tx) {
      for (int i = 0; i < kQueues; ++i) {
        server::JobRecord job;
        job.id = newUuid();
        job.orgId = "org-" + std::to_string(i % 10);
        job.queueName = "queue-" + std::to_string(i);
        job.createdAt = job.updatedAt = nowMs();
        tx.insertJob(job);
      }
    });
  }
  server.restart();
  HttpClient http(server.baseUrl(), std::nullopt);
  const HttpResult r = http.get("/metrics");
  ASSERT_EQ(r.status, 200) << r.describe();
  const PromText text = parsePromText(r.rawBody);
  EXPECT_EQ(queuePairs(text, "spooled_queue_jobs"), static_cast<std::size_t>(kDefaultSeries + 1));
  EXPECT_EQ(text.value("spooled_queue_jobs_other_queues"), kQueues - kDefaultSeries);
  EXPECT_EQ(text.sum("spooled_queue_jobs"), kQueues);  // nothing is lost by adding up
  EXPECT_EQ(text.value("spooled_jobs_pending"), kQueues);
  // About 0.5 MB; one series per queue and status would be about 20 MB.
  EXPECT_LT(r.rawBody.size(), 1024u * 1024) << r.rawBody.size();

  // Eight scrapes at once, twice: each answers in full, and the server's peak memory stays modest.
  for (int round = 0; round < 2; ++round) {
    std::vector<std::future<HttpResult>> scrapes;
    for (int i = 0; i < 8; ++i)
      scrapes.push_back(std::async(std::launch::async, [&] { return HttpClient(server.baseUrl(), std::nullopt).get("/metrics"); }));
    for (auto& scrape : scrapes) {
      const HttpResult s = scrape.get();
      EXPECT_EQ(s.status, 200) << s.describe();
      EXPECT_LT(s.rawBody.size(), 1024u * 1024);
    }
  }
  const long peak = peakRssMiB(server.pid());
  std::cout << "peak RSS after 17 scrapes of " << kQueues << " queues: " << peak << " MiB; scrape "
            << r.rawBody.size() << " bytes\n";
  EXPECT_GT(peak, 0);
  EXPECT_LT(peak, 200) << "MiB";
}

TEST(MetricsBoundsTest, CountersOfQueuesBeyondTheCapAddUpUnderOther) {
  ServerProcessOptions options;
  options.extraArgs = {"--metrics-max-queue-series", "20", "--log-level", "warn"};
  ServerProcess server(options);
  server.start();
  HttpClient http(server.baseUrl(), server.apiKey());
  constexpr int kQueues = 60;
  for (int i = 0; i < kQueues; ++i) {
    const HttpResult created = http.post("/api/v1/jobs", {{"queue_name", "q" + std::to_string(i)}, {"payload", json::object()}});
    ASSERT_EQ(created.status, 201) << created.describe();
  }
  const HttpResult r = http.get("/metrics");
  ASSERT_EQ(r.status, 200) << r.describe();
  const PromText text = parsePromText(r.rawBody);
  EXPECT_EQ(queuePairs(text, "spooled_jobs_enqueued_total"), 21u);
  EXPECT_EQ(text.sum("spooled_jobs_enqueued_total"), kQueues);
  EXPECT_EQ(text.value("spooled_jobs_enqueued_total", {{"queue", "_other"}}), kQueues - 20);
  EXPECT_EQ(queuePairs(text, "spooled_queue_jobs"), 21u);
  EXPECT_EQ(text.value("spooled_queue_jobs_other_queues"), kQueues - 20);
}

TEST(MetricsBoundsTest, OutOfRangeSeriesCapFailsFastNamingTheFlag) {
  using namespace std::chrono_literals;
  const CommandResult r = runServerCommand({"--metrics-max-queue-series", "0"}, 10s);
  EXPECT_EQ(r.exitCode, 2);
  EXPECT_NE(r.stderrText.find("--metrics-max-queue-series"), std::string::npos) << r.stderrText;
}

}  // namespace
}  // namespace spooled::test
