// Request bodies may nest arrays and objects 64 levels deep (the body's own object is level 1).
// Deeper is 400 VALIDATION_ERROR naming the member it is in, on every route and every field that is
// stored or echoed; 50,000 and 200,000 levels (deep enough to overflow the stack when such a value was
// serialised: the server died with SIGSEGV) get the same clean 400, and the server keeps serving.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>

#include "support/account_steps.hpp"

namespace spooled::test {
namespace {

constexpr int kMaxDepth = 64;  // docs/api.md, "Limits"

// A value `levels` deep, objects and arrays in turn: {"k":[{"k":[...]}]}. Zero levels is 1.
std::string nested(int levels) {
  if (levels == 0) return "1";
  std::string open, close;
  for (int i = 0; i < levels; ++i) {
    const bool object = i % 2 == 0;
    open += object ? (i == levels - 1 ? "{" : "{\"k\":") : "[";
    close += object ? '}' : ']';
  }
  std::reverse(close.begin(), close.end());
  return open + close;
}

using Send = std::function<HttpResult(const std::string& deepValue)>;

class JsonDepthTest : public AccountServerTest {
 protected:
  // Sends bodies whose total depth is 63, 64 (accepted: okStatus), 65, 50,000 and 200,000 (400 naming
  // field).
  // `above` is how many levels of the body enclose the value (1 for a member of the body).
  void expectDepthLimit(const Send& send, int above, const std::string& field, long okStatus) {
    for (const int depth : {kMaxDepth - 1, kMaxDepth}) {
      HttpResult r = send(nested(depth - above));
      EXPECT_EQ(r.status, okStatus) << field << " at depth " << depth << ": " << r.describe();
      EXPECT_FALSE(r.body.is_object() && r.body.contains("details") && r.body["details"].contains("max_depth"))
          << r.describe();
    }
    for (const int depth : {kMaxDepth + 1, 50000, 200000}) {
      HttpResult r = send(nested(depth - above));
      EXPECT_EQ(r.status, 400) << field << " at depth " << depth << ": " << r.describe().substr(0, 300);
      EXPECT_EQ(r.body["code"], "VALIDATION_ERROR") << r.describe().substr(0, 300);
      EXPECT_EQ(r.body["details"]["field"], field) << r.describe().substr(0, 300);
      EXPECT_EQ(r.body["details"]["max_depth"], kMaxDepth);
      EXPECT_LT(r.rawBody.size(), 1000u) << "the error must not echo the value";
    }
    HttpClient probe(server_->baseUrl(), std::nullopt);
    EXPECT_EQ(probe.tryGet("/health"), 200) << "the server must survive";
  }

  HttpResult raw(const std::string& method, const std::string& path, const std::string& body) {
    return http_->requestRaw(method, path, body, {{"Content-Type", "application/json"}});
  }
};

TEST_F(JsonDepthTest, JobPayloadAndTags) {
  std::string lastId;
  expectDepthLimit([&](const std::string& v) {
    HttpResult r = raw("POST", "/api/v1/jobs", R"({"queue_name":"d","payload":)" + v + "}");
    if (r.status == 201) {
      // What was stored reads back whole.
      EXPECT_EQ(api_->getJob(r.body["id"])["payload"], json::parse(v));
    }
    return r;
  }, 1, "payload", 201);
  expectDepthLimit([&](const std::string& v) {
    return raw("POST", "/api/v1/jobs", R"({"queue_name":"d","payload":{},"tags":)" + v + "}");
  }, 1, "tags", 201);
}

TEST_F(JsonDepthTest, ScheduledAtOfTheWrongTypeIsNamedWithoutEchoingIt) {
  // At an accepted depth the value is still no time: 400 for its type, quoting only a little of it.
  HttpResult shallow = raw("POST", "/api/v1/jobs", R"({"queue_name":"d","payload":{},"scheduled_at":)" +
                                                             nested(60) + "}");
  EXPECT_EQ(shallow.body["details"]["field"], "scheduled_at") << shallow.describe();
  expectDepthLimit([&](const std::string& v) {
    return raw("POST", "/api/v1/jobs", R"({"queue_name":"d","payload":{},"scheduled_at":)" + v + "}");
  }, 1, "scheduled_at", 400);
}

TEST_F(JsonDepthTest, BulkItems) {
  // body > jobs array > item object > payload: three levels above the payload's value.
  expectDepthLimit([&](const std::string& v) {
    return raw("POST", "/api/v1/jobs/bulk", R"({"queue_name":"d","jobs":[{"payload":)" + v + "}]}");
  }, 3, "jobs", 200);
}

TEST_F(JsonDepthTest, CompletionResult) {
  const std::string worker = api_->registerWorker("d");
  expectDepthLimit([&](const std::string& v) {
    const std::string id = api_->createJob("d");
    const json job = api_->claim("d", worker).at(0);
    return raw("POST", "/api/v1/jobs/" + id + "/complete",
               R"({"worker_id":")" + worker + R"(","lease_id":")" + job["lease_id"].get<std::string>() +
                   R"(","result":)" + v + "}");
  }, 1, "result", 200);
}

TEST_F(JsonDepthTest, WorkerMetadataOnRegistrationAndHeartbeat) {
  expectDepthLimit([&](const std::string& v) {
    return raw("POST", "/api/v1/workers/register", R"({"queue_name":"d","hostname":"h","metadata":)" + v + "}");
  }, 1, "metadata", 201);
  const std::string worker = api_->registerWorker("d");
  expectDepthLimit([&](const std::string& v) {
    return raw("POST", "/api/v1/workers/" + worker + "/heartbeat", R"({"current_jobs":0,"metadata":)" + v + "}");
  }, 1, "metadata", 200);
}

TEST_F(JsonDepthTest, QueueAndOrganizationSettings) {
  expectDepthLimit([&](const std::string& v) {
    return raw("PUT", "/api/v1/queues/d/config", R"({"settings":)" + v + "}");
  }, 1, "settings", 200);
  const std::string orgId = http_->get("/api/v1/organizations").body.at(0).at("id");
  expectDepthLimit([&](const std::string& v) {
    return raw("PUT", "/api/v1/organizations/" + orgId, R"({"settings":)" + v + "}");
  }, 1, "settings", 200);
}

TEST_F(JsonDepthTest, AdminRoutes) {
  const TestOrganization org = accounts_->createOrganization("deep-org");
  HttpClient admin(server_->baseUrl(), std::nullopt);
  expectDepthLimit([&](const std::string& v) {
    return admin.requestRaw("PATCH", "/api/v1/admin/organizations/" + org.id, R"({"settings":)" + v + "}",
                            {{"Content-Type", "application/json"}, {"X-Admin-Key", kTestAdminKey}});
  }, 1, "settings", 200);
}

TEST_F(JsonDepthTest, LoginNeedsNoKeyToBeRefusedCleanly) {
  HttpClient anonymous(server_->baseUrl(), std::nullopt);
  expectDepthLimit([&](const std::string& v) {
    return anonymous.requestRaw("POST", "/api/v1/auth/login",
                                R"({"api_key":")" + server_->apiKey() + R"(","client":)" + v + "}",
                                {{"Content-Type", "application/json"}});
  }, 1, "client", 200);
  expectDepthLimit([&](const std::string& v) {
    return anonymous.requestRaw("POST", "/api/v1/auth/validate", R"({"token":)" + v + "}",
                                {{"Content-Type", "application/json"}});
  }, 1, "token", 400);
}

TEST_F(JsonDepthTest, NestingOutsideAnyFieldIsRefusedNamingTheBody) {
  for (const int depth : {kMaxDepth + 1, 50000, 200000}) {
    const std::string body = std::string(depth, '[') + std::string(depth, ']');
    HttpResult r = raw("POST", "/api/v1/jobs", body);
    EXPECT_EQ(r.status, 400) << r.describe().substr(0, 300);
    EXPECT_EQ(r.body["code"], "BAD_REQUEST");
    EXPECT_FALSE(r.body["details"].contains("field")) << r.describe().substr(0, 300);
    EXPECT_EQ(r.body["details"]["max_depth"], kMaxDepth);
    EXPECT_NE(r.body["message"].get<std::string>().find("Request body"), std::string::npos);
  }
  EXPECT_EQ(http_->tryGet("/health"), 200);
}

}  // namespace
}  // namespace spooled::test
