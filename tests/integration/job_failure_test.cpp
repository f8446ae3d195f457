// Failure paths over HTTP: retry with backoff, dead-lettering, non-retryable failures, stale leases,
// and leases that expire and are reaped.
#include "common/time.hpp"
#include "support/server_test.hpp"

namespace spooled::test {
namespace {

using namespace std::chrono_literals;

class JobFailureTest : public ServerTest {};

TEST_F(JobFailureTest, FailRetriesWithBackoffThenDeadLetters) {
  const std::string id = api_->createJob("flaky", {{"max_retries", 1}});
  const std::string worker = api_->registerWorker("flaky");

  const json first = api_->claim("flaky", worker).at(0);
  const auto failedAt = nowMs();
  const auto r1 = api_->settle("fail", first, worker, {{"error", "smtp down"}});
  ASSERT_EQ(r1.status, 200) << r1.describe();
  EXPECT_EQ(r1.body["success"], true);

  const json retrying = api_->getJob(id);
  EXPECT_TRUE(retrying["status"] == "pending" || retrying["status"] == "scheduled") << retrying.dump();
  EXPECT_EQ(retrying["retry_count"], 1);
  EXPECT_EQ(retrying["last_error"], "smtp down");
  ASSERT_TRUE(retrying["scheduled_at"].is_string()) << retrying.dump();
  const auto retryAt = parseIso8601(retrying["scheduled_at"].get<std::string>());
  ASSERT_TRUE(retryAt.has_value());
  EXPECT_GT(*retryAt, failedAt);  // backoff: not due yet
  EXPECT_TRUE(api_->claim("flaky", worker).empty());

  // The backoff after the first failure is about 2 s; poll until the job is handed out again.
  json second;
  ASSERT_TRUE(waitUntil(
      [&] {
        const json jobs = api_->claim("flaky", worker);
        if (jobs.empty()) return false;
        second = jobs[0];
        return true;
      },
      15s));
  EXPECT_EQ(second["id"], id);
  EXPECT_EQ(second["retry_count"], 1);

  const auto r2 = api_->settle("fail", second, worker, {{"error", "still down"}});
  ASSERT_EQ(r2.status, 200) << r2.describe();
  const json dead = api_->getJob(id);
  EXPECT_EQ(dead["status"], "deadletter");
  EXPECT_EQ(dead["retry_count"], 2);
  EXPECT_EQ(dead["last_error"], "still down");
}

TEST_F(JobFailureTest, NonRetryableFailureDeadLettersAtOnce) {
  const std::string id = api_->createJob("fatal", {{"max_retries", 5}});
  const std::string worker = api_->registerWorker("fatal");
  const json job = api_->claim("fatal", worker).at(0);
  const auto r = api_->settle("fail", job, worker, {{"error", "bad input"}, {"retryable", false}});
  ASSERT_EQ(r.status, 200) << r.describe();
  EXPECT_EQ(api_->getJob(id)["status"], "deadletter");
}

TEST_F(JobFailureTest, ZeroMaxRetriesDeadLettersOnFirstFailure) {
  const std::string id = api_->createJob("once", {{"max_retries", 0}});
  const std::string worker = api_->registerWorker("once");
  const json job = api_->claim("once", worker).at(0);
  ASSERT_EQ(api_->settle("fail", job, worker, {{"error", "nope"}}).status, 200);
  const json dead = api_->getJob(id);
  EXPECT_EQ(dead["status"], "deadletter");
  EXPECT_EQ(dead["retry_count"], 1);
}

TEST_F(JobFailureTest, StaleLeaseIsRefusedAndChangesNothing) {
  const std::string id = api_->createJob("lease");
  const std::string worker = api_->registerWorker("lease");
  json job = api_->claim("lease", worker).at(0);
  const json before = api_->getJob(id);

  json stale = job;
  stale["lease_id"] = "00000000-0000-4000-8000-000000000000";
  for (const auto& [action, extra] : std::vector<std::pair<std::string, json>>{
           {"heartbeat", {{"lease_duration_secs", 30}}}, {"complete", json::object()},
           {"fail", {{"error", "x"}}}, {"progress", {{"percent", 50}}}}) {
    const auto r = api_->settle(action, stale, worker, extra);
    EXPECT_EQ(r.status, 409) << action << " " << r.describe();
    EXPECT_EQ(r.body["code"], "LEASE_EXPIRED") << action;
  }
  // Another worker, right lease id: refused too.
  const auto other = api_->settle("complete", job, api_->registerWorker("lease"));
  EXPECT_EQ(other.status, 409) << other.describe();
  EXPECT_EQ(other.body["code"], "LEASE_EXPIRED");

  EXPECT_EQ(api_->getJob(id), before);
  EXPECT_EQ(api_->settle("complete", job, worker).status, 200);  // the real holder still can
}

TEST_F(JobFailureTest, ExpiredLeaseIsReapedBackToTheQueue) {
  const std::string id = api_->createJob("reap");
  const std::string worker = api_->registerWorker("reap");
  const json job = api_->claim("reap", worker, {{"lease_duration_secs", 5}}).at(0);

  // The reaper runs every second; a 5 s lease is back in the queue well within 15 s.
  json seen;
  ASSERT_TRUE(waitUntil(
      [&] {
        seen = api_->getJob(id);
        return seen["status"] != "processing";
      },
      15s))
      << seen.dump();
  EXPECT_EQ(seen["status"], "pending") << seen.dump();
  EXPECT_EQ(seen["retry_count"], 1);
  EXPECT_TRUE(seen["lease_id"].is_null());

  // The old holder is refused; a fresh claim gets the job with a new lease.
  const auto late = api_->settle("complete", job, worker);
  EXPECT_EQ(late.status, 409) << late.describe();
  EXPECT_EQ(late.body["code"], "LEASE_EXPIRED");
  const json again = api_->claim("reap", worker).at(0);
  EXPECT_EQ(again["id"], id);
  EXPECT_NE(again["lease_id"], job["lease_id"]);
}

}  // namespace
}  // namespace spooled::test
