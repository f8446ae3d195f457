// Bulk enqueue, job stats and batch status over HTTP.
#include <set>
#include <thread>

#include "queue_test_steps.hpp"
#include "support/server_test.hpp"

namespace spooled::test {
namespace {

using namespace std::chrono_literals;

class JobBulkTest : public ServerTest {
 protected:
  HttpResult bulk(const json& jobs, const json& extra = json::object()) {
    json body = {{"queue_name", "bulk"}, {"jobs", jobs}};
    body.update(extra);
    return http_->post("/api/v1/jobs/bulk", body);
  }
};

std::set<int> indexesOf(const json& rows) {
  std::set<int> out;
  for (const json& row : rows) out.insert(row.at("index").get<int>());
  return out;
}

TEST_F(JobBulkTest, ValidItemsAreStoredAndInvalidOnesFailAlone) {
  const json jobs = json::array({
      {{"payload", {{"n", 0}}}},
      {{"payload", nullptr}},
      {{"payload", {{"n", 2}}}, {"priority", 101}},
      {{"payload", {{"n", 3}}}, {"priority", -7}, {"idempotency_key", "bulk-3"}},
      {{"payload", {{"n", 4}}}, {"scheduled_at", "2099-01-01T00:00:00Z"}},
      {{"priority", 1}},
      {{"payload", {{"n", 6}}}, {"scheduled_at", "yesterday"}},
      42,
  });
  const auto r = bulk(jobs, {{"default_priority", 5}, {"default_max_retries", 1}, {"default_timeout_seconds", 60}});
  ASSERT_EQ(r.status, 200) << r.describe();
  EXPECT_EQ(r.body["total"], 8);
  EXPECT_EQ(r.body["success_count"], 3);
  EXPECT_EQ(r.body["failure_count"], 5);
  EXPECT_EQ(indexesOf(r.body["succeeded"]), (std::set<int>{0, 3, 4}));
  EXPECT_EQ(indexesOf(r.body["failed"]), (std::set<int>{1, 2, 5, 6, 7}));
  for (const json& failure : r.body["failed"]) {
    const std::string error = failure.at("error").get<std::string>();
    const int index = failure.at("index").get<int>();
    const char* names[] = {"", "payload", "priority", "", "", "payload", "scheduled_at", "object"};
    EXPECT_NE(error.find(names[index]), std::string::npos) << index << ": " << error;
  }

  std::map<int, std::string> ids;
  for (const json& row : r.body["succeeded"]) {
    EXPECT_EQ(row["created"], true);
    ids[row["index"].get<int>()] = row["job_id"].get<std::string>();
  }
  const json first = api_->getJob(ids[0]);
  EXPECT_EQ(first["queue_name"], "bulk");
  EXPECT_EQ(first["payload"], json({{"n", 0}}));
  EXPECT_EQ(first["priority"], 5);  // the request's defaults
  EXPECT_EQ(first["max_retries"], 1);
  EXPECT_EQ(first["timeout_seconds"], 60);
  EXPECT_EQ(first["status"], "pending");
  const json own = api_->getJob(ids[3]);
  EXPECT_EQ(own["priority"], -7);  // the item's own priority wins
  EXPECT_EQ(own["idempotency_key"], "bulk-3");
  EXPECT_EQ(api_->getJob(ids[4])["status"], "scheduled");
  EXPECT_EQ(api_->countJobs(), 3u);
}

TEST_F(JobBulkTest, RepeatedIdempotencyKeysReturnTheFirstJob) {
  const std::string existing = api_->createJob("bulk", {{"idempotency_key", "k1"}});
  const auto r = bulk(json::array({{{"payload", json::object()}, {"idempotency_key", "k1"}},
                                   {{"payload", json::object()}, {"idempotency_key", "k2"}},
                                   {{"payload", json::object()}, {"idempotency_key", "k2"}}}));
  ASSERT_EQ(r.status, 200) << r.describe();
  const json& ok = r.body["succeeded"];
  ASSERT_EQ(ok.size(), 3u);
  EXPECT_EQ(ok[0]["job_id"], existing);
  EXPECT_EQ(ok[0]["created"], false);
  EXPECT_EQ(ok[1]["created"], true);
  EXPECT_EQ(ok[2]["job_id"], ok[1]["job_id"]);
  EXPECT_EQ(ok[2]["created"], false);
  EXPECT_EQ(r.body["success_count"], 3);
  EXPECT_EQ(api_->countJobs(), 2u);
}

// Our extension: up to 1000 jobs a request (the official backend takes 100), all in one commit.
TEST_F(JobBulkTest, AThousandJobsGoInOneRequest) {
  json thousand = json::array();
  for (int i = 0; i < 1000; ++i) thousand.push_back({{"payload", {{"n", i}}}});
  const HttpResult r = bulk(thousand);
  ASSERT_EQ(r.status, 200) << r.describe();
  EXPECT_EQ(r.body["success_count"], 1000);
  EXPECT_EQ(r.body["failure_count"], 0);
  const HttpResult stats = http_->get("/api/v1/jobs/stats");
  EXPECT_EQ(stats.body.value("pending", -1), 1000) << stats.describe();
}

TEST_F(JobBulkTest, MistakesInTheRequestItselfRejectItWhole) {
  json thousandAndOne = json::array();
  for (int i = 0; i < 1001; ++i) thousandAndOne.push_back({{"payload", json::object()}});
  const json one = json::array({{{"payload", json::object()}}});
  const std::vector<std::pair<json, std::string>> cases = {
      {{{"queue_name", "bulk"}}, "jobs"},
      {{{"queue_name", "bulk"}, {"jobs", json::array()}}, "jobs"},
      {{{"queue_name", "bulk"}, {"jobs", thousandAndOne}}, "jobs"},
      {{{"queue_name", "bulk"}, {"jobs", {{"payload", json::object()}}}}, "jobs"},
      {{{"queue_name", "bulk"}, {"jobs", one}, {"default_priority", 101}}, "default_priority"},
      {{{"queue_name", "bulk"}, {"jobs", one}, {"default_max_retries", -1}}, "default_max_retries"},
      {{{"queue_name", "bulk"}, {"jobs", one}, {"default_timeout_seconds", 0}}, "default_timeout_seconds"},
      {{{"queue_name", ".bulk"}, {"jobs", one}}, "queue_name"},
      {{{"jobs", one}}, "queue_name"},
  };
  for (const auto& [body, field] : cases) {
    const auto r = http_->post("/api/v1/jobs/bulk", body);
    EXPECT_EQ(r.status, 400) << body.dump() << " " << r.describe();
    EXPECT_EQ(r.body["code"], "VALIDATION_ERROR") << r.describe();
    EXPECT_EQ(r.body["details"]["field"], field) << r.describe();
  }
  EXPECT_EQ(api_->countJobs(), 0u);
}

TEST_F(JobBulkTest, BulkJobsWakeALongPollingWorker) {
  const std::string worker = api_->registerWorker("bulk");
  json claimed;
  std::thread claimer([&] {
    HttpClient own(server_.baseUrl(), server_.apiKey());
    const auto r = own.post("/api/v1/jobs/claim",
                            {{"queue_name", "bulk"}, {"worker_id", worker}, {"limit", 10}, {"wait_ms", 20000}});
    claimed = r.body["jobs"];
  });
  const auto start = std::chrono::steady_clock::now();
  ASSERT_EQ(bulk(json::array({{{"payload", json::object()}}, {{"payload", json::object()}}})).status, 200);
  claimer.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);  // well before wait_ms ran out
  ASSERT_TRUE(claimed.is_array());
  EXPECT_GE(claimed.size(), 1u);
}

TEST_F(JobBulkTest, StatsCountEveryStatusOfTheOrganization) {
  std::vector<std::string> ids;
  for (int i = 0; i < 4; ++i) ids.push_back(api_->createJob("a", {{"max_retries", 0}}));
  const std::string worker = api_->registerWorker("a");
  const json claimed = api_->claim("a", worker, {{"limit", 3}});
  ASSERT_EQ(claimed.size(), 3u);
  ASSERT_EQ(api_->settle("complete", claimed[0], worker).status, 200);
  ASSERT_EQ(api_->settle("fail", claimed[1], worker, {{"error", "x"}}).status, 200);  // dead-lettered
  api_->createJob("b", {{"scheduled_at", "2099-01-01T00:00:00Z"}});
  ASSERT_EQ(http_->del("/api/v1/jobs/" + api_->createJob("b")).status, 204);

  const auto r = http_->get("/api/v1/jobs/stats");
  ASSERT_EQ(r.status, 200) << r.describe();
  EXPECT_EQ(r.body, json({{"pending", 1},
                          {"scheduled", 1},
                          {"processing", 1},
                          {"completed", 1},
                          {"failed", 0},
                          {"deadletter", 1},
                          {"cancelled", 1},
                          {"total", 6}}));
}

TEST_F(JobBulkTest, BatchStatusAnswersForKnownIdsInTheOrderAsked) {
  const std::string a = api_->createJob("s");
  const std::string b = api_->createJob("s");
  const std::string worker = api_->registerWorker("s");
  const json claimed = api_->claim("s", worker);
  ASSERT_EQ(api_->settle("complete", claimed[0], worker).status, 200);  // a, the older one
  const std::string unknown = "00000000-0000-4000-8000-000000000000";

  const auto r = http_->get("/api/v1/jobs/status?ids=" + b + ",%20" + unknown + ",not-an-id," + a + "," + b + ",");
  ASSERT_EQ(r.status, 200) << r.describe();
  ASSERT_EQ(r.body.size(), 2u) << r.describe();
  EXPECT_EQ(r.body[0]["id"], b);
  EXPECT_EQ(r.body[0]["status"], "pending");
  EXPECT_EQ(r.body[0]["queue_name"], "s");
  EXPECT_EQ(r.body[0]["retry_count"], 0);
  EXPECT_TRUE(r.body[0]["created_at"].is_string());
  EXPECT_TRUE(r.body[0]["completed_at"].is_null());
  EXPECT_EQ(r.body[1]["id"], a);
  EXPECT_EQ(r.body[1]["status"], "completed");
  EXPECT_TRUE(r.body[1]["completed_at"].is_string());

  EXPECT_EQ(http_->get("/api/v1/jobs/status?ids=").body, json::array());
  const auto missing = http_->get("/api/v1/jobs/status");
  EXPECT_EQ(missing.status, 400) << missing.describe();
  EXPECT_EQ(missing.body["details"]["field"], "ids");
  std::string many;
  for (int i = 0; i < 101; ++i) many += "id" + std::to_string(i) + ",";
  EXPECT_EQ(http_->get("/api/v1/jobs/status?ids=" + many).status, 400);
}

}  // namespace
}  // namespace spooled::test
