// --retention-completed and --retention-deadletter: finished jobs past their retention disappear by
// themselves; jobs still to run, and dead letters kept longer, stay.
#include <gtest/gtest.h>

#include "support/server_test.hpp"

namespace spooled::test {
namespace {

using namespace std::chrono_literals;

ServerProcessOptions withRetention() {
  ServerProcessOptions options;
  options.extraArgs = {"--retention-completed", "1s", "--retention-deadletter", "1h"};
  return options;
}

class RetentionTest : public ServerTest {
 protected:
  RetentionTest() : ServerTest(withRetention()) {}
};

TEST_F(RetentionTest, CompletedJobsAreDeletedAfterTheirRetentionAndOthersStay) {
  const std::string workerId = api_->registerWorker("r");
  const std::string done = api_->createJob("r");
  const std::string dead = api_->createJob("r", {{"max_retries", 0}});
  json claimed = api_->claim("r", workerId, {{"limit", 2}});
  ASSERT_EQ(claimed.size(), 2u);
  for (const json& job : claimed) {
    if (job.at("id") == done) {
      expectStatus(api_->settle("complete", job, workerId), 200, "complete");
    } else {
      expectStatus(api_->settle("fail", job, workerId, {{"error", "boom"}}), 200, "fail");
    }
  }
  const std::string pending = api_->createJob("r");
  EXPECT_TRUE(waitUntil([&] { return http_->get("/api/v1/jobs/" + done).status == 404; }, 25s))
      << "the completed job outlived its retention";
  EXPECT_EQ(api_->getJob(dead).at("status"), "deadletter");
  EXPECT_EQ(api_->getJob(pending).at("status"), "pending");
}

TEST(RetentionFlags, AnUnreadableDurationStopsTheServerWithAMessageNamingTheFlag) {
  const CommandResult run = runServerCommand({"--retention-completed", "a week"}, 20s);
  EXPECT_EQ(run.exitCode, 2);
  EXPECT_NE(run.stderrText.find("--retention-completed"), std::string::npos) << run.stderrText;
}

}  // namespace
}  // namespace spooled::test
