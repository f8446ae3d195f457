// A job's life over HTTP against a real server: create, claim, heartbeat, progress, complete, cancel,
// ordering, scheduling, expiry and idempotency.
#include <thread>

#include "common/time.hpp"
#include "support/server_test.hpp"

namespace spooled::test {
namespace {

using namespace std::chrono_literals;

class JobLifecycleTest : public ServerTest {};

TEST_F(JobLifecycleTest, CreateClaimHeartbeatCompleteShowsResult) {
  const auto created = http_->post("/api/v1/jobs", {{"queue_name", "emails"}, {"payload", {{"to", "a@b.c"}}}});
  ASSERT_EQ(created.status, 201) << created.describe();
  EXPECT_EQ(created.body["created"], true);
  const std::string id = created.body["id"];

  const json pending = api_->getJob(id);
  EXPECT_EQ(pending["status"], "pending");
  EXPECT_EQ(pending["priority"], 0);
  EXPECT_EQ(pending["max_retries"], 3);
  EXPECT_EQ(pending["timeout_seconds"], 300);
  EXPECT_TRUE(pending["completed_at"].is_null());

  const std::string worker = api_->registerWorker("emails");
  const json jobs = api_->claim("emails", worker, {{"lease_duration_secs", 60}});
  ASSERT_EQ(jobs.size(), 1u);
  const json job = jobs[0];
  EXPECT_EQ(job["id"], id);
  EXPECT_EQ(job["payload"]["to"], "a@b.c");
  EXPECT_TRUE(job["lease_id"].is_string());
  EXPECT_TRUE(parseIso8601(job["lease_expires_at"].get<std::string>()).has_value());
  EXPECT_EQ(api_->getJob(id)["status"], "processing");

  const auto beat = api_->settle("heartbeat", job, worker, {{"lease_duration_secs", 120}});
  ASSERT_EQ(beat.status, 200) << beat.describe();
  EXPECT_EQ(beat.body["success"], true);

  const auto done = api_->settle("complete", job, worker, {{"result", {{"sent", true}}}});
  ASSERT_EQ(done.status, 200) << done.describe();
  EXPECT_EQ(done.body["success"], true);

  const json completed = api_->getJob(id);
  EXPECT_EQ(completed["status"], "completed");
  EXPECT_EQ(completed["result"]["sent"], true);
  EXPECT_TRUE(parseIso8601(completed["completed_at"].get<std::string>()).has_value());
  EXPECT_TRUE(completed["lease_id"].is_null());
  EXPECT_EQ(completed["assigned_worker_id"], worker);
}

TEST_F(JobLifecycleTest, ClaimTakesHighestPriorityThenOldest) {
  const std::string low = api_->createJob("ordered", {{"priority", -5}});
  const std::string oldHigh = api_->createJob("ordered", {{"priority", 10}});
  const std::string newHigh = api_->createJob("ordered", {{"priority", 10}});
  const std::string mid = api_->createJob("ordered", {{"priority", 0}});
  const std::string worker = api_->registerWorker("ordered");

  std::vector<std::string> order;
  for (int i = 0; i < 4; ++i) {
    const json jobs = api_->claim("ordered", worker);
    ASSERT_EQ(jobs.size(), 1u);
    order.push_back(jobs[0]["id"]);
  }
  EXPECT_EQ(order, (std::vector<std::string>{oldHigh, newHigh, mid, low}));
  EXPECT_TRUE(api_->claim("ordered", worker).empty());
}

TEST_F(JobLifecycleTest, ClaimLimitTakesSeveral) {
  for (int i = 0; i < 3; ++i) api_->createJob("batch");
  const std::string worker = api_->registerWorker("batch");
  EXPECT_EQ(api_->claim("batch", worker, {{"limit", 2}}).size(), 2u);
  EXPECT_EQ(api_->claim("batch", worker, {{"limit", 10}}).size(), 1u);
}

TEST_F(JobLifecycleTest, FutureScheduledJobIsNotClaimable) {
  const std::string later = formatIso8601(nowMs() + std::chrono::hours(1));
  const std::string id = api_->createJob("later", {{"scheduled_at", later}});
  EXPECT_EQ(api_->getJob(id)["status"], "scheduled");
  const std::string worker = api_->registerWorker("later");
  EXPECT_TRUE(api_->claim("later", worker).empty());
  EXPECT_EQ(api_->getJob(id)["status"], "scheduled");
}

TEST_F(JobLifecycleTest, ExpiredJobIsNotClaimable) {
  const std::string past = formatIso8601(nowMs() - std::chrono::minutes(1));
  api_->createJob("stale", {{"expires_at", past}});
  const std::string worker = api_->registerWorker("stale");
  EXPECT_TRUE(api_->claim("stale", worker).empty());
}

TEST_F(JobLifecycleTest, IdempotencyKeyReturnsFirstJob) {
  const json body = {{"queue_name", "idem"}, {"payload", {{"n", 1}}}, {"idempotency_key", "order-42"}};
  const auto first = http_->post("/api/v1/jobs", body);
  ASSERT_EQ(first.status, 201) << first.describe();
  const auto second = http_->post("/api/v1/jobs", body);
  ASSERT_EQ(second.status, 200) << second.describe();
  EXPECT_EQ(second.body["id"], first.body["id"]);
  EXPECT_EQ(second.body["created"], false);
  EXPECT_EQ(api_->countJobs(), 1u);
  EXPECT_EQ(api_->getJob(first.body["id"])["idempotency_key"], "order-42");
}

TEST_F(JobLifecycleTest, ProgressIsVisibleOnGet) {
  const std::string id = api_->createJob("progress");
  const std::string worker = api_->registerWorker("progress");
  const json job = api_->claim("progress", worker).at(0);
  const auto r = api_->settle("progress", job, worker, {{"percent", 40}, {"message", "resizing"}});
  ASSERT_EQ(r.status, 200) << r.describe();
  const json seen = api_->getJob(id);
  EXPECT_EQ(seen["progress"], 40);
  EXPECT_EQ(seen["progress_message"], "resizing");
}

TEST_F(JobLifecycleTest, CancelPendingJob) {
  const std::string id = api_->createJob("cancel");
  const auto r = http_->del("/api/v1/jobs/" + id);
  ASSERT_EQ(r.status, 204) << r.describe();
  EXPECT_EQ(api_->getJob(id)["status"], "cancelled");
  EXPECT_TRUE(api_->claim("cancel", api_->registerWorker("cancel")).empty());
  // Cancelling again is a state conflict.
  EXPECT_EQ(http_->del("/api/v1/jobs/" + id).status, 409);
}

TEST_F(JobLifecycleTest, CancelProcessingJobRefusesTheWorker) {
  const std::string id = api_->createJob("cancel-busy");
  const std::string worker = api_->registerWorker("cancel-busy");
  const json job = api_->claim("cancel-busy", worker).at(0);
  ASSERT_EQ(http_->del("/api/v1/jobs/" + id).status, 204);
  const json cancelled = api_->getJob(id);
  ASSERT_EQ(cancelled["status"], "cancelled");

  for (const auto& [action, extra] : std::vector<std::pair<std::string, json>>{
           {"heartbeat", {{"lease_duration_secs", 30}}}, {"complete", {{"result", {{"x", 1}}}}},
           {"fail", {{"error", "boom"}}}, {"progress", {{"percent", 5}}}}) {
    const auto r = api_->settle(action, job, worker, extra);
    EXPECT_EQ(r.status, 409) << action << " " << r.describe();
    EXPECT_EQ(r.body["code"], "JOB_CANCELLED") << action;
  }
  const json after = api_->getJob(id);
  EXPECT_EQ(after["status"], "cancelled");
  EXPECT_EQ(after["updated_at"], cancelled["updated_at"]);
  EXPECT_TRUE(after["result"].is_null());
  EXPECT_EQ(after["retry_count"], 0);
}

TEST_F(JobLifecycleTest, ListFiltersByQueueAndStatus) {
  api_->createJob("list-a");
  api_->createJob("list-a");
  api_->createJob("list-b");
  const auto a = http_->get("/api/v1/jobs?queue_name=list-a");
  ASSERT_EQ(a.status, 200) << a.describe();
  EXPECT_EQ(a.body.size(), 2u);
  for (const auto& s : a.body) {
    EXPECT_EQ(s["queue_name"], "list-a");
    EXPECT_TRUE(s.contains("retry_count"));
    EXPECT_FALSE(s.contains("payload"));  // a summary
  }
  EXPECT_EQ(http_->get("/api/v1/jobs?status=completed").body.size(), 0u);
  EXPECT_EQ(http_->get("/api/v1/jobs?limit=1").body.size(), 1u);
}

TEST_F(JobLifecycleTest, LongPollClaimWakesWhenAJobArrives) {
  const std::string worker = api_->registerWorker("poll");
  HttpClient other(server_.baseUrl(), server_.apiKey());
  std::thread producer([&] {
    // Give the claim time to park; the claim must still see the job whenever it lands.
    std::this_thread::sleep_for(300ms);
    ApiSteps(other).createJob("poll");
  });
  const auto started = std::chrono::steady_clock::now();
  const json jobs = api_->claim("poll", worker, {{"wait_ms", 10000}});
  const auto waited = std::chrono::steady_clock::now() - started;
  producer.join();
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_LT(waited, 5s);
}

}  // namespace
}  // namespace spooled::test
