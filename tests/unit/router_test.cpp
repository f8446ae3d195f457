// Route matching without a socket: literal segments beat parameters, 404 vs 405, path parameters.
#include <gtest/gtest.h>

#include "server/http/http_types.hpp"
#include "server/http/router.hpp"

namespace spooled::server {
namespace {

Handler answer(int status) {
  return [status](const HttpRequest&) -> Task<HttpResponse> { co_return HttpResponse::empty(status); };
}

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.add("GET", "/api/v1/jobs/{id}", Access::ApiKey, answer(1));
    router_.add("DELETE", "/api/v1/jobs/{id}", Access::ApiKey, answer(2));
    router_.add("POST", "/api/v1/jobs/claim", Access::ApiKey, answer(3));
    router_.add("POST", "/api/v1/jobs/{id}/complete", Access::ApiKey, answer(4));
    router_.add("GET", "/health", Access::Public, answer(5));
  }
  Router router_;
};

TEST_F(RouterTest, ParameterSegmentsAreCaptured) {
  const auto m = router_.match("POST", "/api/v1/jobs/abc/complete");
  ASSERT_EQ(m.kind, Router::Match::Kind::Found);
  EXPECT_EQ(m.params.at("id"), "abc");
  EXPECT_EQ(syncWait(m.route->handler(HttpRequest{})).status, 4);
}

TEST_F(RouterTest, LiteralSegmentBeatsParameter) {
  const auto claim = router_.match("POST", "/api/v1/jobs/claim");
  ASSERT_EQ(claim.kind, Router::Match::Kind::Found);
  EXPECT_EQ(syncWait(claim.route->handler(HttpRequest{})).status, 3);
  // GET on the literal path is a wrong method, not a job called "claim".
  const auto get = router_.match("GET", "/api/v1/jobs/claim");
  ASSERT_EQ(get.kind, Router::Match::Kind::MethodNotAllowed);
  EXPECT_EQ(get.allowedMethods, std::vector<std::string>{"POST"});
}

TEST_F(RouterTest, WrongMethodListsAllowedOnes) {
  const auto m = router_.match("PUT", "/api/v1/jobs/abc");
  ASSERT_EQ(m.kind, Router::Match::Kind::MethodNotAllowed);
  EXPECT_EQ(m.allowedMethods, (std::vector<std::string>{"GET", "DELETE"}));
}

TEST_F(RouterTest, UnknownPathsAreNotFound) {
  for (const char* path : {"/", "/api/v1/jobs/", "/api/v1/jobs/a/b", "/healthz", "/api/v1/jobs//complete"})
    EXPECT_EQ(router_.match("GET", path).kind, Router::Match::Kind::NotFound) << path;
}

TEST(HttpRequestTest, TargetIsSplitAndDecoded) {
  HttpRequest r;
  r.setTarget("/api/v1/jobs?queue_name=my%2Equeue&tag=a+b&flag&limit=5");
  EXPECT_EQ(r.path, "/api/v1/jobs");
  EXPECT_EQ(r.queryParam("queue_name"), "my.queue");
  EXPECT_EQ(r.queryParam("tag"), "a b");
  EXPECT_EQ(r.queryParam("flag"), "");
  EXPECT_EQ(r.queryParam("limit"), "5");
  EXPECT_FALSE(r.queryParam("missing").has_value());
  EXPECT_EQ(percentDecode("%zz%4", false), "%zz%4");  // malformed escapes pass through
}

}  // namespace
}  // namespace spooled::server
