// WorkerOptions: the guide's defaults, its JSON keys, and validation that names the bad option.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "spooled/client.hpp"
#include "spooled/worker.hpp"

namespace spooled {
namespace {

using namespace std::chrono_literals;

// The message of the std::invalid_argument `f` throws; fails the test when it throws nothing.
template <typename F>
std::string invalidMessage(F&& f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected std::invalid_argument";
  return {};
}

WorkerOptions valid() { return WorkerOptions{.queueName = "emails"}; }

TEST(WorkerOptionsTest, DefaultsAreTheGuides) {
  const WorkerOptions options;
  EXPECT_EQ(options.concurrency, 5);
  EXPECT_EQ(options.pollInterval, 1000ms);
  EXPECT_TRUE(options.longPoll);
  EXPECT_EQ(options.leaseDuration, 30s);
  EXPECT_EQ(options.heartbeatInterval, 10s);
  EXPECT_EQ(options.shutdownTimeout, 30000ms);
  EXPECT_TRUE(options.batchAcks);
  EXPECT_EQ(options.ackBatchWindow, 2ms);
  EXPECT_EQ(options.workerType, "cpp");
  EXPECT_TRUE(options.metadata.is_object());
  EXPECT_TRUE(options.metadata.empty());
}

TEST(WorkerOptionsTest, ResolvedFillsHostnameAndVersionFromTheMachine) {
  const WorkerOptions options = valid().resolved();
  EXPECT_FALSE(options.hostname.empty());
  EXPECT_EQ(options.version, sdkVersion());
  WorkerOptions mine = valid();
  mine.hostname = "box-1";
  mine.version = "1.0.0";
  EXPECT_EQ(mine.resolved().hostname, "box-1");
  EXPECT_EQ(mine.resolved().version, "1.0.0");
}

TEST(WorkerOptionsTest, FromJsonReadsEveryGuideKey) {
  const WorkerOptions options = WorkerOptions::fromJson(json{
      {"queueName", "my-queue"},
      {"concurrency", 10},
      {"pollInterval", 250},
      {"longPoll", false},
      {"leaseDuration", 60},
      {"heartbeatInterval", 20},
      {"shutdownTimeout", 15000},
      {"batchAcks", false},
      {"ackBatchWindow", 10},
      {"hostname", "worker-7"},
      {"workerType", "cpp"},
      {"version", "1.0.0"},
      {"metadata", {{"env", "production"}, {"region", "us-east-1"}}},
  });
  EXPECT_EQ(options.queueName, "my-queue");
  EXPECT_EQ(options.concurrency, 10);
  EXPECT_EQ(options.pollInterval, 250ms);
  EXPECT_FALSE(options.longPoll);
  EXPECT_EQ(options.leaseDuration, 60s);
  EXPECT_EQ(options.heartbeatInterval, 20s);
  EXPECT_EQ(options.shutdownTimeout, 15000ms);
  EXPECT_FALSE(options.batchAcks);
  EXPECT_EQ(options.ackBatchWindow, 10ms);
  EXPECT_EQ(options.hostname, "worker-7");
  EXPECT_EQ(options.version, "1.0.0");
  EXPECT_EQ(options.metadata["region"], "us-east-1");
  EXPECT_NO_THROW(options.validate());
}

TEST(WorkerOptionsTest, FromJsonKeepsDefaultsForAbsentKeysAndAcceptsSnakeCase) {
  const WorkerOptions options = WorkerOptions::fromJson(json{{"queue_name", "emails"}, {"heartbeat_interval", 0.5}});
  EXPECT_EQ(options.queueName, "emails");
  EXPECT_EQ(options.heartbeatInterval, 500ms);
  EXPECT_EQ(options.concurrency, 5);
}

TEST(WorkerOptionsTest, FromJsonRejectsUnknownKeysAndWrongTypesNamingTheKey) {
  EXPECT_NE(invalidMessage([] { WorkerOptions::fromJson(json{{"concurency", 3}}); }).find("concurency"),
            std::string::npos);
  EXPECT_NE(invalidMessage([] { WorkerOptions::fromJson(json{{"concurrency", "ten"}}); }).find("concurrency"),
            std::string::npos);
  EXPECT_NE(invalidMessage([] { WorkerOptions::fromJson(json{{"leaseDuration", 30.5}}); }).find("leaseDuration"),
            std::string::npos);
  EXPECT_NE(invalidMessage([] { WorkerOptions::fromJson(json{{"longPoll", 1}}); }).find("longPoll"),
            std::string::npos);
  EXPECT_NE(invalidMessage([] { WorkerOptions::fromJson(json{{"metadata", "x"}}); }).find("metadata"),
            std::string::npos);
  EXPECT_NE(invalidMessage([] { WorkerOptions::fromJson(json{{"batchAcks", 1}}); }).find("batchAcks"),
            std::string::npos);
  EXPECT_FALSE(invalidMessage([] { WorkerOptions::fromJson(json::array()); }).empty());
}

struct BadOption {
  const char* option;
  WorkerOptions options;
};

class WorkerOptionsValidationTest : public ::testing::TestWithParam<BadOption> {};

TEST_P(WorkerOptionsValidationTest, ConstructingAWorkerThrowsNamingTheOption) {
  ClientOptions clientOptions;
  clientOptions.apiKey = "sk_test_unit";
  clientOptions.baseUrl = "http://127.0.0.1:9";
  SpooledClient client(clientOptions);
  const std::string message = invalidMessage([&] { SpooledWorker worker(client, GetParam().options); });
  EXPECT_NE(message.find(GetParam().option), std::string::npos) << message;
}

INSTANTIATE_TEST_SUITE_P(
    Each, WorkerOptionsValidationTest,
    ::testing::Values(BadOption{"queueName", WorkerOptions{}},
                      BadOption{"queueName", WorkerOptions{.queueName = "no spaces"}},
                      BadOption{"concurrency", WorkerOptions{.queueName = "q", .concurrency = 0}},
                      BadOption{"concurrency", WorkerOptions{.queueName = "q", .concurrency = 101}},
                      BadOption{"pollInterval", WorkerOptions{.queueName = "q", .pollInterval = 0ms}},
                      BadOption{"leaseDuration", WorkerOptions{.queueName = "q", .leaseDuration = 4s, .heartbeatInterval = 1s}},
                      BadOption{"leaseDuration", WorkerOptions{.queueName = "q", .leaseDuration = 3601s}},
                      BadOption{"heartbeatInterval", WorkerOptions{.queueName = "q", .leaseDuration = 30s, .heartbeatInterval = 30s}},
                      BadOption{"heartbeatInterval", WorkerOptions{.queueName = "q", .heartbeatInterval = 0ms}},
                      BadOption{"shutdownTimeout", WorkerOptions{.queueName = "q", .shutdownTimeout = -1ms}},
                      BadOption{"ackBatchWindow", WorkerOptions{.queueName = "q", .ackBatchWindow = -1ms}},
                      BadOption{"ackBatchWindow", WorkerOptions{.queueName = "q", .ackBatchWindow = 1001ms}},
                      BadOption{"metadata", WorkerOptions{.queueName = "q", .metadata = json::array()}}));

TEST(WorkerOptionsTest, TheGuidesConfigurationIsValid) {
  EXPECT_NO_THROW((WorkerOptions{.queueName = "video-processing", .leaseDuration = 300s, .heartbeatInterval = 60s})
                      .validate());
  EXPECT_NO_THROW((WorkerOptions{.queueName = "api-calls", .concurrency = 50}).validate());
  EXPECT_NO_THROW((WorkerOptions{.queueName = "q", .leaseDuration = 5s, .heartbeatInterval = 1s}).validate());
}

}  // namespace
}  // namespace spooled
