// Which credential each SDK call sends, against a loopback stub: a JWT replaces the API key, the admin
// key goes only to admin calls (and to organization registration), and a client with nothing but an
// admin key sends no Authorization header at all.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "integration/sdk_http_stub.hpp"
#include "spooled/spooled.hpp"

namespace spooled {
namespace {

using std::chrono::milliseconds;
using test::HttpStub;
using test::StubRequest;
using test::StubResponse;

StubResponse answer(std::string body) {
  StubResponse response;
  response.body = std::move(body);
  return response;
}

ClientOptions stubOptions(const HttpStub& stub) {
  ClientOptions options;
  options.baseUrl = stub.baseUrl();
  options.retry.maxRetries = 0;
  return options;
}

const std::string kStats = R"({"organizations":{"total":1,"by_plan":[{"plan":"enterprise","count":1}],)"
                           R"("created_today":1,"created_this_week":1},"jobs":{"total_active":0,"pending":0,)"
                           R"("processing":0,"completed_24h":0,"failed_24h":0},"workers":{"total":0,"healthy":0,)"
                           R"("degraded":0},"system":{"api_version":"v1","uptime_seconds":5}})";

TEST(SdkCredentialsTest, AnAccessTokenIsSentInsteadOfTheApiKey) {
  HttpStub stub([](const StubRequest&, int) { return answer("[]"); });
  ClientOptions options = stubOptions(stub);
  options.apiKey = "sp_test_key";
  options.accessToken = "eyJhbGciOiJIUzI1NiJ9.e30.sig";
  SpooledClient client(options);
  client.apiKeys().list();
  EXPECT_EQ(stub.requests().at(0).headers.at("authorization"), "Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig");
}

TEST(SdkCredentialsTest, TheAdminKeyGoesToAdminCallsOnly) {
  HttpStub stub([](const StubRequest& r, int) {
    return answer(r.target.find("/admin/") != std::string::npos ? kStats : "[]");
  });
  ClientOptions options = stubOptions(stub);
  options.apiKey = "sp_test_key";
  options.adminKey = "admin-secret-0123456789";
  SpooledClient client(options);
  client.apiKeys().list();
  const PlatformStats stats = client.admin().getStats();
  EXPECT_EQ(stats.apiVersion, "v1");
  EXPECT_EQ(stats.organizationsByPlan.at(0).plan, "enterprise");

  const auto requests = stub.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_FALSE(requests[0].headers.contains("x-admin-key")) << "the admin key must not travel with ordinary calls";
  EXPECT_EQ(requests[1].target, "/api/v1/admin/stats");
  EXPECT_EQ(requests[1].headers.at("x-admin-key"), "admin-secret-0123456789");
}

TEST(SdkCredentialsTest, AnAdminOnlyClientSendsNoAuthorization) {
  HttpStub stub([](const StubRequest&, int) { return answer(kStats); });
  ClientOptions options = stubOptions(stub);
  options.adminKey = "admin-secret-0123456789";
  SpooledClient client(options);  // no API key: allowed, since there is an admin key
  client.admin().getStats();
  EXPECT_FALSE(stub.requests().at(0).headers.contains("authorization"));
}

TEST(SdkCredentialsTest, AdminCallsWithoutAnAdminKeyFailBeforeSendingAnything) {
  HttpStub stub([](const StubRequest&, int) { return answer(kStats); });
  ClientOptions options = stubOptions(stub);
  options.apiKey = "sp_test_key";
  SpooledClient client(options);
  EXPECT_THROW(client.admin().getStats(), AuthenticationError);
  EXPECT_THROW(client.admin().listPlans(), AuthenticationError);
  EXPECT_EQ(stub.requestCount(), 0);
}

TEST(SdkCredentialsTest, OptionsReadTheNewKeysFromJson) {
  const ClientOptions options =
      ClientOptions::fromJson(json{{"access_token", "eyJ.a.b"}, {"adminKey", "admin-secret-0123456789"}});
  EXPECT_EQ(options.accessToken, "eyJ.a.b");
  EXPECT_EQ(options.adminKey, "admin-secret-0123456789");
  EXPECT_NO_THROW(options.resolved());
}

}  // namespace
}  // namespace spooled
