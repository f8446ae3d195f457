// JobsResource's bulk enqueue, stats, batch status, priority boost and retry, and the dead-letter
// queue (jobs().dlq()), against a real spooled-server.
#include "sdk_server_fixture.hpp"

namespace spooled::test {
namespace {

class SdkJobAdminTest : public SdkServerTest {
 protected:
  JobsResource& jobs() { return client_->jobs(); }
};

TEST_F(SdkJobAdminTest, BulkEnqueueReportsEachItem) {
  BulkEnqueueParams params;
  params.queueName = "bulk";
  params.defaultPriority = 4;
  params.jobs = {{.payload = {{"n", 0}}},
                 {.payload = {{"n", 1}}, .priority = 500},
                 {.payload = {{"n", 2}}, .idempotencyKey = "bulk-2"},
                 {.payload = {{"n", 3}}, .idempotencyKey = "bulk-2"}};
  const BulkEnqueueResult result = jobs().bulkEnqueue(params);
  EXPECT_EQ(result.total, 4);
  EXPECT_EQ(result.successCount, 3);
  EXPECT_EQ(result.failureCount, 1);
  ASSERT_EQ(result.failed.size(), 1u);
  EXPECT_EQ(result.failed[0].index, 1);
  EXPECT_NE(result.failed[0].error.find("priority"), std::string::npos) << result.failed[0].error;
  ASSERT_EQ(result.succeeded.size(), 3u);
  EXPECT_EQ(result.succeeded[0].index, 0);
  EXPECT_TRUE(result.succeeded[0].created);
  EXPECT_EQ(result.succeeded[2].jobId, result.succeeded[1].jobId);  // same idempotency key
  EXPECT_FALSE(result.succeeded[2].created);
  EXPECT_EQ(jobs().get(result.succeeded[0].jobId).priority, 4);

  EXPECT_THROW(jobs().bulkEnqueue({.queueName = "bulk"}), ValidationError);  // no jobs at all
}

TEST_F(SdkJobAdminTest, StatsAndBatchStatus) {
  const std::string a = createJob("s");
  const std::string b = createJob("s");
  const std::string dead = deadLetterJob("t");
  const JobStats stats = jobs().stats();
  EXPECT_EQ(stats.pending, 2);
  EXPECT_EQ(stats.deadletter, 1);
  EXPECT_EQ(stats.total, 3);

  const auto statuses = jobs().batchStatus({dead, a, "00000000-0000-4000-8000-000000000000"});
  ASSERT_EQ(statuses.size(), 2u);
  EXPECT_EQ(statuses[0].id, dead);
  EXPECT_EQ(statuses[0].status, "deadletter");
  EXPECT_EQ(statuses[0].queueName, "t");
  EXPECT_EQ(statuses[0].retryCount, 1);
  EXPECT_TRUE(statuses[0].completedAt);
  EXPECT_EQ(statuses[1].id, a);
  EXPECT_FALSE(statuses[1].completedAt);
  EXPECT_TRUE(jobs().batchStatus({}).empty());
  EXPECT_THROW(jobs().batchStatus(std::vector<std::string>(101, b)), ValidationError);
}

TEST_F(SdkJobAdminTest, BoostPriorityAndRetry) {
  createJob("p");
  const std::string later = createJob("p");
  const BoostPriorityResult boosted = jobs().boostPriority(later, 80);
  EXPECT_EQ(boosted.jobId, later);
  EXPECT_EQ(boosted.oldPriority, 0);
  EXPECT_EQ(boosted.newPriority, 80);
  EXPECT_EQ(claim("p", registerWorker("p")).at(0).id, later);
  EXPECT_THROW(jobs().boostPriority(later, 1), ConflictError);  // already running
  EXPECT_THROW(jobs().boostPriority(later, 101), ValidationError);

  const std::string dead = deadLetterJob("r");
  const Job retried = jobs().retry(dead);
  EXPECT_EQ(retried.id, dead);
  EXPECT_EQ(retried.status, "pending");
  EXPECT_FALSE(retried.lastError);
  EXPECT_THROW(jobs().retry(dead), ConflictError);
  EXPECT_THROW(jobs().retry("00000000-0000-4000-8000-000000000000"), NotFoundError);
}

TEST_F(SdkJobAdminTest, DeadLetterQueueListRetryAndPurge) {
  const std::string a1 = deadLetterJob("a");
  const std::string a2 = deadLetterJob("a");
  const std::string b1 = deadLetterJob("b");
  auto listed = jobs().dlq().list();
  ASSERT_EQ(listed.size(), 3u);
  EXPECT_EQ(listed[0].id, b1);  // newest first
  EXPECT_EQ(jobs().dlq().list({.queueName = "a", .limit = 1}).at(0).id, a2);

  const RetryDlqResult byId = jobs().dlq().retry({.jobIds = std::vector<std::string>{a1}});
  EXPECT_EQ(byId.retriedCount, 1);
  EXPECT_EQ(byId.retriedJobs, std::vector<std::string>{a1});
  EXPECT_EQ(jobs().get(a1).status, "pending");

  const RetryDlqResult byQueue = jobs().dlq().retry({.queueName = "a"});
  EXPECT_EQ(byQueue.retriedJobs, std::vector<std::string>{a2});

  EXPECT_THROW(jobs().dlq().purge({}), ValidationError);  // confirm left false
  EXPECT_EQ(jobs().get(b1).status, "deadletter");
  const PurgeDlqResult purged = jobs().dlq().purge({.queueName = "b", .confirm = true});
  EXPECT_EQ(purged.purgedCount, 1);
  EXPECT_THROW(jobs().get(b1), NotFoundError);
  EXPECT_TRUE(jobs().dlq().list().empty());
}

TEST_F(SdkJobAdminTest, ListFiltersReachTheServer) {
  jobs().create({.queueName = "l", .payload = {{"n", 1}}, .priority = 1, .tags = json{{"team", "a"}}});
  jobs().create({.queueName = "l", .payload = {{"n", 2}}, .priority = 9});
  jobs().create({.queueName = "m", .payload = {{"n", 3}}, .priority = 5, .tags = json{{"team", "b"}}});
  const auto tagged = jobs().list({.tag = "team", .orderBy = "priority", .orderDir = "asc"});
  ASSERT_EQ(tagged.size(), 2u);
  EXPECT_EQ(tagged[0].priority, 1);
  EXPECT_EQ(tagged[1].priority, 5);
  const auto page = jobs().list({.queueName = "l", .limit = 1, .offset = 1, .orderBy = "priority", .orderDir = "desc"});
  ASSERT_EQ(page.size(), 1u);
  EXPECT_EQ(page[0].priority, 1);
  EXPECT_THROW(jobs().list({.status = "sleeping"}), ValidationError);
}

}  // namespace
}  // namespace spooled::test
