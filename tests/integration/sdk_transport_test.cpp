// SpooledClient's transport behaviour against a loopback stub: retries (bounded, only when safe),
// Retry-After, the circuit breaker, timeouts, connection reuse and the headers every request carries.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "integration/sdk_http_stub.hpp"
#include "spooled/spooled.hpp"
#include "support/free_port.hpp"

namespace spooled {
namespace {

using std::chrono::milliseconds;
using test::HttpStub;
using test::StubRequest;
using test::StubResponse;

const std::string kJobJson = R"({"id":"job-1","queue_name":"q","status":"pending","payload":{}})";

ClientOptions fastOptions(const std::string& baseUrl) {
  ClientOptions options;
  options.apiKey = "sp_test_stub";
  options.baseUrl = baseUrl;
  options.connectTimeout = milliseconds(1000);
  options.requestTimeout = milliseconds(2000);
  options.retry.maxRetries = 2;
  options.retry.baseDelay = milliseconds(10);
  options.retry.maxDelay = milliseconds(50);
  options.circuitBreaker.failureThreshold = 100;
  return options;
}

StubResponse status(int code, std::string body = R"({"code":"SERVICE_UNAVAILABLE","message":"try later"})") {
  StubResponse response;
  response.status = code;
  response.body = std::move(body);
  return response;
}

TEST(SdkTransportTest, RequestsCarryBearerKeyUserAgentAndExtraHeaders) {
  HttpStub stub([](const StubRequest&, int) { return status(200, kJobJson); });
  ClientOptions options = fastOptions(stub.baseUrl());
  options.headers["X-Tenant"] = "blue";
  SpooledClient client(options);
  client.jobs().get("job-1");
  const StubRequest request = stub.requests().at(0);
  EXPECT_EQ(request.method, "GET");
  EXPECT_EQ(request.target, "/api/v1/jobs/job-1");
  EXPECT_EQ(request.headers.at("authorization"), "Bearer sp_test_stub");
  EXPECT_EQ(request.headers.at("user-agent"), std::string("spooled-cpp/") + sdkVersion());
  EXPECT_EQ(request.headers.at("x-tenant"), "blue");
}

TEST(SdkTransportTest, BodiesAreSnakeCaseJsonAndQueriesAreEncoded) {
  HttpStub stub([](const StubRequest& r, int) {
    return status(200, r.method == "GET" ? "[]" : R"({"id":"job-1","created":true})");
  });
  SpooledClient client(fastOptions(stub.baseUrl()));
  CreateJobParams params;
  params.queueName = "emails";
  params.maxRetries = 0;
  params.payload = {{"to", "a@b.c"}};
  client.jobs().create(params);
  ListJobsParams list;
  list.queueName = "a b&c";
  list.limit = 5;
  client.jobs().list(list);
  const auto requests = stub.requests();
  EXPECT_EQ(requests.at(0).headers.at("content-type"), "application/json");
  EXPECT_EQ(json::parse(requests.at(0).body),
            (json{{"queue_name", "emails"}, {"max_retries", 0}, {"payload", {{"to", "a@b.c"}}}}));
  EXPECT_EQ(requests.at(1).target, "/api/v1/jobs?queue_name=a%20b%26c&limit=5");
}

TEST(SdkTransportTest, SequentialCallsReuseOneConnection) {
  HttpStub stub([](const StubRequest&, int) { return status(200, kJobJson); });
  SpooledClient client(fastOptions(stub.baseUrl()));
  for (int i = 0; i < 5; ++i) client.jobs().get("job-1");
  EXPECT_EQ(stub.requestCount(), 5);
  EXPECT_EQ(stub.connections(), 1);
}

TEST(SdkTransportTest, IdempotentCallRetriesServerErrorsAFixedNumberOfTimes) {
  HttpStub stub([](const StubRequest&, int) { return status(503); });
  SpooledClient client(fastOptions(stub.baseUrl()));
  EXPECT_THROW(client.jobs().get("job-1"), ServerError);
  EXPECT_EQ(stub.requestCount(), 3);  // the first attempt and maxRetries = 2 more
}

TEST(SdkTransportTest, RetriedCallSucceedsOnceTheServerRecovers) {
  HttpStub stub([](const StubRequest&, int index) { return index < 2 ? status(502) : status(200, kJobJson); });
  SpooledClient client(fastOptions(stub.baseUrl()));
  EXPECT_EQ(client.jobs().get("job-1").id, "job-1");
  EXPECT_EQ(stub.requestCount(), 3);
}

TEST(SdkTransportTest, NonIdempotentCallIsNotRepeatedAfterAServerError) {
  HttpStub stub([](const StubRequest&, int) { return status(500); });
  SpooledClient client(fastOptions(stub.baseUrl()));
  CompleteJobParams params;
  params.workerId = "w-1";
  EXPECT_THROW(client.jobs().complete("job-1", params), ServerError);
  EXPECT_EQ(stub.requestCount(), 1);
}

TEST(SdkTransportTest, RateLimitedCallIsRetriedAfterRetryAfterEvenForPost) {
  HttpStub stub([](const StubRequest&, int index) {
    if (index == 0) {
      StubResponse limited = status(429, R"({"code":"RATE_LIMIT_EXCEEDED","message":"slow down"})");
      limited.headers["Retry-After"] = "1";
      return limited;
    }
    return status(200, R"({"jobs":[]})");
  });
  ClientOptions options = fastOptions(stub.baseUrl());
  options.retry.maxDelay = milliseconds(5000);  // so the server's 1 s is honoured, not capped
  SpooledClient client(options);
  ClaimJobsParams params;
  params.queueName = "q";
  params.workerId = "w-1";
  const auto started = std::chrono::steady_clock::now();
  EXPECT_TRUE(client.jobs().claim(params).empty());
  const auto waited = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(stub.requestCount(), 2);
  EXPECT_GE(waited, milliseconds(900));
  EXPECT_LT(waited, milliseconds(4000));
}

TEST(SdkTransportTest, RateLimitErrorReachesTheCallerWhenRetriesRunOut) {
  HttpStub stub([](const StubRequest&, int) {
    StubResponse limited = status(429, R"({"code":"RATE_LIMIT_EXCEEDED","message":"slow down"})");
    limited.headers["Retry-After"] = "0";
    return limited;
  });
  ClientOptions options = fastOptions(stub.baseUrl());
  options.retry.maxRetries = 1;
  SpooledClient client(options);
  try {
    client.jobs().get("job-1");
    FAIL();
  } catch (const RateLimitError& error) {
    EXPECT_EQ(error.retryAfter(), std::chrono::seconds(0));
  }
  EXPECT_EQ(stub.requestCount(), 2);
}

TEST(SdkTransportTest, OpenCircuitFailsFastWithoutTouchingTheServer) {
  HttpStub stub([](const StubRequest&, int) { return status(503); });
  ClientOptions options = fastOptions(stub.baseUrl());
  options.retry.maxRetries = 0;
  options.circuitBreaker.failureThreshold = 2;
  options.circuitBreaker.resetTimeout = milliseconds(60000);
  SpooledClient client(options);
  EXPECT_THROW(client.jobs().get("job-1"), ServerError);
  EXPECT_THROW(client.jobs().get("job-1"), ServerError);
  try {
    client.jobs().get("job-1");
    FAIL() << "the third call reached the server";
  } catch (const CircuitOpenError& error) {
    EXPECT_NE(std::string(error.what()).find("circuit breaker is open"), std::string::npos);
  }
  EXPECT_EQ(stub.requestCount(), 2);
}

TEST(SdkTransportTest, ClientErrorsDoNotOpenTheCircuit) {
  HttpStub stub([](const StubRequest&, int) { return status(404, R"({"code":"NOT_FOUND","message":"no"})"); });
  ClientOptions options = fastOptions(stub.baseUrl());
  options.circuitBreaker.failureThreshold = 1;
  SpooledClient client(options);
  for (int i = 0; i < 3; ++i) EXPECT_THROW(client.jobs().get("job-1"), NotFoundError);
  EXPECT_EQ(stub.requestCount(), 3);
}

TEST(SdkTransportTest, SlowServerGivesTimeoutError) {
  HttpStub stub([](const StubRequest&, int) {
    StubResponse response;
    response.hang = true;
    return response;
  });
  ClientOptions options = fastOptions(stub.baseUrl());
  options.requestTimeout = milliseconds(200);
  options.retry.maxRetries = 0;
  SpooledClient client(options);
  const auto started = std::chrono::steady_clock::now();
  EXPECT_THROW(client.jobs().get("job-1"), TimeoutError);
  EXPECT_LT(std::chrono::steady_clock::now() - started, milliseconds(2000));
}

TEST(SdkTransportTest, NothingListeningGivesNetworkErrorAfterBoundedRetries) {
  ClientOptions options = fastOptions("http://127.0.0.1:" + std::to_string(test::freePort()));
  options.retry.maxRetries = 3;
  SpooledClient client(options);
  const auto started = std::chrono::steady_clock::now();
  try {
    client.jobs().get("job-1");
    FAIL();
  } catch (const NetworkError& error) {
    EXPECT_EQ(error.code(), "CONNECTION_FAILED") << error.what();
    EXPECT_EQ(error.status(), 0);
  }
  // Three 10-50 ms back-offs, not a hang.
  EXPECT_LT(std::chrono::steady_clock::now() - started, milliseconds(2000));
}

TEST(SdkTransportTest, ClosedClientRefusesCalls) {
  HttpStub stub([](const StubRequest&, int) { return status(200, kJobJson); });
  SpooledClient client(fastOptions(stub.baseUrl()));
  client.close();
  client.close();
  try {
    client.jobs().get("job-1");
    FAIL();
  } catch (const SpooledError& error) {
    EXPECT_EQ(error.code(), "CLIENT_CLOSED");
  }
  EXPECT_EQ(stub.requestCount(), 0);
}

}  // namespace
}  // namespace spooled
