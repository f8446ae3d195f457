// JobsResource::acknowledge (our batched-acknowledgement extension) against a real server: per-item
// outcomes in request order, the claim it carries, and the limit checked before any request.
#include <set>

#include "sdk_server_fixture.hpp"

namespace spooled::test {
namespace {

class SdkJobAckTest : public SdkServerTest {
 protected:
  JobsResource& jobs() { return client_->jobs(); }
};

TEST_F(SdkJobAckTest, SettlesEachItemOnItsOwnAndClaimsTheNextJobs) {
  for (int i = 0; i < 3; ++i) createJob("emails", 3);
  const std::string worker = registerWorker("emails");
  const std::vector<ClaimedJob> held = claim("emails", worker, 3);
  ASSERT_EQ(held.size(), 3u);
  const std::string next = createJob("emails");

  const AckBatchResult r = jobs().acknowledge(
      {.workerId = worker,
       .acks = {{.jobId = held[0].id, .leaseId = held[0].leaseId, .result = json{{"ok", true}}},
                {.jobId = held[1].id, .leaseId = held[1].leaseId, .status = AckStatus::failed, .error = "later"},
                {.jobId = held[2].id, .leaseId = std::string("not-the-lease")}},
       .claim = AckClaimParams{.queueName = "emails", .limit = 5}});

  ASSERT_EQ(r.results.size(), 3u);
  EXPECT_EQ(r.results[0].jobId, held[0].id);
  EXPECT_TRUE(r.results[0].success);
  EXPECT_FALSE(r.results[0].willRetry.has_value());
  EXPECT_TRUE(r.results[1].success);
  EXPECT_EQ(r.results[1].willRetry, std::optional<bool>(true));
  EXPECT_FALSE(r.results[2].success);
  EXPECT_EQ(r.results[2].errorCode, "LEASE_EXPIRED");
  EXPECT_FALSE(r.results[2].errorMessage.empty());
  ASSERT_EQ(r.jobs.size(), 1u);
  EXPECT_EQ(r.jobs[0].id, next);
  EXPECT_TRUE(r.jobs[0].leaseId.has_value());

  EXPECT_EQ(jobs().get(held[0].id).result.value_or(json()), (json{{"ok", true}}));
  EXPECT_EQ(jobs().get(held[1].id).status, "pending");
  EXPECT_EQ(jobs().get(held[2].id).status, "processing");
  // The claimed job is this worker's: its lease settles it.
  const AckBatchResult done =
      jobs().acknowledge({.workerId = worker, .acks = {{.jobId = next, .leaseId = r.jobs[0].leaseId}}});
  EXPECT_TRUE(done.results.at(0).success);
  EXPECT_TRUE(done.jobs.empty());
}

TEST_F(SdkJobAckTest, MoreThanAThousandAcksAreRefusedBeforeAnyRequest) {
  // Nothing listens there: a request would end in NetworkError, not ValidationError.
  ClientOptions options;
  options.apiKey = "sk_test_nowhere_0123456789";
  options.baseUrl = "http://127.0.0.1:9";
  SpooledClient nowhere(options);
  AckBatchParams params{.workerId = "w"};
  params.acks.resize(1001, AckItem{.jobId = "x"});
  try {
    nowhere.jobs().acknowledge(params);
    FAIL() << "expected ValidationError";
  } catch (const ValidationError& e) {
    EXPECT_NE(std::string(e.what()).find("1000"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace spooled::test
