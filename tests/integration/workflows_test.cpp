// Workflows and job dependencies against a real server (both stores: listed in pg.integration):
// a diamond run by SpooledWorkers, dead-lettered parents, graph validation, claimability, the
// wake-up of parked claims, and a 1,000-job fan-out/fan-in whose cost must grow linearly.
#include <algorithm>
#include <chrono>
#include <future>
#include <map>
#include <mutex>

#include "support/worker_fixture.hpp"

namespace spooled::test {
namespace {

using Clock = std::chrono::steady_clock;

json wfJob(const std::string& key, const std::string& queue, std::vector<std::string> dependsOn = {},
           const json& extra = json::object()) {
  json job{{"key", key}, {"queue_name", queue}, {"payload", {{"step", key}}}, {"depends_on", dependsOn}};
  job.update(extra);
  return job;
}

class WorkflowsTest : public WorkerFixture {
 protected:
  // POST /api/v1/workflows; expects 200 and returns key -> job id, and the workflow id in `workflowId`.
  std::map<std::string, std::string> createWorkflow(const json& jobs, std::string& workflowId,
                                                    const std::string& name = "pipeline") {
    const HttpResult r = http_->post("/api/v1/workflows", json{{"name", name}, {"jobs", jobs}});
    expectStatus(r, 200, "create workflow");
    workflowId = r.body.at("workflow_id").get<std::string>();
    std::map<std::string, std::string> ids;
    for (const json& m : r.body.at("job_ids")) ids[m.at("key").get<std::string>()] = m.at("job_id").get<std::string>();
    return ids;
  }

  json workflow(const std::string& id) { return expectStatus(http_->get("/api/v1/workflows/" + id), 200, "get").body; }

  bool waitForWorkflowStatus(const std::string& id, const std::string& status, std::chrono::milliseconds timeout) {
    return waitUntil([&] { return workflow(id).at("status") == status; }, timeout);
  }

  // Claims up to `limit` jobs of `queue` and completes them all in one batched ack; returns the ids.
  std::vector<std::string> claimAndComplete(const std::string& queue, const std::string& worker, int limit) {
    const json claimed = api_->claim(queue, worker, {{"limit", limit}});
    json acks = json::array();
    std::vector<std::string> ids;
    for (const json& job : claimed) {
      ids.push_back(job.at("id").get<std::string>());
      acks.push_back({{"job_id", job.at("id")}, {"lease_id", job.at("lease_id")}, {"status", "completed"}});
    }
    if (!ids.empty())
      expectStatus(http_->post("/api/v1/jobs/ack", json{{"worker_id", worker}, {"acks", acks}}), 200, "ack");
    return ids;
  }
};

TEST_F(WorkflowsTest, ADiamondRunsInDependencyOrderWithRealWorkers) {
  std::string wf;
  const auto ids = createWorkflow(json::array({wfJob("A", "pipe"), wfJob("B", "pipe", {"A"}), wfJob("C", "pipe", {"A"}),
                                               wfJob("D", "pipe", {"B", "C"}, {{"dependency_mode", "all"}})}),
                                  wf);
  ASSERT_EQ(ids.size(), 4u);
  EXPECT_EQ(workflow(wf).at("status"), "pending");

  std::mutex mutex;
  std::map<std::string, std::pair<Clock::time_point, Clock::time_point>> ran;  // step -> (start, end)
  SpooledWorker worker(*client_, fastOptions("pipe"));
  worker.process([&](JobContext& ctx) -> json {
    const auto start = Clock::now();
    std::this_thread::sleep_for(30ms);  // so overlapping steps would show as overlapping
    const std::lock_guard lock(mutex);
    ran[ctx.payload.at("step").get<std::string>()] = {start, Clock::now()};
    return {{"done", ctx.payload.at("step")}};
  });
  worker.start();
  ASSERT_TRUE(waitForWorkflowStatus(wf, "completed", 30s)) << workflow(wf).dump();
  worker.stop();
  ASSERT_TRUE(worker.waitFor(10s));

  const std::lock_guard lock(mutex);
  ASSERT_EQ(ran.size(), 4u);
  EXPECT_LE(ran["A"].second, ran["B"].first);
  EXPECT_LE(ran["A"].second, ran["C"].first);
  EXPECT_LE(ran["B"].second, ran["D"].first);
  EXPECT_LE(ran["C"].second, ran["D"].first);
  const json done = workflow(wf);
  EXPECT_EQ(done.at("completed_jobs"), 4);
  EXPECT_EQ(done.at("failed_jobs"), 0);
  EXPECT_EQ(done.at("progress_percent"), 100.0);
  EXPECT_FALSE(done.at("completed_at").is_null());

  const json deps = expectStatus(http_->get("/api/v1/jobs/" + ids.at("D") + "/dependencies"), 200, "deps").body;
  EXPECT_EQ(deps.at("job_id"), ids.at("D"));
  ASSERT_EQ(deps.at("dependencies").size(), 2u);
  for (const json& d : deps.at("dependencies")) EXPECT_EQ(d.at("status"), "completed");
  EXPECT_TRUE(deps.at("dependencies_met").get<bool>());
  const json jobs = expectStatus(http_->get("/api/v1/workflows/" + wf + "/jobs"), 200, "jobs").body;
  ASSERT_EQ(jobs.size(), 4u);
  EXPECT_EQ(jobs[3].at("key"), "D");
  EXPECT_EQ(jobs[3].at("depends_on").size(), 2u);
}

TEST_F(WorkflowsTest, ADeadLetteredParentCancelsItsDependentsAndTheWorkflowFails) {
  std::string wf;
  const auto ids = createWorkflow(json::array({wfJob("extract", "etl", {}, {{"max_retries", 0}}),
                                               wfJob("transform", "etl", {"extract"}),
                                               wfJob("load", "etl", {"transform"}), wfJob("audit", "side")}),
                                  wf);
  const std::string worker = api_->registerWorker("etl");
  const json claimed = api_->claim("etl", worker, {{"limit", 10}});
  ASSERT_EQ(claimed.size(), 1u) << claimed.dump();
  ASSERT_EQ(claimed[0].at("id"), ids.at("extract"));
  expectStatus(api_->settle("fail", claimed[0], worker, {{"error", "source down"}}), 200, "fail");

  EXPECT_EQ(api_->getJob(ids.at("extract")).at("status"), "deadletter");
  for (const char* key : {"transform", "load"}) {
    const json job = api_->getJob(ids.at(key));
    EXPECT_EQ(job.at("status"), "cancelled") << key;
    EXPECT_NE(job.at("last_error").get<std::string>().find("deadletter"), std::string::npos) << job.dump();
  }
  EXPECT_EQ(workflow(wf).at("status"), "running");  // "audit" still has to run
  ASSERT_EQ(claimAndComplete("side", api_->registerWorker("side"), 10).size(), 1u);
  const json failed = workflow(wf);
  EXPECT_EQ(failed.at("status"), "failed");
  EXPECT_EQ(failed.at("failed_jobs"), 1);
  EXPECT_EQ(failed.at("completed_jobs"), 1);

  // Retry: the failure and what it cancelled wait again, in order.
  const json retried = expectStatus(http_->post("/api/v1/workflows/" + wf + "/retry", json::object()), 200, "retry").body;
  EXPECT_EQ(retried.at("status"), "running");
  EXPECT_EQ(api_->getJob(ids.at("transform")).at("dependencies_met"), false);
  const auto first = claimAndComplete("etl", worker, 10);
  ASSERT_EQ(first, std::vector<std::string>{ids.at("extract")});
  ASSERT_EQ(claimAndComplete("etl", worker, 10), std::vector<std::string>{ids.at("transform")});
  ASSERT_EQ(claimAndComplete("etl", worker, 10), std::vector<std::string>{ids.at("load")});
  EXPECT_EQ(workflow(wf).at("status"), "completed");
}

TEST_F(WorkflowsTest, ACycleOrAnUnknownReferenceIsRefusedByNameAndNothingIsStored) {
  const HttpResult cycle = http_->post(
      "/api/v1/workflows",
      json{{"name", "loop"},
           {"jobs", json::array({wfJob("start", "q"), wfJob("a", "q", {"start", "c"}), wfJob("b", "q", {"a"}),
                                 wfJob("c", "q", {"b"})})}});
  ASSERT_EQ(cycle.status, 400) << cycle.describe();
  const std::string message = cycle.body.at("message").get<std::string>();
  EXPECT_NE(message.find("circular"), std::string::npos) << message;
  for (const char* key : {"a", "b", "c"}) EXPECT_NE(message.find(key), std::string::npos) << message;
  EXPECT_EQ(cycle.body.at("details").at("cycle").size(), 4u) << cycle.body.dump();

  const HttpResult unknown = http_->post(
      "/api/v1/workflows", json{{"name", "typo"}, {"jobs", json::array({wfJob("a", "q"), wfJob("b", "q", {"ghost"})})}});
  ASSERT_EQ(unknown.status, 400) << unknown.describe();
  EXPECT_NE(unknown.body.at("message").get<std::string>().find("'b' depends on unknown job 'ghost'"), std::string::npos)
      << unknown.describe();

  const HttpResult self = http_->post("/api/v1/workflows",
                                      json{{"name", "self"}, {"jobs", json::array({wfJob("a", "q", {"a"})})}});
  ASSERT_EQ(self.status, 400) << self.describe();

  EXPECT_EQ(expectStatus(http_->get("/api/v1/workflows"), 200, "list").body.size(), 0u);
  EXPECT_EQ(api_->countJobs(), 0u);
}

TEST_F(WorkflowsTest, AWaitingJobIsNeverClaimedUntilItsParentCompletes) {
  std::string wf;
  const auto ids = createWorkflow(json::array({wfJob("first", "q"), wfJob("second", "q", {"first"})}), wf);
  const json waiting = api_->getJob(ids.at("second"));
  EXPECT_EQ(waiting.at("status"), "pending");
  EXPECT_EQ(waiting.at("dependencies_met"), false);
  EXPECT_EQ(waiting.at("workflow_id"), wf);

  const std::string worker = api_->registerWorker("q");
  const json claimed = api_->claim("q", worker, {{"limit", 10}});
  ASSERT_EQ(claimed.size(), 1u);
  EXPECT_EQ(claimed[0].at("id"), ids.at("first"));
  EXPECT_EQ(api_->claim("q", worker, {{"limit", 10}}).size(), 0u);
  EXPECT_EQ(workflow(wf).at("status"), "running");

  expectStatus(api_->settle("complete", claimed[0], worker), 200, "complete");
  EXPECT_EQ(api_->getJob(ids.at("second")).at("dependencies_met"), true);
  const json next = api_->claim("q", worker, {{"limit", 10}});
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].at("id"), ids.at("second"));
}

// The once-a-second probe of parked claims would also find the job, within a second; the release
// announces it at once. Three rounds, each well under the probe's period.
TEST_F(WorkflowsTest, AParkedClaimWakesAsSoonAsTheParentCompletes) {
  const std::string parentWorker = api_->registerWorker("first");
  const std::string childWorker = api_->registerWorker("second");
  for (int round = 0; round < 3; ++round) {
    std::string wf;
    const auto ids = createWorkflow(json::array({wfJob("p", "first"), wfJob("c", "second", {"p"})}), wf);
    const json parent = api_->claim("first", parentWorker);
    ASSERT_EQ(parent.size(), 1u);
    auto parked = std::async(std::launch::async, [&] {
      HttpClient client(server_.baseUrl(), server_.apiKey());
      return client.post("/api/v1/jobs/claim",
                         json{{"queue_name", "second"}, {"worker_id", childWorker}, {"wait_ms", 20000}});
    });
    // Let the claim park (if it has not, it finds the job at once, which the test accepts too).
    std::this_thread::sleep_for(300ms);
    expectStatus(api_->settle("complete", parent[0], parentWorker), 200, "complete");
    const auto completedAt = Clock::now();
    ASSERT_EQ(parked.wait_for(10s), std::future_status::ready);
    const auto latency = Clock::now() - completedAt;
    const HttpResult r = parked.get();
    expectStatus(r, 200, "parked claim");
    ASSERT_EQ(r.body.at("jobs").size(), 1u) << r.describe();
    EXPECT_EQ(r.body.at("jobs")[0].at("id"), ids.at("c"));
    EXPECT_LT(std::chrono::duration_cast<std::chrono::milliseconds>(latency).count(), 250) << "round " << round;
  }
}

// Root -> (n - 2) middle jobs -> sink. Returns the seconds taken to create and complete it all.
double fanOutFanIn(HttpClient& http, ApiSteps& api, int n, const std::string& queue) {
  json jobs = json::array({wfJob("root", queue)});
  std::vector<std::string> middle;
  for (int i = 0; i < n - 2; ++i) {
    middle.push_back("m" + std::to_string(i));
    jobs.push_back(wfJob(middle.back(), queue, {"root"}));
  }
  jobs.push_back(wfJob("sink", queue, middle));
  const auto start = Clock::now();
  const HttpResult created = http.post("/api/v1/workflows", json{{"name", "fan " + queue}, {"jobs", jobs}});
  expectStatus(created, 200, "create fan-out");
  const std::string wf = created.body.at("workflow_id").get<std::string>();
  const std::string worker = api.registerWorker(queue);
  int done = 0;
  for (int rounds = 0; done < n && rounds < 4 * n; ++rounds) {
    const json claimed = api.claim(queue, worker, {{"limit", 100}});
    if (claimed.empty()) break;
    json acks = json::array();
    for (const json& job : claimed)
      acks.push_back({{"job_id", job.at("id")}, {"lease_id", job.at("lease_id")}, {"status", "completed"}});
    expectStatus(http.post("/api/v1/jobs/ack", json{{"worker_id", worker}, {"acks", acks}}), 200, "ack");
    done += static_cast<int>(claimed.size());
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  EXPECT_EQ(done, n);
  const json w = expectStatus(http.get("/api/v1/workflows/" + wf), 200, "get").body;
  EXPECT_EQ(w.at("status"), "completed") << w.dump();
  EXPECT_EQ(w.at("completed_jobs"), n);
  return seconds;
}

TEST_F(WorkflowsTest, AThousandJobFanOutAndFanInCostsLinearTime) {
  const double small = fanOutFanIn(*http_, *api_, 200, "fan-small");
  const double large = fanOutFanIn(*http_, *api_, 1000, "fan-large");
  std::cout << "fan-out/fan-in: 200 jobs " << small << " s, 1000 jobs " << large << " s\n";
  // Five times the jobs: linear work takes about five times as long; quadratic work (each completion
  // re-reading every parent of the sink) about twenty-five. The floor keeps noise on a tiny
  // measurement from deciding the ratio.
  EXPECT_LT(large, 12.0 * std::max(small, 0.15));
  EXPECT_LT(large, 30.0);
}

}  // namespace
}  // namespace spooled::test
