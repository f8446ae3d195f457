// POST /api/v1/jobs/ack, our batched-acknowledgement extension, over raw HTTP: each item fenced by its
// own lease and answered on its own, the claim it may carry, and the request-level limits.
#include <map>

#include "support/account_steps.hpp"
#include "support/server_test.hpp"

namespace spooled::test {
namespace {

class JobAckApiTest : public ServerTest {
 protected:
  // `n` jobs of `queue`, claimed by a new worker; returns the claimed jobs by id.
  std::map<std::string, json> claimed(const std::string& queue, int n, json extra = json::object()) {
    for (int i = 0; i < n; ++i) api_->createJob(queue, extra);
    worker_ = api_->registerWorker(queue);
    std::map<std::string, json> byId;
    for (const json& job : api_->claim(queue, worker_, {{"limit", n}})) byId[job.at("id")] = job;
    if (static_cast<int>(byId.size()) != n) throw std::runtime_error("claimed " + std::to_string(byId.size()));
    return byId;
  }

  static json complete(const json& job, json result = json{{"ok", true}}) {
    return {{"job_id", job.at("id")}, {"lease_id", job.at("lease_id")}, {"status", "completed"}, {"result", result}};
  }

  static json fail(const json& job, const std::string& error, bool retryable = true) {
    return {{"job_id", job.at("id")}, {"lease_id", job.at("lease_id")}, {"status", "failed"},
            {"error", error},         {"retryable", retryable}};
  }

  HttpResult ack(const json& acks, const json& extra = json::object()) {
    json body = {{"worker_id", worker_}, {"acks", acks}};
    body.update(extra);
    return http_->post("/api/v1/jobs/ack", body);
  }

  std::string worker_;
};

TEST_F(JobAckApiTest, EachItemIsSettledOrRefusedOnItsOwnInRequestOrder) {
  auto jobs = claimed("emails", 4, {{"max_retries", 3}});
  auto it = jobs.begin();
  const json done = (it++)->second;
  const json retried = (it++)->second;
  const json dead = (it++)->second;
  const json stale = (it++)->second;
  json wrongLease = complete(stale, {{"from", "a stale worker"}});
  wrongLease["lease_id"] = "00000000-0000-4000-8000-000000000000";

  const HttpResult r = ack(json::array({complete(done, {{"sent", 3}}), fail(retried, "smtp timeout"),
                                        fail(dead, "bad address", false), wrongLease}));
  ASSERT_EQ(r.status, 200) << r.describe();
  const json& results = r.body.at("results");
  ASSERT_EQ(results.size(), 4u) << r.describe();
  EXPECT_EQ(results[0], (json{{"job_id", done["id"]}, {"success", true}}));
  EXPECT_EQ(results[1], (json{{"job_id", retried["id"]}, {"success", true}, {"will_retry", true}}));
  EXPECT_EQ(results[2], (json{{"job_id", dead["id"]}, {"success", true}, {"will_retry", false}}));
  EXPECT_EQ(results[3]["job_id"], stale["id"]);
  EXPECT_EQ(results[3]["success"], false);
  EXPECT_EQ(results[3]["error"]["code"], "LEASE_EXPIRED") << r.describe();
  EXPECT_EQ(r.body.at("jobs"), json::array());

  const json completed = api_->getJob(done["id"]);
  EXPECT_EQ(completed["status"], "completed");
  EXPECT_EQ(completed["result"], (json{{"sent", 3}}));
  const json pending = api_->getJob(retried["id"]);
  EXPECT_EQ(pending["status"], "pending");
  EXPECT_EQ(pending["retry_count"], 1);
  EXPECT_EQ(pending["last_error"], "smtp timeout");
  EXPECT_EQ(api_->getJob(dead["id"])["status"], "deadletter");
  // The fenced item changed nothing: still this worker's, same lease, no result.
  const json untouched = api_->getJob(stale["id"]);
  EXPECT_EQ(untouched["status"], "processing");
  EXPECT_EQ(untouched["lease_id"], stale["lease_id"]);
  EXPECT_TRUE(untouched["result"].is_null()) << untouched.dump();
  // ... and its real lease still settles it.
  EXPECT_EQ(ack(json::array({complete(stale)})).body["results"][0]["success"], true);
}

TEST_F(JobAckApiTest, CancelledUnknownAndRepeatedItemsGetTheSingleCallsCodes) {
  auto jobs = claimed("emails", 2);
  const json cancelled = jobs.begin()->second;
  const json done = std::next(jobs.begin())->second;
  expectStatus(http_->del("/api/v1/jobs/" + cancelled["id"].get<std::string>()), 204, "cancel");
  json unknown = complete(done);
  unknown["job_id"] = "6f1c1e9e-51b8-4b7e-9a53-2b1e0f2c8d11";
  json notUuid = complete(done);
  notUuid["job_id"] = "not-a-job";

  const HttpResult r = ack(json::array({complete(cancelled), unknown, notUuid, complete(done), complete(done)}));
  ASSERT_EQ(r.status, 200) << r.describe();
  const json& results = r.body.at("results");
  ASSERT_EQ(results.size(), 5u);
  EXPECT_EQ(results[0]["error"]["code"], "JOB_CANCELLED") << r.describe();
  EXPECT_EQ(results[1]["error"]["code"], "NOT_FOUND") << r.describe();
  EXPECT_EQ(results[2]["error"]["code"], "NOT_FOUND") << r.describe();
  EXPECT_EQ(results[2]["job_id"], "not-a-job");
  EXPECT_EQ(results[3]["success"], true) << r.describe();
  // The same job twice: the second finds it settled, as a repeated complete would.
  EXPECT_EQ(results[4]["success"], false) << r.describe();
  EXPECT_EQ(api_->getJob(cancelled["id"])["status"], "cancelled");
  EXPECT_EQ(api_->getJob(done["id"])["status"], "completed");
}

TEST_F(JobAckApiTest, AnInvalidItemIsRefusedAloneWhileTheOthersAreSettled) {
  auto jobs = claimed("emails", 2);
  const json first = jobs.begin()->second;
  const json second = std::next(jobs.begin())->second;
  json noError = fail(first, "x");
  noError.erase("error");
  json badStatus = complete(first);
  badStatus["status"] = "done";
  json longError = fail(first, std::string(2049, 'e'));

  const HttpResult r = ack(json::array({noError, badStatus, "not an object", longError, complete(second)}));
  ASSERT_EQ(r.status, 200) << r.describe();
  const json& results = r.body.at("results");
  ASSERT_EQ(results.size(), 5u);
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(results[i]["success"], false) << i << ": " << r.describe();
    EXPECT_EQ(results[i]["error"]["code"], "VALIDATION_ERROR") << i << ": " << r.describe();
  }
  EXPECT_EQ(results[0]["job_id"], first["id"]);
  EXPECT_TRUE(results[2]["job_id"].is_null());
  EXPECT_EQ(results[4], (json{{"job_id", second["id"]}, {"success", true}}));
  EXPECT_EQ(api_->getJob(first["id"])["status"], "processing");
  EXPECT_EQ(api_->getJob(second["id"])["status"], "completed");
}

TEST_F(JobAckApiTest, TheCarriedClaimHandsOutTheNextJobsInTheSameAnswer) {
  auto jobs = claimed("emails", 1);
  const json done = jobs.begin()->second;
  const std::string next1 = api_->createJob("emails");
  const std::string next2 = api_->createJob("emails");
  api_->createJob("emails");  // stays: the claim's limit is 2

  const HttpResult r =
      ack(json::array({complete(done)}), {{"claim", {{"queue_name", "emails"}, {"limit", 2}, {"lease_duration_secs", 60}}}});
  ASSERT_EQ(r.status, 200) << r.describe();
  EXPECT_EQ(r.body["results"][0]["success"], true);
  const json& claimedNow = r.body.at("jobs");
  ASSERT_EQ(claimedNow.size(), 2u) << r.describe();
  std::set<std::string> ids;
  for (const json& job : claimedNow) {
    ids.insert(job.at("id"));
    EXPECT_TRUE(job.at("lease_id").is_string()) << job.dump();
    EXPECT_EQ(job.at("queue_name"), "emails");
    EXPECT_TRUE(job.contains("payload") && job.contains("lease_expires_at")) << job.dump();
    const json stored = api_->getJob(job.at("id"));
    EXPECT_EQ(stored["status"], "processing");
    EXPECT_EQ(stored["assigned_worker_id"], worker_);
    EXPECT_EQ(stored["lease_id"], job["lease_id"]);
  }
  EXPECT_EQ(ids, (std::set<std::string>{next1, next2}));
  EXPECT_EQ(api_->getJob(done["id"])["status"], "completed");
}

TEST_F(JobAckApiTest, AClaimAloneWorksAndAnEmptyQueueAnswersNoJobs) {
  worker_ = api_->registerWorker("emails");
  const HttpResult empty = ack(json::array(), {{"claim", {{"queue_name", "emails"}, {"limit", 5}}}});
  ASSERT_EQ(empty.status, 200) << empty.describe();
  EXPECT_EQ(empty.body, (json{{"results", json::array()}, {"jobs", json::array()}}));
  const std::string id = api_->createJob("emails");
  const HttpResult one = ack(json::array(), {{"claim", {{"queue_name", "emails"}, {"limit", 5}}}});
  ASSERT_EQ(one.body.at("jobs").size(), 1u) << one.describe();
  EXPECT_EQ(one.body["jobs"][0]["id"], id);
}

TEST_F(JobAckApiTest, RequestLevelMistakesAre400AndChangeNothing) {
  auto jobs = claimed("emails", 1);
  const json job = jobs.begin()->second;
  json tooMany = json::array();
  for (int i = 0; i < 1001; ++i) tooMany.push_back(complete(job));
  const HttpResult over = ack(tooMany);
  EXPECT_EQ(over.status, 400) << over.describe();
  EXPECT_EQ(over.body["code"], "VALIDATION_ERROR");
  EXPECT_NE(over.body["message"].get<std::string>().find("1000"), std::string::npos) << over.describe();

  const HttpResult noWorker = http_->post("/api/v1/jobs/ack", {{"acks", json::array({complete(job)})}});
  EXPECT_EQ(noWorker.status, 400) << noWorker.describe();
  const HttpResult notArray = ack(json{{"job_id", job["id"]}});
  EXPECT_EQ(notArray.status, 400) << notArray.describe();
  const HttpResult badClaim = ack(json::array({complete(job)}), {{"claim", {{"queue_name", "emails"}, {"limit", 0}}}});
  EXPECT_EQ(badClaim.status, 400) << badClaim.describe();
  EXPECT_EQ(api_->getJob(job["id"])["status"], "processing");

  json exactly = json::array({complete(job)});
  for (int i = 1; i < 1000; ++i) exactly.push_back(complete(job));
  const HttpResult atLimit = ack(exactly);
  ASSERT_EQ(atLimit.status, 200) << atLimit.describe();
  EXPECT_EQ(atLimit.body["results"].size(), 1000u);
  EXPECT_EQ(api_->getJob(job["id"])["status"], "completed");
}

TEST_F(JobAckApiTest, AQueueLimitedKeyMaySettleItsQueuesJobsOnly) {
  const json key = AccountSteps::createKey(*http_, {{"name", "emails only"}, {"queues", {"emails"}}});
  auto mine = claimed("emails", 1);
  const std::string worker = worker_;
  auto theirs = claimed("billing", 1);
  worker_ = worker;
  HttpClient limited(server_.baseUrl(), key.at("key").get<std::string>());
  const json body = {{"worker_id", worker},
                     {"acks", json::array({complete(mine.begin()->second), complete(theirs.begin()->second)})}};
  const HttpResult r = limited.post("/api/v1/jobs/ack", body);
  ASSERT_EQ(r.status, 200) << r.describe();
  EXPECT_EQ(r.body["results"][0]["success"], true) << r.describe();
  EXPECT_EQ(r.body["results"][1]["error"]["code"], "ACCESS_DENIED") << r.describe();
  EXPECT_EQ(api_->getJob(theirs.begin()->first)["status"], "processing");

  const HttpResult claimOther =
      limited.post("/api/v1/jobs/ack", {{"worker_id", worker}, {"claim", {{"queue_name", "billing"}}}});
  EXPECT_EQ(claimOther.status, 403) << claimOther.describe();
}

}  // namespace
}  // namespace spooled::test
