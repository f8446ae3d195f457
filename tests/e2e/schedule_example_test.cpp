// examples/nightly_schedule.cpp run as a user would: it creates the nightly schedule (02:30 in
// Europe/Berlin), runs it once now, works the job the run made, and exits 0 on SIGTERM.
#include <signal.h>

#include <filesystem>

#include "support/child_process.hpp"
#include "support/worker_fixture.hpp"

namespace spooled::test {
namespace {

class ScheduleExampleTest : public WorkerFixture {};

TEST_F(ScheduleExampleTest, NightlyScheduleCreatesTriggersAndWorksItsJob) {
  const std::string path = std::string(SPOOLED_EXAMPLES_DIR) + "/nightly_schedule";
  ASSERT_TRUE(std::filesystem::exists(path)) << path << " is missing: build the target example_nightly_schedule";
  ChildProcess example({path}, {{"SPOOLED_API_URL", server_.baseUrl()}, {"SPOOLED_API_KEY", server_.apiKey()}});
  ASSERT_TRUE(example.waitForOutput("Building report daily-sales for job", 20s)) << example.output();

  const auto schedules = client_->schedules().list();
  ASSERT_EQ(schedules.size(), 1u);
  EXPECT_EQ(schedules[0].name, "nightly-report");
  EXPECT_EQ(schedules[0].timezone, "Europe/Berlin");
  ASSERT_TRUE(schedules[0].nextRunAt.has_value());
  const std::string next = *schedules[0].nextRunAt;  // 02:30 Berlin: 00:30 or 01:30 UTC
  EXPECT_TRUE(next.find("T00:30:00") != std::string::npos || next.find("T01:30:00") != std::string::npos) << next;
  const auto runs = client_->schedules().history(schedules[0].id);
  ASSERT_EQ(runs.size(), 1u);
  ASSERT_TRUE(runs[0].jobId.has_value());
  EXPECT_EQ(waitForStatus(*runs[0].jobId, "completed", 20s).status, "completed") << example.output();

  example.signal(SIGTERM);
  const std::optional<int> code = example.waitExit(20s);
  ASSERT_TRUE(code.has_value()) << example.output();
  EXPECT_EQ(*code, 0) << example.output();
  EXPECT_NE(example.output().find("run "), std::string::npos) << example.output();
}

}  // namespace
}  // namespace spooled::test
