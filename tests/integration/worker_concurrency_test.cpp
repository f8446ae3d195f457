// SpooledWorker against a real server: at most `concurrency` jobs are held at once, and workers
// sharing a queue never run the same job.
#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>

#include "support/worker_fixture.hpp"

namespace spooled::test {
namespace {

class WorkerConcurrencyTest : public WorkerFixture {};

void raiseMax(std::atomic<int>& max, int value) {
  int seen = max.load();
  while (value > seen && !max.compare_exchange_weak(seen, value)) {
  }
}

TEST_F(WorkerConcurrencyTest, NeverRunsOrHoldsMoreThanConcurrencyJobs) {
  constexpr int kJobs = 15;
  std::vector<std::string> ids;
  for (int i = 0; i < kJobs; ++i) ids.push_back(createJob("image-processing", {{"n", i}}));

  WorkerOptions options = fastOptions("image-processing");
  options.concurrency = 3;
  std::atomic<int> running{0};
  std::atomic<int> maxRunning{0};
  std::atomic<int> held{0};  // claimed and not yet settled: what the claim limit bounds
  std::atomic<int> maxHeld{0};
  std::atomic<int> completed{0};
  SpooledWorker worker(*client_, options);
  worker.on("job:claimed", [&](const WorkerEvent&) { raiseMax(maxHeld, ++held); });
  worker.on("job:completed", [&](const WorkerEvent&) {
    --held;
    ++completed;
  });
  worker.process([&](JobContext& ctx) -> json {
    raiseMax(maxRunning, ++running);
    ctx.waitCancelled(100ms);
    --running;
    return {{"n", ctx.payload["n"]}};
  });
  worker.start();

  ASSERT_TRUE(waitUntil([&] { return completed.load() == kJobs; }, 30s)) << completed.load();
  EXPECT_EQ(maxRunning.load(), 3);  // the slots were all used, and never more
  EXPECT_LE(maxHeld.load(), 3);
  for (const auto& id : ids) EXPECT_EQ(job(id).status, "completed");
}

TEST_F(WorkerConcurrencyTest, TwoWorkersOnOneQueueRunEachJobExactlyOnce) {
  constexpr int kJobs = 100;
  std::vector<std::string> ids;
  for (int i = 0; i < kJobs; ++i) ids.push_back(createJob("emails", {{"n", i}}));

  std::mutex mutex;
  std::map<std::string, int> runs;
  std::map<std::string, int> byWorker;
  auto handler = [&](JobContext& ctx) -> json {
    {
      const std::lock_guard lock(mutex);
      ++runs[ctx.jobId];
      ++byWorker[ctx.workerId];
    }
    ctx.waitCancelled(5ms);
    return {{"by", ctx.workerId}};
  };
  SpooledClient otherClient(clientOptions());
  std::atomic<int> completed{0};
  SpooledWorker first(*client_, fastOptions("emails"));
  SpooledWorker second(otherClient, fastOptions("emails"));
  for (SpooledWorker* worker : {&first, &second}) {
    worker->on("job:completed", [&](const WorkerEvent&) { ++completed; });
    worker->process(handler);
  }
  first.start();
  second.start();

  ASSERT_TRUE(waitUntil([&] { return completed.load() == kJobs; }, 60s)) << completed.load();
  first.stop();
  second.stop();
  ASSERT_TRUE(first.waitFor(10s));
  ASSERT_TRUE(second.waitFor(10s));

  const std::lock_guard lock(mutex);
  EXPECT_EQ(runs.size(), static_cast<std::size_t>(kJobs));
  for (const auto& [id, count] : runs) EXPECT_EQ(count, 1) << id;
  EXPECT_EQ(completed.load(), kJobs);
  for (const auto& id : ids) EXPECT_EQ(job(id).status, "completed");
  for (const auto& [workerId, count] : byWorker) std::cout << "worker " << workerId << " ran " << count << " jobs\n";
}

}  // namespace
}  // namespace spooled::test
