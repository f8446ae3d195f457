// The workers guide's example programs, run as real processes against a real server: each processes
// a job of its queue the way its guide section describes, then exits 0 on SIGTERM after a graceful
// shutdown.
#include <signal.h>

#include <filesystem>

#include "support/child_process.hpp"
#include "support/worker_fixture.hpp"

namespace spooled::test {
namespace {

class ExamplesTest : public WorkerFixture {
 protected:
  // Starts build/bin/examples/<name> against this test's server.
  std::unique_ptr<ChildProcess> startExample(const std::string& name) {
    const std::string path = std::string(SPOOLED_EXAMPLES_DIR) + "/" + name;
    if (!std::filesystem::exists(path)) {
      ADD_FAILURE() << path << " is missing: build the target example_" << name << " first";
      return nullptr;
    }
    return std::make_unique<ChildProcess>(
        std::vector<std::string>{path},
        std::map<std::string, std::string>{{"SPOOLED_API_URL", server_.baseUrl()},
                                           {"SPOOLED_API_KEY", server_.apiKey()},
                                           {"APP_ENV", "test"}});
  }

  // SIGTERM, then the example must shut down gracefully and exit 0.
  void expectCleanExitOnSigterm(ChildProcess& example) {
    example.signal(SIGTERM);
    const std::optional<int> code = example.waitExit(20s);
    ASSERT_TRUE(code.has_value()) << "still running 20 s after SIGTERM:\n" << example.output();
    EXPECT_EQ(*code, 0) << example.output();
  }

  Job waitForStatusOf(ChildProcess& example, const std::string& id, const std::string& status) {
    const Job j = waitForStatus(id, status, 20s);
    if (j.status != status) ADD_FAILURE() << example.output();
    return j;
  }

  // No worker of the example is registered any more (they deregistered on shutdown).
  bool allWorkersOffline() {
    for (const auto& w : client_->workers().list()) {
      if (w.status != "offline") return false;
    }
    return true;
  }
};

TEST_F(ExamplesTest, BasicWorkerSendsTheEmail) {
  auto example = startExample("basic_worker");
  ASSERT_TRUE(example);
  const std::string id = createJob("emails", {{"to", "ada@example.com"}});
  const Job done = waitForStatusOf(*example, id, "completed");
  EXPECT_EQ(done.result.value_or(json()), (json{{"sent", true}}));
  EXPECT_TRUE(example->waitForOutput("Processing job " + id, 5s)) << example->output();
  expectCleanExitOnSigterm(*example);
  EXPECT_TRUE(allWorkersOffline());
}

TEST_F(ExamplesTest, ConfigurationWorksMyQueue) {
  auto example = startExample("configuration");
  ASSERT_TRUE(example);
  const std::string id = createJob("my-queue");
  const Job done = waitForStatusOf(*example, id, "completed");
  EXPECT_EQ(done.result.value_or(json()), (json{{"queue", "my-queue"}}));
  EXPECT_TRUE(example->waitForOutput("concurrency 10", 5s)) << example->output();
  expectCleanExitOnSigterm(*example);
}

TEST_F(ExamplesTest, JobContextReportsProgressPerItem) {
  auto example = startExample("job_context");
  ASSERT_TRUE(example);
  const std::string id = createJob("emails", {{"items", {"a", "b", "c", "d"}}});
  const Job done = waitForStatusOf(*example, id, "completed");
  EXPECT_EQ(done.result.value_or(json()), (json{{"processedItems", 4}}));
  EXPECT_DOUBLE_EQ(done.progress.value_or(0), 100.0);
  EXPECT_EQ(done.progressMessage.value_or(""), "Processed item 4");
  expectCleanExitOnSigterm(*example);
}

TEST_F(ExamplesTest, EventsPrintsTheJobAndWorkerLifecycle) {
  auto example = startExample("events");
  ASSERT_TRUE(example);
  const std::string ok = createJob("emails");
  const std::string bad = createJob("emails", {{"fail", true}}, 0);
  waitForStatusOf(*example, ok, "completed");
  waitForStatusOf(*example, bad, "deadletter");
  EXPECT_TRUE(example->waitForOutput("Completed " + ok + ": {\"done\":true}", 5s)) << example->output();
  EXPECT_TRUE(example->waitForOutput("Failed " + bad + ": asked to fail", 5s)) << example->output();
  const std::string output = example->output();
  EXPECT_NE(output.find("Claimed job " + ok), std::string::npos) << output;
  EXPECT_NE(output.find("Started processing " + ok), std::string::npos) << output;
  expectCleanExitOnSigterm(*example);
  EXPECT_NE(example->output().find("Worker stopped: SIGTERM received"), std::string::npos) << example->output();
}

TEST_F(ExamplesTest, RealtimePrintsTheQueuesEventsAsTheyHappen) {
  auto example = startExample("realtime");
  ASSERT_TRUE(example);
  ASSERT_TRUE(example->waitForOutput("[connected]", 10s)) << example->output();
  const std::string id = createJob("emails");
  EXPECT_TRUE(example->waitForOutput("job.created {", 10s)) << example->output();
  EXPECT_NE(example->output().find(id), std::string::npos) << example->output();
  expectCleanExitOnSigterm(*example);
}

TEST_F(ExamplesTest, GracefulShutdownFinishesTheRunningJobBeforeExiting) {
  auto example = startExample("graceful_shutdown");
  ASSERT_TRUE(example);
  const std::string id = createJob("emails", {{"seconds", 2}});
  waitForStatusOf(*example, id, "processing");
  expectCleanExitOnSigterm(*example);
  // The job was running when SIGTERM arrived; the example exited only after completing it.
  EXPECT_EQ(job(id).status, "completed");
  EXPECT_EQ(job(id).result.value_or(json()), (json{{"done", true}}));
  const std::string output = example->output();
  EXPECT_NE(output.find("Received SIGTERM, shutting down..."), std::string::npos) << output;
  EXPECT_NE(output.find("Worker stopped gracefully"), std::string::npos) << output;
}

TEST_F(ExamplesTest, ErrorHandlingRetriesOrDeadLetters) {
  auto example = startExample("error_handling");
  ASSERT_TRUE(example);
  const std::string ok = createJob("emails", {{"userId", "1"}, {"template", "welcome"}});
  const std::string malformed = createJob("emails", {{"template", "welcome"}}, 5);
  const std::string unknownUser = createJob("emails", {{"userId", "99"}, {"template", "welcome"}}, 0);
  EXPECT_EQ(waitForStatusOf(*example, ok, "completed").result.value_or(json()), (json{{"sent", true}}));
  const Job dead = waitForStatusOf(*example, malformed, "deadletter");
  EXPECT_EQ(dead.lastError.value_or(""), "Invalid payload format");
  EXPECT_EQ(dead.retryCount, 1);  // no retries although five were allowed
  EXPECT_EQ(waitForStatusOf(*example, unknownUser, "deadletter").lastError.value_or(""), "User not found: 99");
  expectCleanExitOnSigterm(*example);
}

TEST_F(ExamplesTest, MultipleWorkersServeBothQueuesAndStopTogether) {
  auto example = startExample("multiple_workers");
  ASSERT_TRUE(example);
  const std::string email = createJob("emails", {{"to", "ada@example.com"}});
  const std::string report = createJob("reports", {{"name", "weekly"}});
  EXPECT_EQ(waitForStatusOf(*example, email, "completed").result.value_or(json())["sent"], true);
  EXPECT_EQ(waitForStatusOf(*example, report, "completed").result.value_or(json())["report"], "weekly");
  EXPECT_EQ(client_->workers().list().size(), 2u);
  expectCleanExitOnSigterm(*example);
  EXPECT_TRUE(allWorkersOffline());
}

TEST_F(ExamplesTest, ConcurrencyServesCpuAndIoQueues) {
  auto example = startExample("concurrency");
  ASSERT_TRUE(example);
  std::vector<std::string> calls;
  for (int i = 0; i < 10; ++i) calls.push_back(createJob("api-calls", {{"url", "https://example.com/" + std::to_string(i)}}));
  const std::string image = createJob("image-processing", {{"image", "cat.png"}});
  for (const auto& id : calls) waitForStatusOf(*example, id, "completed");
  EXPECT_EQ(waitForStatusOf(*example, image, "completed").result.value_or(json())["image"], "cat.png");
  expectCleanExitOnSigterm(*example);
  EXPECT_TRUE(allWorkersOffline());
}

TEST_F(ExamplesTest, LongRunningReportsProgressAndCompletes) {
  auto example = startExample("long_running");
  ASSERT_TRUE(example);
  const std::string id = createJob("video-processing", {{"videoUrl", "talk.mp4"}, {"seconds", 2}});
  const Job done = waitForStatusOf(*example, id, "completed");
  EXPECT_EQ(done.result.value_or(json()), (json{{"processed", true}}));
  EXPECT_DOUBLE_EQ(done.progress.value_or(0), 100.0);
  expectCleanExitOnSigterm(*example);
}

TEST_F(ExamplesTest, ProductionWorkerSendsValidEmailsAndDeadLettersInvalidOnes) {
  auto example = startExample("production_worker");
  ASSERT_TRUE(example);
  const std::string valid = createJob("emails", {{"to", "ada@example.com"}, {"template", "welcome"}});
  const std::string invalid = createJob("emails", {{"to", "ada@example.com"}}, 3);
  const Job sent = waitForStatusOf(*example, valid, "completed");
  const json result = sent.result.value_or(json());
  EXPECT_EQ(result.value("sent", false), true) << result.dump();
  EXPECT_EQ(result.value("messageId", "").rfind("msg_", 0), 0u) << result.dump();
  const Job dead = waitForStatusOf(*example, invalid, "deadletter");
  EXPECT_EQ(dead.lastError.value_or(""), "Missing required fields: to, template");
  EXPECT_EQ(dead.retryCount, 1);
  expectCleanExitOnSigterm(*example);
  const std::string output = example->output();
  EXPECT_NE(output.find("Received SIGTERM, initiating graceful shutdown..."), std::string::npos) << output;
  EXPECT_NE(output.find("Worker terminated."), std::string::npos) << output;
}

TEST_F(ExamplesTest, SigintAlsoStopsAnExampleGracefully) {
  auto example = startExample("basic_worker");
  ASSERT_TRUE(example);
  const std::string id = createJob("emails");
  waitForStatusOf(*example, id, "completed");
  example->signal(SIGINT);
  EXPECT_EQ(example->waitExit(20s), 0) << example->output();
}

// Workflows: the pipeline runs fetch first, publish last, resize and thumbnail in between, then exits 0.
TEST_F(ExamplesTest, PipelineWorkflowRunsItsStepsInDependencyOrder) {
  auto example = startExample("pipeline_workflow");
  ASSERT_TRUE(example);
  const std::optional<int> code = example->waitExit(60s);
  ASSERT_TRUE(code.has_value()) << example->output();
  EXPECT_EQ(*code, 0) << example->output();
  const std::string out = example->output();
  const auto at = [&](const std::string& line) { return out.find(line + "\n"); };
  for (const char* line : {"done fetch", "start resize", "start thumbnail", "done resize", "done thumbnail",
                           "start publish", "workflow completed: 4 of 4 jobs completed"})
    ASSERT_NE(at(line), std::string::npos) << line << "\n" << out;
  EXPECT_LT(at("done fetch"), at("start resize")) << out;
  EXPECT_LT(at("done fetch"), at("start thumbnail")) << out;
  EXPECT_LT(at("done resize"), at("start publish")) << out;
  EXPECT_LT(at("done thumbnail"), at("start publish")) << out;
}

}  // namespace
}  // namespace spooled::test
