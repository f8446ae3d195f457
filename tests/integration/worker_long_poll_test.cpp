// Whether a SpooledWorker's claims use our server's long-poll extension (`wait_ms`): by default they
// do; WorkerOptions::longPoll = false sends only what the official Spooled API has. A loopback stub
// records the claim bodies, since the real server accepts both.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "integration/sdk_http_stub.hpp"
#include "spooled/spooled.hpp"

namespace spooled {
namespace {

using namespace std::chrono_literals;
using test::HttpStub;
using test::StubRequest;
using test::StubResponse;

StubResponse answer(const StubRequest& request, int) {
  StubResponse response;
  if (request.target == "/api/v1/workers/register") {
    response.body = R"({"id":"w-1","queue_name":"q","lease_duration_secs":30,"heartbeat_interval_secs":10})";
  } else if (request.target == "/api/v1/jobs/claim") {
    response.body = R"({"jobs":[]})";
  }
  return response;
}

// Runs a worker against the stub until it has sent two claims; returns their bodies.
std::vector<json> claimBodies(bool longPoll) {
  HttpStub stub(answer);
  ClientOptions clientOptions;
  clientOptions.apiKey = "sp_test_stub";
  clientOptions.baseUrl = stub.baseUrl();
  SpooledClient client(clientOptions);
  SpooledWorker worker(client, WorkerOptions{.queueName = "q", .pollInterval = 20ms, .longPoll = longPoll,
                                             .shutdownTimeout = 0ms});
  worker.process([](JobContext&) {});
  worker.start();
  std::vector<json> bodies;
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (bodies.size() < 2 && std::chrono::steady_clock::now() < deadline) {
    bodies.clear();
    for (const StubRequest& request : stub.requests())
      if (request.target == "/api/v1/jobs/claim") bodies.push_back(json::parse(request.body));
    std::this_thread::sleep_for(5ms);
  }
  worker.stop();
  worker.wait();
  return bodies;
}

TEST(WorkerLongPollTest, ClaimsLongPollOurServerByDefault) {
  const std::vector<json> bodies = claimBodies(true);
  ASSERT_GE(bodies.size(), 2u);
  for (const json& body : bodies) EXPECT_EQ(body.value("wait_ms", 0), 20) << body.dump();
}

TEST(WorkerLongPollTest, WithoutLongPollClaimsCarryOnlyOfficialFields) {
  const std::vector<json> bodies = claimBodies(false);
  ASSERT_GE(bodies.size(), 2u);
  for (const json& body : bodies) {
    EXPECT_FALSE(body.contains("wait_ms")) << body.dump();
    EXPECT_EQ(body.value("queue_name", ""), "q");
    EXPECT_EQ(body.value("worker_id", ""), "w-1");
  }
}

}  // namespace
}  // namespace spooled
