// The dead-letter queue over HTTP: list, retry (by ids or by queue) and purge.
#include "common/time.hpp"
#include "queue_test_steps.hpp"
#include "support/server_test.hpp"

namespace spooled::test {
namespace {

using namespace std::chrono_literals;

class DlqTest : public ServerTest {
 protected:
  std::vector<std::string> dlqIds(const std::string& query = "") {
    const auto r = http_->get("/api/v1/jobs/dlq" + query);
    expectStatus(r, 200, "list dlq");
    std::vector<std::string> ids;
    for (const json& job : r.body) {
      EXPECT_EQ(job["status"], "deadletter");
      ids.push_back(job["id"].get<std::string>());
    }
    return ids;
  }
  bool exists(const std::string& id) { return http_->get("/api/v1/jobs/" + id).status == 200; }
};

TEST_F(DlqTest, ListShowsDeadLettersNewestFirstByQueueAndPage) {
  const std::string a1 = deadLetterJob(*api_, "a");
  const std::string a2 = deadLetterJob(*api_, "a");
  const std::string b1 = deadLetterJob(*api_, "b");
  api_->createJob("a");  // alive: never listed

  EXPECT_EQ(dlqIds(), (std::vector<std::string>{b1, a2, a1}));
  EXPECT_EQ(dlqIds("?queue_name=a"), (std::vector<std::string>{a2, a1}));
  EXPECT_EQ(dlqIds("?limit=1&offset=1"), (std::vector<std::string>{a2}));
  EXPECT_EQ(dlqIds("?queue_name=nothing-here"), std::vector<std::string>{});
  EXPECT_EQ(http_->get("/api/v1/jobs/dlq?queue_name=.bad").status, 400);
  EXPECT_EQ(http_->get("/api/v1/jobs/dlq?limit=0").status, 400);
  EXPECT_EQ(http_->get("/api/v1/jobs/dlq?offset=-1").status, 400);
}

TEST_F(DlqTest, RetryByIdsMovesOnlyThoseJobsBack) {
  const std::string d1 = deadLetterJob(*api_, "a");
  const std::string d2 = deadLetterJob(*api_, "a");
  const std::string alive = api_->createJob("a");
  const auto r = http_->post("/api/v1/jobs/dlq/retry",
                             {{"job_ids", {d1, alive, "00000000-0000-4000-8000-000000000000"}}});
  ASSERT_EQ(r.status, 200) << r.describe();
  EXPECT_EQ(r.body, json({{"retried_count", 1}, {"retried_jobs", {d1}}}));

  const json retried = api_->getJob(d1);
  EXPECT_EQ(retried["status"], "pending");
  EXPECT_EQ(retried["retry_count"], 0);  // a fresh retry budget
  EXPECT_TRUE(retried["last_error"].is_null());
  EXPECT_EQ(api_->getJob(d2)["status"], "deadletter");
  EXPECT_EQ(dlqIds(), std::vector<std::string>{d2});

  // The retried job is handed out again.
  const std::string worker = api_->registerWorker("a");
  const json claimed = api_->claim("a", worker, {{"limit", 10}});
  ASSERT_EQ(claimed.size(), 2u);  // alive and d1
}

TEST_F(DlqTest, RetryByQueueMovesThatQueueBack) {
  const std::string a1 = deadLetterJob(*api_, "a");
  const std::string a2 = deadLetterJob(*api_, "a");
  const std::string b1 = deadLetterJob(*api_, "b");
  const auto r = http_->post("/api/v1/jobs/dlq/retry", {{"queue_name", "a"}});
  ASSERT_EQ(r.status, 200) << r.describe();
  EXPECT_EQ(r.body["retried_count"], 2);
  EXPECT_EQ(r.body["retried_jobs"], json({a1, a2}));  // oldest first
  EXPECT_EQ(dlqIds(), std::vector<std::string>{b1});

  for (const json& bad : {json{{"limit", 101}}, json{{"limit", 0}}, json{{"job_ids", "x"}},
                          json{{"job_ids", {1, 2}}}, json{{"queue_name", "-x"}}}) {
    const auto refused = http_->post("/api/v1/jobs/dlq/retry", bad);
    EXPECT_EQ(refused.status, 400) << bad.dump() << " " << refused.describe();
  }
  EXPECT_EQ(dlqIds(), std::vector<std::string>{b1});
}

TEST_F(DlqTest, PurgeNeedsConfirmation) {
  const std::string dead = deadLetterJob(*api_, "a");
  for (const json& body : {json::object(), json{{"confirm", false}}, json{{"confirm", "yes"}}}) {
    const auto r = http_->post("/api/v1/jobs/dlq/purge", body);
    EXPECT_EQ(r.status, 400) << body.dump() << " " << r.describe();
    EXPECT_EQ(r.body["details"]["field"], "confirm");
  }
  EXPECT_EQ(http_->requestRaw("POST", "/api/v1/jobs/dlq/purge", "").status, 400);
  EXPECT_TRUE(exists(dead));
}

TEST_F(DlqTest, PurgeDeletesOnlyTheDeadLettersItNames) {
  const std::string a1 = deadLetterJob(*api_, "a");
  const std::string b1 = deadLetterJob(*api_, "b");
  const std::string alive = api_->createJob("a");

  auto r = http_->post("/api/v1/jobs/dlq/purge", {{"confirm", true}, {"queue_name", "a"}});
  ASSERT_EQ(r.status, 200) << r.describe();
  EXPECT_EQ(r.body, json({{"purged_count", 1}}));
  EXPECT_FALSE(exists(a1));
  EXPECT_TRUE(exists(b1));
  EXPECT_TRUE(exists(alive));

  // older_than: only dead letters created before it.
  r = http_->post("/api/v1/jobs/dlq/purge", {{"confirm", true}, {"older_than", "2000-01-01T00:00:00Z"}});
  EXPECT_EQ(r.body, json({{"purged_count", 0}}));
  const std::string later = formatIso8601(nowMs() + 1h);
  r = http_->post("/api/v1/jobs/dlq/purge", {{"confirm", true}, {"older_than", later}, {"limit", 10}});
  EXPECT_EQ(r.body, json({{"purged_count", 1}}));
  EXPECT_FALSE(exists(b1));
  EXPECT_TRUE(exists(alive));

  EXPECT_EQ(http_->post("/api/v1/jobs/dlq/purge", {{"confirm", true}, {"limit", 0}}).status, 400);
  EXPECT_EQ(http_->post("/api/v1/jobs/dlq/purge", {{"confirm", true}, {"older_than", "soon"}}).status, 400);
}

TEST_F(DlqTest, PurgeLimitTakesTheOldestFirst) {
  const std::string first = deadLetterJob(*api_, "a");
  const std::string second = deadLetterJob(*api_, "a");
  const auto r = http_->post("/api/v1/jobs/dlq/purge", {{"confirm", true}, {"limit", 1}});
  EXPECT_EQ(r.body, json({{"purged_count", 1}}));
  EXPECT_FALSE(exists(first));
  EXPECT_TRUE(exists(second));
}

}  // namespace
}  // namespace spooled::test
