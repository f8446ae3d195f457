// What pausing, disabling and rate-limiting a queue does to the workers claiming from it, over HTTP.
#include <future>

#include "common/time.hpp"
#include "queue_test_steps.hpp"
#include "support/server_test.hpp"

namespace spooled::test {
namespace {

using namespace std::chrono_literals;

class QueueControlTest : public ServerTest {
 protected:
  HttpResult pause(const std::string& name, const std::optional<json>& body = std::nullopt) {
    return http_->request("POST", "/api/v1/queues/" + name + "/pause", body);
  }
  HttpResult resume(const std::string& name) { return http_->request("POST", "/api/v1/queues/" + name + "/resume"); }
  HttpResult configure(const std::string& name, const json& body) {
    return http_->request("PUT", "/api/v1/queues/" + name + "/config", body);
  }
};

TEST_F(QueueControlTest, APausedQueueHandsOutNothingUntilResumed) {
  const std::string first = api_->createJob("p");
  const std::string worker = api_->registerWorker("p");
  const auto before = nowMs();
  const auto paused = pause("p", json{{"reason", "deploy"}});
  ASSERT_EQ(paused.status, 200) << paused.describe();
  EXPECT_EQ(paused.body["queue_name"], "p");
  EXPECT_EQ(paused.body["paused"], true);
  EXPECT_EQ(paused.body["reason"], "deploy");
  const auto pausedAt = parseIso8601(paused.body["paused_at"].get<std::string>());
  ASSERT_TRUE(pausedAt);
  EXPECT_GE(*pausedAt, before - 1s);

  EXPECT_TRUE(api_->claim("p", worker).empty());
  const std::string second = api_->createJob("p");  // jobs created meanwhile wait too
  EXPECT_TRUE(api_->claim("p", worker, {{"limit", 10}}).empty());
  EXPECT_EQ(api_->getJob(first)["status"], "pending");
  const json config = http_->get("/api/v1/queues/p").body;
  EXPECT_EQ(config["enabled"], false);  // as the official backend shows a paused queue
  EXPECT_EQ(config["paused"], true);
  EXPECT_EQ(config["pause_reason"], "deploy");

  // Other queues are not affected.
  api_->createJob("other");
  EXPECT_EQ(api_->claim("other", worker).size(), 1u);

  const auto resumed = resume("p");
  ASSERT_EQ(resumed.status, 200) << resumed.describe();
  EXPECT_EQ(resumed.body["queue_name"], "p");
  EXPECT_EQ(resumed.body["resumed"], true);
  EXPECT_GE(resumed.body["paused_duration_secs"].get<long long>(), 0);
  const json claimed = api_->claim("p", worker, {{"limit", 10}});
  ASSERT_EQ(claimed.size(), 2u);
  EXPECT_EQ(claimed[0]["id"], first);
  EXPECT_EQ(claimed[1]["id"], second);
  EXPECT_EQ(http_->get("/api/v1/queues/p").body["enabled"], true);
}

TEST_F(QueueControlTest, ResumeReleasesALongPollingWorker) {
  const std::string id = api_->createJob("lp");
  const std::string worker = api_->registerWorker("lp");
  ASSERT_EQ(pause("lp").status, 200);

  auto claim = std::async(std::launch::async, [&] {
    HttpClient own(server_.baseUrl(), server_.apiKey());
    return own.post("/api/v1/jobs/claim", {{"queue_name", "lp"}, {"worker_id", worker}, {"wait_ms", 20000}});
  });
  // While paused, the waiting claim gets nothing, though its job is ready.
  EXPECT_EQ(claim.wait_for(1500ms), std::future_status::timeout);
  const auto resumedAt = std::chrono::steady_clock::now();
  ASSERT_EQ(resume("lp").status, 200);
  ASSERT_EQ(claim.wait_for(10s), std::future_status::ready);
  const HttpResult r = claim.get();
  EXPECT_LT(std::chrono::steady_clock::now() - resumedAt, 5s);  // long before wait_ms ran out
  ASSERT_EQ(r.status, 200) << r.describe();
  ASSERT_EQ(r.body["jobs"].size(), 1u) << r.describe();
  EXPECT_EQ(r.body["jobs"][0]["id"], id);
}

TEST_F(QueueControlTest, PauseCreatesTheQueueAndKeepsTheFirstPauseTime) {
  const auto first = pause("fresh");  // no body: official SDKs send none without a reason
  ASSERT_EQ(first.status, 200) << first.describe();
  EXPECT_TRUE(first.body["reason"].is_null());
  const auto again = pause("fresh", json{{"reason", "still deploying"}});
  ASSERT_EQ(again.status, 200) << again.describe();
  EXPECT_EQ(again.body["paused_at"], first.body["paused_at"]);
  EXPECT_EQ(again.body["reason"], "still deploying");
  EXPECT_EQ(http_->get("/api/v1/queues/fresh").body["paused"], true);
  const json list = http_->get("/api/v1/queues").body;
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["queue_name"], "fresh");
  EXPECT_EQ(list[0]["enabled"], false);

  EXPECT_EQ(pause("fresh", json{{"reason", std::string(501, 'r')}}).status, 400);
  EXPECT_EQ(http_->requestRaw("POST", "/api/v1/queues/fresh/pause", "{oops").status, 400);
  EXPECT_EQ(pause(".bad").status, 400);
  const auto unknown = resume("ghost");
  EXPECT_EQ(unknown.status, 404) << unknown.describe();
  EXPECT_EQ(unknown.body["code"], "NOT_FOUND");
}

TEST_F(QueueControlTest, ADisabledQueueHandsOutNothingAndEnablingLiftsAPause) {
  api_->createJob("d");
  api_->createJob("d");
  const std::string worker = api_->registerWorker("d");
  ASSERT_EQ(configure("d", {{"enabled", false}}).status, 200);
  EXPECT_TRUE(api_->claim("d", worker).empty());
  ASSERT_EQ(configure("d", {{"enabled", true}}).status, 200);
  EXPECT_EQ(api_->claim("d", worker).size(), 1u);

  ASSERT_EQ(pause("d").status, 200);
  EXPECT_TRUE(api_->claim("d", worker).empty());
  const auto enabled = configure("d", {{"enabled", true}});  // as the official backend: enabled means running
  EXPECT_EQ(enabled.body["paused"], false) << enabled.describe();
  EXPECT_EQ(api_->claim("d", worker).size(), 1u);
}

TEST_F(QueueControlTest, RateLimitCapsHowFastJobsAreHandedOut) {
  constexpr int kRate = 5;
  constexpr int kJobs = 15;
  ASSERT_EQ(configure("slow", {{"rate_limit", kRate}}).status, 200);
  json items = json::array();
  for (int i = 0; i < kJobs; ++i) items.push_back({{"payload", {{"i", i}}}});
  ASSERT_EQ(http_->post("/api/v1/jobs/bulk", {{"queue_name", "slow"}, {"jobs", items}}).status, 200);
  const std::string worker = api_->registerWorker("slow");

  const auto start = std::chrono::steady_clock::now();
  std::size_t claimed = 0;
  std::size_t largestClaim = 0;
  ASSERT_TRUE(waitUntil(
      [&] {
        const std::size_t n = api_->claim("slow", worker, {{"limit", 100}}).size();
        claimed += n;
        largestClaim = std::max(largestClaim, n);
        return claimed == static_cast<std::size_t>(kJobs);
      },
      30s))
      << claimed;
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_LE(largestClaim, static_cast<std::size_t>(kRate));
  // One second's worth may go at once; the other 10 jobs at 5 per second take about 2 s more.
  EXPECT_GE(elapsed, 1800ms);

  // Without a limit, the same claim takes every ready job at once.
  for (int i = 0; i < kJobs; ++i) api_->createJob("fast");
  EXPECT_EQ(api_->claim("fast", worker, {{"limit", 100}}).size(), static_cast<std::size_t>(kJobs));
}

}  // namespace
}  // namespace spooled::test
