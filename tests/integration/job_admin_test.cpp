// Priority boost, manual retry and the job list's filters over HTTP.
#include "queue_test_steps.hpp"
#include "support/server_test.hpp"

namespace spooled::test {
namespace {

const std::string kUnknownId = "00000000-0000-4000-8000-000000000000";

class JobAdminTest : public ServerTest {
 protected:
  HttpResult setPriority(const std::string& id, const json& body) {
    return http_->request("PUT", "/api/v1/jobs/" + id + "/priority", body);
  }
  HttpResult retry(const std::string& id) { return http_->request("POST", "/api/v1/jobs/" + id + "/retry"); }
};

TEST_F(JobAdminTest, BoostedJobIsClaimedFirst) {
  const std::string older = api_->createJob("p");
  const std::string newer = api_->createJob("p");
  const auto r = setPriority(newer, {{"priority", 50}});
  ASSERT_EQ(r.status, 200) << r.describe();
  EXPECT_EQ(r.body, json({{"job_id", newer}, {"old_priority", 0}, {"new_priority", 50}}));
  EXPECT_EQ(api_->getJob(newer)["priority"], 50);
  const json claimed = api_->claim("p", api_->registerWorker("p"));
  EXPECT_EQ(claimed.at(0)["id"], newer);
  EXPECT_NE(older, newer);
}

TEST_F(JobAdminTest, PriorityErrorsChangeNothing) {
  const std::string id = api_->createJob("p", {{"priority", 3}});
  for (const json& body : {json{{"priority", 101}}, json{{"priority", -101}}, json{{"priority", "high"}},
                           json::object()}) {
    const auto r = setPriority(id, body);
    EXPECT_EQ(r.status, 400) << body.dump() << " " << r.describe();
    EXPECT_EQ(r.body["details"]["field"], "priority");
  }
  EXPECT_EQ(setPriority(kUnknownId, {{"priority", 1}}).status, 404);
  EXPECT_EQ(setPriority("not-a-uuid", {{"priority", 1}}).status, 404);
  EXPECT_EQ(api_->getJob(id)["priority"], 3);

  // Once a worker holds the job, its priority no longer matters and cannot change.
  api_->claim("p", api_->registerWorker("p"));
  const auto running = setPriority(id, {{"priority", 9}});
  EXPECT_EQ(running.status, 409) << running.describe();
  EXPECT_EQ(running.body["code"], "CONFLICT");
  EXPECT_EQ(api_->getJob(id)["priority"], 3);
}

TEST_F(JobAdminTest, RetriedDeadLetterRunsAgain) {
  const std::string id = deadLetterJob(*api_, "r");
  const auto r = retry(id);
  ASSERT_EQ(r.status, 200) << r.describe();
  EXPECT_EQ(r.body["id"], id);  // the whole Job, as the official backend answers
  EXPECT_EQ(r.body["status"], "pending");
  EXPECT_TRUE(r.body["last_error"].is_null());
  EXPECT_EQ(r.body["retry_count"], 2);
  EXPECT_TRUE(r.body.contains("payload"));

  const std::string worker = api_->registerWorker("r");
  const json again = api_->claim("r", worker);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0]["id"], id);
  ASSERT_EQ(api_->settle("complete", again[0], worker).status, 200);
  EXPECT_EQ(api_->getJob(id)["status"], "completed");
}

TEST_F(JobAdminTest, RetryOfAJobThatDidNotFailIsAConflict) {
  const std::string pending = api_->createJob("r");
  const auto r = retry(pending);
  EXPECT_EQ(r.status, 409) << r.describe();
  EXPECT_EQ(r.body["code"], "CONFLICT");
  EXPECT_EQ(r.body["details"]["status"], "pending");
  EXPECT_EQ(api_->getJob(pending)["status"], "pending");
  EXPECT_EQ(retry(kUnknownId).status, 404);
  EXPECT_EQ(retry("nope").status, 404);
}

TEST_F(JobAdminTest, ListFiltersByTagAndOrdersAndPages) {
  for (int p = 1; p <= 5; ++p) {
    json extra = {{"priority", p}};
    if (p % 2 == 1) extra["tags"] = {{"team", "growth"}};
    api_->createJob("l", extra);
  }
  api_->createJob("m", {{"tags", {{"team", "core"}}}});

  const auto tagged = http_->get("/api/v1/jobs?tag=team&queue_name=l");
  ASSERT_EQ(tagged.status, 200) << tagged.describe();
  EXPECT_EQ(tagged.body.size(), 3u);
  EXPECT_EQ(http_->get("/api/v1/jobs?tag=team").body.size(), 4u);
  EXPECT_EQ(http_->get("/api/v1/jobs?tag=nobody").body.size(), 0u);

  const auto ascending = http_->get("/api/v1/jobs?queue_name=l&order_by=priority&order_dir=asc");
  ASSERT_EQ(ascending.body.size(), 5u);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(ascending.body[i]["priority"], i + 1);
  const auto page = http_->get("/api/v1/jobs?queue_name=l&order_by=priority&order_dir=desc&limit=2&offset=1");
  ASSERT_EQ(page.body.size(), 2u);
  EXPECT_EQ(page.body[0]["priority"], 4);
  EXPECT_EQ(page.body[1]["priority"], 3);
  EXPECT_EQ(http_->get("/api/v1/jobs?limit=1000").body.size(), 6u);  // capped at 100, not refused
}

}  // namespace
}  // namespace spooled::test
