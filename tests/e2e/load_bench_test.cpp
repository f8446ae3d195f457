// spooled-bench runs: tiny versions of each command against a server it starts itself, checking the
// JSON it prints has the documented figures (their values are the benchmark's business, not a test's,
// except that every job it enqueued was done).
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "spooled/json.hpp"
#include "support/child_process.hpp"

namespace spooled::test {
namespace {

using namespace std::chrono_literals;

// Runs spooled-bench with `args` plus --json; returns the JSON object it printed last.
json runBench(std::vector<std::string> args) {
  const std::string path = std::string(SPOOLED_BINARY_DIR) + "/bin/spooled-bench";
  if (!std::filesystem::exists(path)) {
    ADD_FAILURE() << path << " is missing: build the target spooled-bench first";
    return json::object();
  }
  args.insert(args.begin(), path);
  args.emplace_back("--json");
  ChildProcess bench(args);
  const std::optional<int> code = bench.waitExit(120s);
  EXPECT_TRUE(code.has_value()) << "still running after 120 s:\n" << bench.output();
  EXPECT_EQ(code.value_or(-1), 0) << bench.output();
  std::istringstream lines(bench.output());
  std::string line;
  std::string last;
  while (std::getline(lines, line)) {
    if (line.starts_with("{")) last = line;
  }
  EXPECT_FALSE(last.empty()) << "no JSON object in the output:\n" << bench.output();
  return last.empty() ? json::object() : json::parse(last);
}

void expectLatencyObject(const json& report, const std::string& key) {
  ASSERT_TRUE(report.contains(key)) << report.dump(2);
  for (const char* percentile : {"p50", "p95", "p99"}) {
    EXPECT_TRUE(report[key].contains(percentile) && report[key][percentile].is_number())
        << key << "." << percentile << " missing in " << report.dump(2);
  }
}

TEST(LoadBenchTest, BurndownEnqueuesAndDrainsEveryJob) {
  const json report = runBench({"burndown", "--jobs", "200", "--workers", "2", "--concurrency", "4"});
  EXPECT_GT(report.value("enqueue_jobs_per_sec", 0.0), 0) << report.dump(2);
  EXPECT_GT(report.value("drain_jobs_per_sec", 0.0), 0) << report.dump(2);
  EXPECT_EQ(report.value("completed", 0), 200) << report.dump(2);
}

TEST(LoadBenchTest, BurndownWithTheOfficialApiOnlyDrainsEveryJob) {
  const json report = runBench({"burndown", "--jobs", "200", "--workers", "2", "--concurrency", "4", "--official-api"});
  EXPECT_TRUE(report.value("official_api", false)) << report.dump(2);
  EXPECT_GT(report.value("drain_jobs_per_sec", 0.0), 0) << report.dump(2);
  EXPECT_EQ(report.value("completed", 0), 200) << report.dump(2);
}

TEST(LoadBenchTest, SteadyReportsStartAndCompleteLatencyOfEveryJob) {
  const json report = runBench({"steady", "--rate", "100", "--seconds", "2"});
  expectLatencyObject(report, "start_latency_ms");
  expectLatencyObject(report, "complete_latency_ms");
  EXPECT_EQ(report.value("enqueued", 0), 200) << report.dump(2);
  EXPECT_EQ(report.value("completed", 0), 200) << report.dump(2);
}

TEST(LoadBenchTest, DepthReportsClaimLatencyAndServerMemoryPerLevel) {
  const json report = runBench({"depth", "--levels", "100,1000", "--claims", "20"});
  ASSERT_TRUE(report.contains("levels") && report["levels"].size() == 2) << report.dump(2);
  for (const json& level : report["levels"]) {
    expectLatencyObject(level, "claim_latency_ms");
    EXPECT_GT(level.value("server_rss_mb", 0.0), 0) << level.dump(2);
  }
  EXPECT_EQ(report.value("largest_pending", 0), 1000);
}

TEST(LoadBenchTest, LongpollParksClaimsAndTimesAGetMeanwhile) {
  const json report = runBench({"longpoll", "--waiters", "20", "--wait-ms", "10000", "--probes", "50"});
  EXPECT_EQ(report.value("sent", 0), 20) << report.dump(2);
  EXPECT_GT(report.value("parked", 0), 0) << report.dump(2);
  EXPECT_EQ(report.value("parked", 0) + report.value("answered_early", 0) + report.value("connection_errors", 0), 20);
  EXPECT_TRUE(report["server_rss_parked_mb"].is_number()) << report.dump(2);
  expectLatencyObject(report, "get_latency_parked_ms");
}

}  // namespace
}  // namespace spooled::test
