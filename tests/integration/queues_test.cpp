// /api/v1/queues over HTTP: list, get, configure, stats and delete.
#include "common/ids.hpp"
#include "queue_test_steps.hpp"
#include "support/server_test.hpp"

namespace spooled::test {
namespace {

class QueuesTest : public ServerTest {
 protected:
  HttpResult configure(const std::string& name, const json& body) {
    return http_->request("PUT", "/api/v1/queues/" + name + "/config", body);
  }
};

TEST_F(QueuesTest, ListShowsQueuesWithJobsAndConfiguredOnes) {
  api_->createJob("jobs-only");
  ASSERT_EQ(configure("configured", {{"max_retries", 5}, {"rate_limit", 20}}).status, 200);
  const auto r = http_->get("/api/v1/queues");
  ASSERT_EQ(r.status, 200) << r.describe();
  ASSERT_EQ(r.body.size(), 2u) << r.describe();
  EXPECT_EQ(r.body[0]["queue_name"], "configured");
  EXPECT_EQ(r.body[0]["max_retries"], 5);
  EXPECT_EQ(r.body[0]["rate_limit"], 20);
  EXPECT_EQ(r.body[1], json({{"queue_name", "jobs-only"},
                             {"max_retries", 3},
                             {"default_timeout", 300},
                             {"rate_limit", nullptr},
                             {"enabled", true},
                             {"paused", false}}));
}

TEST_F(QueuesTest, GetShowsTheDefaultsOfAQueueKnownFromItsJobs) {
  api_->createJob("q");
  const auto r = http_->get("/api/v1/queues/q");
  ASSERT_EQ(r.status, 200) << r.describe();
  const json& q = r.body;
  EXPECT_TRUE(isUuid(q["id"].get<std::string>())) << q.dump();
  EXPECT_TRUE(q["organization_id"].is_string());
  EXPECT_EQ(q["queue_name"], "q");
  EXPECT_EQ(q["max_retries"], 3);
  EXPECT_EQ(q["default_timeout"], 300);
  EXPECT_TRUE(q["rate_limit"].is_null());
  EXPECT_EQ(q["enabled"], true);
  EXPECT_EQ(q["settings"], json::object());
  EXPECT_TRUE(q["created_at"].is_string());
  EXPECT_TRUE(q["updated_at"].is_string());

  // Configuring it stores the record under the same id.
  const auto configured = configure("q", {{"default_timeout", 60}});
  ASSERT_EQ(configured.status, 200) << configured.describe();
  EXPECT_EQ(configured.body["id"], q["id"]);
  EXPECT_EQ(http_->get("/api/v1/queues/q").body["default_timeout"], 60);
}

TEST_F(QueuesTest, UnknownOrMalformedNamesAreRefused) {
  const auto unknown = http_->get("/api/v1/queues/never-used");
  EXPECT_EQ(unknown.status, 404) << unknown.describe();
  EXPECT_EQ(unknown.body["code"], "NOT_FOUND");
  const std::vector<std::string> paths = {"/api/v1/queues/.dot", "/api/v1/queues/bad%20name",
                                          "/api/v1/queues/-dash/stats", "/api/v1/queues/" + std::string(101, 'x')};
  for (const std::string& path : paths) {
    const auto r = http_->get(path);
    EXPECT_EQ(r.status, 400) << path << " " << r.describe();
    EXPECT_EQ(r.body["code"], "VALIDATION_ERROR");
  }
  EXPECT_EQ(configure("bad%21name", {{"max_retries", 1}}).status, 400);
}

TEST_F(QueuesTest, ConfigChangesWhatIsGivenAndKeepsTheRest) {
  auto r = configure("c", {{"queue_name", "c"},
                           {"max_retries", 5},
                           {"default_timeout", 60},
                           {"rate_limit", 10},
                           {"settings", {{"owner", "team-a"}}}});
  ASSERT_EQ(r.status, 200) << r.describe();
  EXPECT_EQ(r.body["max_retries"], 5);
  EXPECT_EQ(r.body["default_timeout"], 60);
  EXPECT_EQ(r.body["rate_limit"], 10);
  EXPECT_EQ(r.body["settings"], json({{"owner", "team-a"}}));
  EXPECT_EQ(r.body["enabled"], true);

  r = configure("c", {{"enabled", false}});
  ASSERT_EQ(r.status, 200) << r.describe();
  EXPECT_EQ(r.body["enabled"], false);
  EXPECT_EQ(r.body["max_retries"], 5);
  EXPECT_EQ(r.body["rate_limit"], 10);

  r = configure("c", {{"rate_limit", nullptr}});  // an explicit null removes the limit
  EXPECT_TRUE(r.body["rate_limit"].is_null()) << r.describe();
  EXPECT_EQ(r.body["enabled"], false);
}

TEST_F(QueuesTest, ConfigRejectsOutOfRangeValuesAndChangesNothing) {
  ASSERT_EQ(configure("c", {{"max_retries", 5}, {"rate_limit", 10}}).status, 200);
  const json before = http_->get("/api/v1/queues/c").body;
  const std::vector<std::pair<json, std::string>> cases = {
      {{{"max_retries", 101}}, "max_retries"},       {{{"max_retries", -1}}, "max_retries"},
      {{{"default_timeout", 0}}, "default_timeout"}, {{{"default_timeout", 86401}}, "default_timeout"},
      {{{"rate_limit", 0}}, "rate_limit"},           {{{"rate_limit", 100001}}, "rate_limit"},
      {{{"enabled", "yes"}}, "enabled"},
      {{{"queue_name", "other"}}, "queue_name"},
  };
  for (const auto& [body, field] : cases) {
    const auto r = configure("c", body);
    EXPECT_EQ(r.status, 400) << body.dump() << " " << r.describe();
    EXPECT_EQ(r.body["details"]["field"], field) << r.describe();
  }
  EXPECT_EQ(http_->requestRaw("PUT", "/api/v1/queues/c/config", "{not json").status, 400);
  EXPECT_EQ(http_->get("/api/v1/queues/c").body, before);
}

TEST_F(QueuesTest, StatsCountWhatHappenedOnTheQueue) {
  api_->registerWorker("s");
  api_->registerWorker("elsewhere");
  for (int i = 0; i < 4; ++i) api_->createJob("s", {{"max_retries", 0}});
  api_->createJob("elsewhere");
  const std::string worker = api_->registerWorker("s");
  const json claimed = api_->claim("s", worker, {{"limit", 3}});
  ASSERT_EQ(claimed.size(), 3u);
  ASSERT_EQ(api_->settle("complete", claimed[0], worker).status, 200);
  ASSERT_EQ(api_->settle("complete", claimed[1], worker).status, 200);
  ASSERT_EQ(api_->settle("fail", claimed[2], worker, {{"error", "x"}}).status, 200);

  auto r = http_->get("/api/v1/queues/s/stats");
  ASSERT_EQ(r.status, 200) << r.describe();
  EXPECT_EQ(r.body["queue_name"], "s");
  EXPECT_EQ(r.body["pending_jobs"], 1);
  EXPECT_EQ(r.body["processing_jobs"], 0);
  EXPECT_EQ(r.body["completed_jobs_24h"], 2);
  EXPECT_EQ(r.body["failed_jobs_24h"], 1);
  EXPECT_TRUE(r.body["avg_processing_time_ms"].is_number()) << r.describe();
  EXPECT_GE(r.body["avg_processing_time_ms"].get<double>(), 0.0);
  EXPECT_TRUE(r.body["max_job_age_seconds"].is_number_integer()) << r.describe();
  EXPECT_EQ(r.body["active_workers"], 2);

  api_->claim("s", worker);
  r = http_->get("/api/v1/queues/s/stats");
  EXPECT_EQ(r.body["pending_jobs"], 0);
  EXPECT_EQ(r.body["processing_jobs"], 1);
  EXPECT_TRUE(r.body["max_job_age_seconds"].is_null());  // nothing waits

  // A queue nobody used: zeros, as the official backend answers.
  r = http_->get("/api/v1/queues/unused/stats");
  ASSERT_EQ(r.status, 200) << r.describe();
  EXPECT_EQ(r.body, json({{"queue_name", "unused"},
                          {"pending_jobs", 0},
                          {"processing_jobs", 0},
                          {"completed_jobs_24h", 0},
                          {"failed_jobs_24h", 0},
                          {"avg_processing_time_ms", nullptr},
                          {"max_job_age_seconds", nullptr},
                          {"active_workers", 0}}));
}

TEST_F(QueuesTest, DeleteRefusesWhileJobsWaitOrRun) {
  api_->createJob("d");
  ASSERT_EQ(configure("d", {{"max_retries", 9}}).status, 200);
  const auto refused = http_->del("/api/v1/queues/d");
  EXPECT_EQ(refused.status, 409) << refused.describe();
  EXPECT_EQ(refused.body["code"], "CONFLICT");
  EXPECT_EQ(refused.body["details"]["pending_jobs"], 1);
  EXPECT_EQ(http_->get("/api/v1/queues/d").body["max_retries"], 9);

  const std::string worker = api_->registerWorker("d");
  ASSERT_EQ(api_->settle("complete", api_->claim("d", worker).at(0), worker).status, 200);
  const auto deleted = http_->del("/api/v1/queues/d");
  EXPECT_EQ(deleted.status, 204) << deleted.describe();
  // Its finished jobs remain, so the queue is still known, with the default configuration again.
  EXPECT_EQ(http_->get("/api/v1/queues/d").body["max_retries"], 3);

  ASSERT_EQ(configure("config-only", {{"max_retries", 1}}).status, 200);
  EXPECT_EQ(http_->del("/api/v1/queues/config-only").status, 204);
  EXPECT_EQ(http_->get("/api/v1/queues/config-only").status, 404);
  EXPECT_EQ(http_->del("/api/v1/queues/config-only").status, 404);
}

}  // namespace
}  // namespace spooled::test
