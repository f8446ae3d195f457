// A worker process that dies mid-job (SIGKILL: no shutdown, no failure report) loses nothing: once
// its lease runs out the server hands the job to another worker.
//
// The victim is this test binary started again with --victim (see main() below), so the test needs
// no extra executable.
#include <signal.h>

#include <atomic>
#include <cstdlib>
#include <iostream>
#include <thread>

#include "support/child_process.hpp"
#include "support/worker_fixture.hpp"

namespace spooled::test {
namespace {

constexpr const char* kQueue = "emails";

// Victim mode: claim one job, announce it, then hang until killed.
int runVictim() {
  SpooledClient client;  // SPOOLED_API_URL / SPOOLED_API_KEY from the parent
  SpooledWorker worker(client, WorkerOptions{.queueName = kQueue,
                                             .concurrency = 1,
                                             .pollInterval = 100ms,
                                             .leaseDuration = 5s,
                                             .heartbeatInterval = 1s});
  worker.process([&](JobContext& ctx) -> json {
    std::cout << "VICTIM_RUNNING " << ctx.jobId << " " << ctx.workerId << std::endl;
    for (;;) std::this_thread::sleep_for(1s);
  });
  worker.run();
  return 0;
}

class WorkerCrashTest : public WorkerFixture {};

TEST_F(WorkerCrashTest, AJobOfAKilledWorkerIsRerunByAnotherAfterTheLeaseExpires) {
  const std::string id = createJob(kQueue, {{"to", "ada@example.com"}}, 3);
  ChildProcess victim({selfExecutable(), "--victim"},
                      {{"SPOOLED_API_URL", server_.baseUrl()}, {"SPOOLED_API_KEY", server_.apiKey()}});
  ASSERT_TRUE(victim.waitForOutput("VICTIM_RUNNING " + id, 20s)) << victim.output();
  const Job held = job(id);
  ASSERT_EQ(held.status, "processing");
  const std::string victimWorker = held.assignedWorkerId.value_or("");
  EXPECT_NE(victim.output().find(victimWorker), std::string::npos);

  victim.signal(SIGKILL);
  ASSERT_EQ(victim.waitExit(10s), 128 + SIGKILL);
  const auto killedAt = std::chrono::steady_clock::now();

  std::atomic<int> seenRetryCount{-1};
  SpooledWorker rescuer(*client_, fastOptions(kQueue));
  rescuer.process([&](JobContext& ctx) -> json {
    seenRetryCount = ctx.retryCount;
    return {{"rescued", true}};
  });
  rescuer.start();

  const Job done = waitForStatus(id, "completed", 30s);
  // Not before the victim's lease (5 s, renewed up to the kill) could have run out.
  EXPECT_GE(std::chrono::steady_clock::now() - killedAt, 3s);
  EXPECT_EQ(done.result.value_or(json()).value("rescued", false), true);
  EXPECT_EQ(done.assignedWorkerId.value_or(rescuer.getWorkerId().value()), rescuer.getWorkerId().value());
  EXPECT_EQ(done.retryCount, 1);  // the expired lease counted as a failed attempt
  EXPECT_EQ(seenRetryCount.load(), 1);
}

}  // namespace
}  // namespace spooled::test

// Our own main (instead of gtest_main's) so the binary can also play the victim.
int main(int argc, char** argv) {
  if (argc > 1 && std::string(argv[1]) == "--victim") {
    try {
      return spooled::test::runVictim();
    } catch (const std::exception& e) {
      std::cerr << "victim: " << e.what() << std::endl;
      return 1;
    }
  }
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
