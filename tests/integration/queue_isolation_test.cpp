// A second organization sees none of the first one's queues, dead letters, stats or jobs through the
// queue, DLQ and job-admin endpoints, and cannot change them.
#include "queue_test_steps.hpp"
#include "support/server_test.hpp"

namespace spooled::test {
namespace {

class QueueIsolationTest : public ServerTest {};

TEST_F(QueueIsolationTest, AnotherOrganizationNeitherSeesNorChangesOurQueuesAndJobs) {
  const std::string pending = api_->createJob("shared", {{"idempotency_key", "same-key"}});
  const std::string dead = deadLetterJob(*api_, "shared");
  ASSERT_EQ(http_->request("PUT", "/api/v1/queues/ours-only/config", json{{"max_retries", 7}}).status, 200);
  ASSERT_EQ(http_->request("POST", "/api/v1/queues/shared/pause").status, 200);
  const json ourStats = http_->get("/api/v1/jobs/stats").body;

  const std::string otherKey = addSecondOrganization(server_);
  HttpClient other(server_.baseUrl(), otherKey);
  ApiSteps theirs(other);

  EXPECT_EQ(other.get("/api/v1/queues").body, json::array());
  EXPECT_EQ(other.get("/api/v1/queues/shared").status, 404);
  EXPECT_EQ(other.get("/api/v1/queues/ours-only").status, 404);
  EXPECT_EQ(other.get("/api/v1/queues/shared/stats").body["pending_jobs"], 0);
  EXPECT_EQ(other.del("/api/v1/queues/ours-only").status, 404);
  EXPECT_EQ(other.request("POST", "/api/v1/queues/ours-only/resume").status, 404);
  EXPECT_EQ(other.get("/api/v1/jobs/dlq").body, json::array());
  EXPECT_EQ(other.get("/api/v1/jobs/stats").body["total"], 0);
  EXPECT_EQ(other.get("/api/v1/jobs/status?ids=" + pending + "," + dead).body, json::array());
  EXPECT_EQ(other.request("PUT", "/api/v1/jobs/" + pending + "/priority", json{{"priority", 99}}).status, 404);
  EXPECT_EQ(other.request("POST", "/api/v1/jobs/" + dead + "/retry").status, 404);
  EXPECT_EQ(other.post("/api/v1/jobs/dlq/retry", {{"job_ids", {dead}}}).body["retried_count"], 0);
  EXPECT_EQ(other.post("/api/v1/jobs/dlq/retry", json::object()).body["retried_count"], 0);
  EXPECT_EQ(other.post("/api/v1/jobs/dlq/purge", {{"confirm", true}}).body["purged_count"], 0);

  // Their queue of the same name is theirs: not paused by our pause, and idempotency keys are per
  // organization.
  const json item = {{"payload", json::object()}, {"idempotency_key", "same-key"}};
  const auto bulk = other.post("/api/v1/jobs/bulk", {{"queue_name", "shared"}, {"jobs", json::array({item})}});
  ASSERT_EQ(bulk.status, 200) << bulk.describe();
  EXPECT_EQ(bulk.body["succeeded"][0]["created"], true);
  EXPECT_EQ(theirs.claim("shared", theirs.registerWorker("shared")).size(), 1u);
  ASSERT_EQ(other.request("POST", "/api/v1/queues/shared/pause").status, 200);

  // Nothing of ours changed.
  HttpClient me(server_.baseUrl(), server_.apiKey());
  ApiSteps mine(me);
  EXPECT_EQ(mine.getJob(pending)["priority"], 0);
  EXPECT_EQ(mine.getJob(dead)["status"], "deadletter");
  EXPECT_EQ(me.get("/api/v1/jobs/stats").body, ourStats);
  EXPECT_EQ(me.get("/api/v1/queues/ours-only").body["max_retries"], 7);
  const json ourQueues = me.get("/api/v1/queues").body;
  ASSERT_EQ(ourQueues.size(), 2u);
  EXPECT_EQ(ourQueues[0]["queue_name"], "ours-only");
  EXPECT_EQ(ourQueues[1]["queue_name"], "shared");
  // Their resume does not touch our pause either way: ours stays paused until we resume it.
  ASSERT_EQ(other.request("POST", "/api/v1/queues/shared/resume").status, 200);
  EXPECT_EQ(me.get("/api/v1/queues/shared").body["paused"], true);
}

}  // namespace
}  // namespace spooled::test
