// GET /api/v1/dashboard against a real server: the numbers are the ones the test produced, the
// shape is the official DashboardData, and an organization sees only its own numbers.
#include "common/ids.hpp"
#include "common/time.hpp"
#include "server/auth/bootstrap.hpp"
#include "server/store/store.hpp"
#include "support/server_test.hpp"

namespace spooled::test {
namespace {

using namespace std::chrono_literals;

class DashboardTest : public ServerTest {
 protected:
  json dashboard() {
    const auto r = http_->get("/api/v1/dashboard");
    expectStatus(r, 200, "GET /api/v1/dashboard");
    return r.body;
  }

  // Creates n jobs on queue; returns their ids.
  std::vector<std::string> createJobs(const std::string& queue, int n) {
    std::vector<std::string> ids;
    for (int i = 0; i < n; ++i) ids.push_back(api_->createJob(queue, {{"max_retries", 2}}));
    return ids;
  }
};

json queueNamed(const json& queues, const std::string& name) {
  for (const json& q : queues)
    if (q["name"] == name) return q;
  return nullptr;
}

TEST_F(DashboardTest, CountsWhatHappenedToTheOrganizationsJobs) {
  createJobs("emails", 6);
  createJobs("reports", 2);
  const std::string worker = api_->registerWorker("emails");
  const json claimed = api_->claim("emails", worker, {{"limit", 4}});
  ASSERT_EQ(claimed.size(), 4u);
  expectStatus(api_->settle("complete", claimed[0], worker, {{"result", {{"ok", true}}}}), 200, "complete");
  expectStatus(api_->settle("complete", claimed[1], worker), 200, "complete");
  expectStatus(api_->settle("fail", claimed[2], worker, {{"error", "boom"}, {"retryable", false}}), 200, "fail");
  // claimed[3] stays with the worker.

  const json d = dashboard();
  const json& jobs = d["jobs"];
  EXPECT_EQ(jobs["total"], 8);
  EXPECT_EQ(jobs["pending"], 4);  // 2 emails + 2 reports
  EXPECT_EQ(jobs["processing"], 1);
  EXPECT_EQ(jobs["completed_24h"], 2);
  EXPECT_EQ(jobs["failed_24h"], 1);
  EXPECT_EQ(jobs["deadletter"], 1);
  EXPECT_TRUE(jobs["avg_wait_time_ms"].is_number()) << jobs.dump();
  EXPECT_GE(jobs["avg_wait_time_ms"].get<double>(), 0);
  EXPECT_TRUE(jobs["avg_processing_time_ms"].is_number()) << jobs.dump();
  EXPECT_GE(jobs["avg_processing_time_ms"].get<double>(), 0);

  ASSERT_TRUE(d["queues"].is_array());
  EXPECT_EQ(d["queues"].size(), 2u);
  EXPECT_EQ(queueNamed(d["queues"], "emails"),
            (json{{"name", "emails"}, {"pending", 2}, {"processing", 1}, {"paused", false}}));
  EXPECT_EQ(queueNamed(d["queues"], "reports"),
            (json{{"name", "reports"}, {"pending", 2}, {"processing", 0}, {"paused", false}}));

  EXPECT_EQ(d["workers"], (json{{"total", 1}, {"healthy", 1}, {"unhealthy", 0}}));
  EXPECT_EQ(d["recent_activity"], (json{{"jobs_created_1h", 8}, {"jobs_completed_1h", 2}, {"jobs_failed_1h", 1}}));
}

TEST_F(DashboardTest, EmptyOrganizationHasZerosAndNullAverages) {
  const json d = dashboard();
  for (const char* section : {"system", "jobs", "queues", "workers", "recent_activity"})
    EXPECT_TRUE(d.contains(section)) << section;
  EXPECT_EQ(d["jobs"], (json{{"total", 0},
                             {"pending", 0},
                             {"processing", 0},
                             {"completed_24h", 0},
                             {"failed_24h", 0},
                             {"deadletter", 0},
                             {"avg_wait_time_ms", nullptr},
                             {"avg_processing_time_ms", nullptr}}));
  EXPECT_EQ(d["queues"], json::array());
  EXPECT_EQ(d["workers"], (json{{"total", 0}, {"healthy", 0}, {"unhealthy", 0}}));
}

TEST_F(DashboardTest, SystemDescribesThisServer) {
  const TimePoint before = nowMs();
  const json system = dashboard()["system"];
  EXPECT_EQ(system["version"], SPOOLED_VERSION);
  EXPECT_EQ(system["database_status"], "healthy");
  EXPECT_EQ(system["cache_status"], "healthy");
  EXPECT_EQ(system["environment"], "production");
  ASSERT_TRUE(system["uptime_seconds"].is_number_integer()) << system.dump();
  EXPECT_GE(system["uptime_seconds"].get<long long>(), 0);
  // The server started before this test asked, and not long before.
  const auto started = parseIso8601(system["started_at"].get<std::string>());
  ASSERT_TRUE(started) << system.dump();
  EXPECT_LE(*started, before);
  EXPECT_GT(*started, before - 60s);
}

TEST_F(DashboardTest, WorkersThatReportTroubleAreUnhealthyAndStoppedOnesAreGone) {
  api_->registerWorker("a");
  const std::string troubled = api_->registerWorker("a");
  const std::string stopped = api_->registerWorker("a");
  expectStatus(http_->post("/api/v1/workers/" + troubled + "/heartbeat", {{"current_jobs", 0}, {"status", "degraded"}}),
               200, "heartbeat");
  expectStatus(http_->request("POST", "/api/v1/workers/" + stopped + "/deregister"), 204, "deregister");
  EXPECT_EQ(dashboard()["workers"], (json{{"total", 2}, {"healthy", 1}, {"unhealthy", 1}}));
}

TEST_F(DashboardTest, NeedsAnApiKey) {
  http_->setApiKey(std::nullopt);
  EXPECT_EQ(http_->get("/api/v1/dashboard").status, 401);
  http_->setApiKey("sk_test_not_a_key_of_this_server");
  EXPECT_EQ(http_->get("/api/v1/dashboard").status, 401);
}

TEST_F(DashboardTest, ShowsOnlyTheCallersOrganizationAndPausedQueues) {
  createJobs("mine", 3);
  ASSERT_EQ(server_.stop(), 0);
  // A second organization with a job of its own, and a paused queue of ours, written while the
  // server is down.
  const std::string otherKey = "sk_test_dashboard_other_org_0123";
  {
    auto store = server::openStore(server_.databaseUrl());
    store->writeNow([&](server::StoreTx& tx) {
      const auto other = server::ensureOrganization(tx, "other", "Other");
      server::insertApiKey(tx, other.id, otherKey, "test");
      server::JobRecord job;
      job.id = newUuid();
      job.orgId = other.id;
      job.queueName = "theirs";
      job.createdAt = job.updatedAt = nowMs();
      tx.insertJob(job);
      const auto mine = tx.findApiKeyByHash(sha256Hex(server_.apiKey()));
      ASSERT_TRUE(mine.has_value());
      server::QueueRecord paused;
      paused.id = newUuid();
      paused.orgId = mine->orgId;
      paused.queueName = "mine";
      paused.paused = true;
      paused.createdAt = paused.updatedAt = nowMs();
      tx.upsertQueue(paused);
    });
  }
  server_.restart();

  const json d = dashboard();
  EXPECT_EQ(d["jobs"]["total"], 3);
  EXPECT_EQ(d["recent_activity"]["jobs_created_1h"], 3);
  EXPECT_EQ(d["queues"], (json::array({{{"name", "mine"}, {"pending", 3}, {"processing", 0}, {"paused", true}}})));

  HttpClient other(server_.baseUrl(), otherKey);
  const auto theirs = other.get("/api/v1/dashboard");
  ASSERT_EQ(theirs.status, 200) << theirs.describe();
  EXPECT_EQ(theirs.body["jobs"]["total"], 1);
  EXPECT_EQ(theirs.body["queues"].size(), 1u);
  EXPECT_EQ(theirs.body["queues"][0]["name"], "theirs");
}

TEST(DashboardEnvironmentTest, EnvironmentFlagIsReported) {
  ServerProcessOptions options;
  options.extraArgs = {"--environment", "staging"};
  ServerProcess server(options);
  server.start();
  HttpClient http(server.baseUrl(), server.apiKey());
  const auto r = http.get("/api/v1/dashboard");
  ASSERT_EQ(r.status, 200) << r.describe();
  EXPECT_EQ(r.body["system"]["environment"], "staging");
}

}  // namespace
}  // namespace spooled::test
