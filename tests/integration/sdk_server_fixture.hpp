#pragma once
// gtest fixture for SDK tests: a fresh spooled-server and a SpooledClient for it (short retry waits),
// plus the worker steps the queue and DLQ tests need.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>

#include "spooled/spooled.hpp"
#include "support/server_process.hpp"

namespace spooled::test {

class SdkServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.start();
    ClientOptions options;
    options.apiKey = server_.apiKey();
    options.baseUrl = server_.baseUrl();
    options.retry.baseDelay = std::chrono::milliseconds(20);
    options.retry.maxDelay = std::chrono::milliseconds(100);
    client_ = std::make_unique<SpooledClient>(options);
  }
  void TearDown() override {
    if (HasFailure()) std::cerr << server_.logs();
  }

  std::string createJob(const std::string& queue, int maxRetries = 3) {
    return client_->jobs().create({.queueName = queue, .payload = {{"n", 1}}, .maxRetries = maxRetries}).id;
  }

  std::string registerWorker(const std::string& queue) {
    return client_->workers().registerWorker({.queueName = queue, .hostname = "sdk-test"}).id;
  }

  std::vector<ClaimedJob> claim(const std::string& queue, const std::string& workerId, int limit = 1) {
    return client_->jobs().claim({.queueName = queue, .workerId = workerId, .limit = limit});
  }

  // A job of `queue` failed once with no retries left: now in the dead-letter queue.
  std::string deadLetterJob(const std::string& queue) {
    const std::string id = createJob(queue, 0);
    const std::string worker = registerWorker(queue);
    for (const ClaimedJob& job : claim(queue, worker, 100)) {
      if (job.id != id) continue;
      client_->jobs().fail(id, {.workerId = worker, .leaseId = job.leaseId, .error = "boom"});
      return id;
    }
    throw std::runtime_error("could not claim job " + id + " to dead-letter it");
  }

  ServerProcess server_;
  std::unique_ptr<SpooledClient> client_;
};

}  // namespace spooled::test
