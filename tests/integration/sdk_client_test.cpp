// SpooledClient against a real spooled-server process: every resource call, and each error class
// produced from a real response.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "spooled/spooled.hpp"
#include "support/server_process.hpp"

namespace spooled {
namespace {

using std::chrono::milliseconds;

const std::string kUnknownId = "00000000-0000-4000-8000-000000000000";

class SdkClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.start();
    client_ = std::make_unique<SpooledClient>(options());
  }
  void TearDown() override {
    if (HasFailure()) std::cerr << server_.logs();
  }

  ClientOptions options(const std::string& apiKey = {}) const {
    ClientOptions o;
    o.apiKey = apiKey.empty() ? server_.apiKey() : apiKey;
    o.baseUrl = server_.baseUrl();
    o.retry.baseDelay = milliseconds(20);
    o.retry.maxDelay = milliseconds(100);
    return o;
  }

  std::string createJob(const std::string& queue, int maxRetries = 3) {
    CreateJobParams params;
    params.queueName = queue;
    params.payload = {{"n", 1}};
    params.maxRetries = maxRetries;
    return client_->jobs().create(params).id;
  }

  std::string registerWorker(const std::string& queue) {
    RegisterWorkerParams params;
    params.queueName = queue;
    params.hostname = "test-host";
    params.workerType = "cpp";
    params.maxConcurrency = 3;
    params.metadata = {{"zone", "a"}};
    params.version = "1.0.0";
    return client_->workers().registerWorker(params).id;
  }

  ClaimedJob claimOne(const std::string& queue, const std::string& workerId) {
    ClaimJobsParams params;
    params.queueName = queue;
    params.workerId = workerId;
    const auto jobs = client_->jobs().claim(params);
    if (jobs.size() != 1) throw std::runtime_error("expected one claimed job, got " + std::to_string(jobs.size()));
    return jobs.front();
  }

  test::ServerProcess server_;
  std::unique_ptr<SpooledClient> client_;
};

TEST_F(SdkClientTest, CreateGetListAndCancelAJob) {
  CreateJobParams params;
  params.queueName = "emails";
  params.payload = {{"to", "a@example.com"}};
  params.priority = 7;
  params.maxRetries = 2;
  params.tags = json{{"team", "growth"}};
  const CreateJobResult created = client_->jobs().create(params);
  EXPECT_TRUE(created.created);

  const Job job = client_->jobs().get(created.id);
  EXPECT_EQ(job.id, created.id);
  EXPECT_EQ(job.queueName, "emails");
  EXPECT_EQ(job.status, "pending");
  EXPECT_EQ(job.payload, (json{{"to", "a@example.com"}}));
  EXPECT_EQ(job.priority, 7);
  EXPECT_EQ(job.maxRetries, 2);
  EXPECT_EQ(job.retryCount, 0);
  EXPECT_FALSE(job.createdAt.empty());

  ListJobsParams filter;
  filter.queueName = "emails";
  const auto listed = client_->jobs().list(filter);
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].id, created.id);
  filter.queueName = "other";
  EXPECT_TRUE(client_->jobs().list(filter).empty());

  client_->jobs().cancel(created.id);
  EXPECT_EQ(client_->jobs().get(created.id).status, "cancelled");
}

TEST_F(SdkClientTest, RepeatedIdempotencyKeyReturnsTheFirstJob) {
  CreateJobParams params;
  params.queueName = "emails";
  params.idempotencyKey = "order-42";
  const auto first = client_->jobs().create(params);
  const auto second = client_->jobs().create(params);
  EXPECT_TRUE(first.created);
  EXPECT_FALSE(second.created);
  EXPECT_EQ(second.id, first.id);
}

TEST_F(SdkClientTest, ClaimHeartbeatProgressAndComplete) {
  const std::string workerId = registerWorker("work");
  const std::string jobId = createJob("work");
  const ClaimedJob claimed = claimOne("work", workerId);
  EXPECT_EQ(claimed.id, jobId);
  EXPECT_EQ(claimed.payload, (json{{"n", 1}}));
  ASSERT_TRUE(claimed.leaseId.has_value());
  EXPECT_EQ(client_->jobs().get(jobId).status, "processing");

  JobHeartbeatParams heartbeat;
  heartbeat.workerId = workerId;
  heartbeat.leaseId = claimed.leaseId;
  heartbeat.leaseDurationSecs = 60;
  client_->jobs().heartbeat(jobId, heartbeat);

  JobProgressParams progress;
  progress.workerId = workerId;
  progress.leaseId = claimed.leaseId;
  progress.percent = 50;
  progress.message = "half way";
  client_->jobs().progress(jobId, progress);
  const Job during = client_->jobs().get(jobId);
  EXPECT_EQ(during.progress, 50.0);
  EXPECT_EQ(during.progressMessage, "half way");
  EXPECT_EQ(during.assignedWorkerId, workerId);

  CompleteJobParams complete;
  complete.workerId = workerId;
  complete.leaseId = claimed.leaseId;
  complete.result = json{{"sent", true}};
  client_->jobs().complete(jobId, complete);
  const Job done = client_->jobs().get(jobId);
  EXPECT_EQ(done.status, "completed");
  EXPECT_EQ(done.result, (json{{"sent", true}}));
}

TEST_F(SdkClientTest, ClaimOnAnEmptyQueueReturnsNothing) {
  const std::string workerId = registerWorker("empty");
  ClaimJobsParams params;
  params.queueName = "empty";
  params.workerId = workerId;
  EXPECT_TRUE(client_->jobs().claim(params).empty());
}

TEST_F(SdkClientTest, LongPollClaimOutlivesTheRequestTimeoutAndWakesOnANewJob) {
  ClientOptions o = options();
  o.requestTimeout = milliseconds(500);  // shorter than the wait: the SDK must extend it
  SpooledClient client(o);
  const std::string workerId = registerWorker("poll");
  std::thread producer([this] {
    std::this_thread::sleep_for(milliseconds(800));
    createJob("poll");
  });
  ClaimJobsParams params;
  params.queueName = "poll";
  params.workerId = workerId;
  params.waitMs = 5000;
  const auto started = std::chrono::steady_clock::now();
  const auto jobs = client.jobs().claim(params);
  const auto waited = std::chrono::steady_clock::now() - started;
  producer.join();
  EXPECT_EQ(jobs.size(), 1u);
  EXPECT_LT(waited, milliseconds(4000));
}

TEST_F(SdkClientTest, NonRetryableFailureDeadLettersAtOnce) {
  const std::string workerId = registerWorker("work");
  const std::string jobId = createJob("work", 5);
  const ClaimedJob claimed = claimOne("work", workerId);
  FailJobParams fail;
  fail.workerId = workerId;
  fail.leaseId = claimed.leaseId;
  fail.error = "bad input";
  fail.retryable = false;
  client_->jobs().fail(jobId, fail);
  const Job job = client_->jobs().get(jobId);
  EXPECT_EQ(job.status, "deadletter");
  EXPECT_EQ(job.lastError, "bad input");
}

TEST_F(SdkClientTest, RetryableFailureReturnsTheJobForAnotherAttempt) {
  const std::string workerId = registerWorker("work");
  const std::string jobId = createJob("work", 3);
  const ClaimedJob claimed = claimOne("work", workerId);
  FailJobParams fail;
  fail.workerId = workerId;
  fail.leaseId = claimed.leaseId;
  fail.error = "flaky";
  client_->jobs().fail(jobId, fail);
  const Job job = client_->jobs().get(jobId);
  EXPECT_NE(job.status, "deadletter");
  EXPECT_NE(job.status, "processing");
  EXPECT_EQ(job.retryCount, 1);
}

TEST_F(SdkClientTest, StaleLeaseIsAConflictWithLeaseExpired) {
  const std::string workerId = registerWorker("work");
  const std::string jobId = createJob("work");
  claimOne("work", workerId);
  CompleteJobParams complete;
  complete.workerId = workerId;
  complete.leaseId = "00000000-0000-4000-8000-00000000beef";
  try {
    client_->jobs().complete(jobId, complete);
    FAIL() << "a stale lease completed the job";
  } catch (const ConflictError& error) {
    EXPECT_EQ(error.status(), 409);
    EXPECT_TRUE(error.isLeaseExpired()) << error.code() << ": " << error.what();
  }
  EXPECT_EQ(client_->jobs().get(jobId).status, "processing");
}

TEST_F(SdkClientTest, HeartbeatOnACancelledJobIsAConflictWithJobCancelled) {
  const std::string workerId = registerWorker("work");
  const std::string jobId = createJob("work");
  const ClaimedJob claimed = claimOne("work", workerId);
  client_->jobs().cancel(jobId);
  JobHeartbeatParams heartbeat;
  heartbeat.workerId = workerId;
  heartbeat.leaseId = claimed.leaseId;
  try {
    client_->jobs().heartbeat(jobId, heartbeat);
    FAIL() << "heartbeat on a cancelled job succeeded";
  } catch (const ConflictError& error) {
    EXPECT_TRUE(error.isJobCancelled()) << error.code() << ": " << error.what();
  }
}

TEST_F(SdkClientTest, WorkersRegisterHeartbeatGetListAndDeregister) {
  RegisterWorkerParams params;
  params.queueName = "images";
  params.hostname = "render-01";
  params.workerType = "cpp";
  params.maxConcurrency = 4;
  params.metadata = {{"gpu", true}};
  params.version = "2.1.0";
  const RegisterWorkerResult registered = client_->workers().registerWorker(params);
  EXPECT_FALSE(registered.id.empty());
  EXPECT_EQ(registered.queueName, "images");
  EXPECT_GT(registered.leaseDurationSecs, 0);
  EXPECT_GT(registered.heartbeatIntervalSecs, 0);

  WorkerHeartbeatParams heartbeat;
  heartbeat.currentJobs = 2;
  heartbeat.status = "degraded";
  client_->workers().heartbeat(registered.id, heartbeat);

  const Worker worker = client_->workers().get(registered.id);
  EXPECT_EQ(worker.hostname, "render-01");
  EXPECT_EQ(worker.queueName, "images");
  EXPECT_EQ(worker.maxConcurrency, 4);
  EXPECT_EQ(worker.currentJobs, 2);
  EXPECT_EQ(worker.status, "degraded");
  EXPECT_EQ(worker.workerType, "cpp");
  EXPECT_EQ(worker.version, "2.1.0");
  EXPECT_EQ(worker.metadata, (json{{"gpu", true}}));

  const auto all = client_->workers().list();
  EXPECT_TRUE(std::any_of(all.begin(), all.end(), [&](const WorkerSummary& w) { return w.id == registered.id; }));
  ListWorkersParams other;
  other.queueName = "not-images";
  EXPECT_TRUE(client_->workers().list(other).empty());

  client_->workers().deregister(registered.id);
  EXPECT_EQ(client_->workers().get(registered.id).status, "offline");
}

TEST_F(SdkClientTest, WrongApiKeyIsAnAuthenticationError) {
  SpooledClient stranger(options("sk_test_wrong_key_0000000000000000"));
  try {
    stranger.jobs().list();
    FAIL();
  } catch (const AuthenticationError& error) {
    EXPECT_EQ(error.status(), 401);
  }
}

TEST_F(SdkClientTest, UnknownJobAndWorkerAreNotFound) {
  EXPECT_THROW(client_->jobs().get(kUnknownId), NotFoundError);
  EXPECT_THROW(client_->workers().get(kUnknownId), NotFoundError);
  EXPECT_THROW(client_->jobs().cancel(kUnknownId), NotFoundError);
}

TEST_F(SdkClientTest, InvalidParamsAreAValidationErrorNamingTheField) {
  CreateJobParams params;  // no queue name
  try {
    client_->jobs().create(params);
    FAIL();
  } catch (const ValidationError& error) {
    EXPECT_EQ(error.status(), 400);
    EXPECT_NE(std::string(error.what()).find("queue_name"), std::string::npos) << error.what();
  }
  params.queueName = "ok";
  params.priority = 1000;
  EXPECT_THROW(client_->jobs().create(params), ValidationError);
}

TEST_F(SdkClientTest, OversizedPayloadIsPayloadTooLarge) {
  CreateJobParams params;
  params.queueName = "big";
  params.payload = {{"blob", std::string(2 * 1024 * 1024, 'x')}};
  try {
    client_->jobs().create(params);
    FAIL();
  } catch (const PayloadTooLargeError& error) {
    EXPECT_EQ(error.status(), 413);
  }
}

TEST_F(SdkClientTest, StoppedServerGivesNetworkErrorAfterBoundedRetries) {
  const std::string jobId = createJob("work");
  server_.stop();
  ClientOptions o = options();
  o.retry.maxRetries = 2;
  SpooledClient client(o);
  const auto started = std::chrono::steady_clock::now();
  try {
    client.jobs().get(jobId);
    FAIL();
  } catch (const NetworkError& error) {
    EXPECT_EQ(error.code(), "CONNECTION_FAILED") << error.what();
  }
  EXPECT_LT(std::chrono::steady_clock::now() - started, milliseconds(3000));
}

TEST_F(SdkClientTest, OneClientIsSharedSafelyByManyThreads) {
  constexpr int kThreads = 4;
  constexpr int kJobsEach = 10;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([this] {
      for (int i = 0; i < kJobsEach; ++i) client_->jobs().get(createJob("shared"));
    });
  }
  for (auto& thread : threads) thread.join();
  ListJobsParams filter;
  filter.queueName = "shared";
  filter.limit = 100;
  EXPECT_EQ(client_->jobs().list(filter).size(), static_cast<std::size_t>(kThreads * kJobsEach));
}

}  // namespace
}  // namespace spooled
