// Every rejected field gets 400 VALIDATION_ERROR naming the field, and nothing is stored. Malformed
// JSON gets 400 BAD_REQUEST with the byte position; an oversized payload gets 413.
#include "support/server_test.hpp"

namespace spooled::test {
namespace {

class RequestValidationTest : public ServerTest {
 protected:
  // body with field set to value (or removed when value is the string "<absent>").
  static json with(json body, const std::string& field, const json& value) {
    if (value == "<absent>") body.erase(field);
    else body[field] = value;
    return body;
  }

  void expectRejected(const std::string& path, const json& body, const std::string& field) {
    const auto r = http_->post(path, body);
    EXPECT_EQ(r.status, 400) << path << " " << body.dump() << " " << r.describe();
    EXPECT_EQ(r.body["code"], "VALIDATION_ERROR") << body.dump();
    EXPECT_EQ(r.body["details"]["field"], field) << body.dump() << " " << r.describe();
    EXPECT_TRUE(r.body["message"].is_string());
  }
};

const json kValidJob = {{"queue_name", "valid"}, {"payload", {{"a", 1}}}};

TEST_F(RequestValidationTest, CreateJobRejectsEachBadFieldAndStoresNothing) {
  const std::vector<std::tuple<std::string, json>> cases = {
      {"queue_name", "<absent>"}, {"queue_name", ""}, {"queue_name", std::string(101, 'q')},
      {"queue_name", "has space"}, {"queue_name", "slash/name"}, {"queue_name", ".hidden"},
      {"queue_name", 42},
      {"payload", "<absent>"}, {"payload", nullptr},
      {"priority", 101}, {"priority", -101}, {"priority", "high"}, {"priority", 1.5},
      {"max_retries", -1}, {"max_retries", 101},
      {"timeout_seconds", 0}, {"timeout_seconds", 86401},
      {"scheduled_at", "tomorrow"}, {"scheduled_at", 12345},
      {"expires_at", "2030-13-45T99:00:00Z"},
      {"idempotency_key", std::string(256, 'k')}, {"idempotency_key", ""},
      {"completion_webhook", "ftp://example.com/hook"},
  };
  for (const auto& [field, value] : cases) expectRejected("/api/v1/jobs", with(kValidJob, field, value), field);
  EXPECT_EQ(api_->countJobs(), 0u);

  // The edges themselves are accepted.
  json edges = kValidJob;
  edges.update({{"priority", -100}, {"max_retries", 100}, {"timeout_seconds", 86400},
                {"queue_name", std::string(100, 'q')}, {"idempotency_key", std::string(255, 'k')}});
  EXPECT_EQ(http_->post("/api/v1/jobs", edges).status, 201);
}

TEST_F(RequestValidationTest, ClaimRejectsBadFields) {
  const json valid = {{"queue_name", "valid"}, {"worker_id", "w-1"}};
  api_->createJob("valid");
  const std::vector<std::tuple<std::string, json>> cases = {
      {"queue_name", "<absent>"}, {"queue_name", "bad name"}, {"worker_id", "<absent>"}, {"worker_id", ""},
      {"limit", 0},         {"limit", 101},           {"lease_duration_secs", 4}, {"lease_duration_secs", 3601},
      {"wait_ms", -1},      {"wait_ms", 30001},
  };
  for (const auto& [field, value] : cases) expectRejected("/api/v1/jobs/claim", with(valid, field, value), field);
  EXPECT_EQ(api_->getJob(http_->get("/api/v1/jobs").body[0]["id"])["status"], "pending");
}

TEST_F(RequestValidationTest, SettlementRejectsBadFieldsAndChangesNothing) {
  const std::string id = api_->createJob("valid");
  const std::string worker = api_->registerWorker("valid");
  const json job = api_->claim("valid", worker).at(0);
  const json before = api_->getJob(id);
  const json lease = {{"worker_id", worker}, {"lease_id", job["lease_id"]}};
  const std::string base = "/api/v1/jobs/" + id;

  expectRejected(base + "/complete", with(lease, "worker_id", "<absent>"), "worker_id");
  expectRejected(base + "/complete", with(lease, "lease_id", 12), "lease_id");
  expectRejected(base + "/fail", lease, "error");
  expectRejected(base + "/fail", with(lease, "error", ""), "error");
  expectRejected(base + "/fail", with(lease, "error", std::string(2049, 'e')), "error");
  expectRejected(base + "/fail", with(with(lease, "error", "x"), "retryable", "no"), "retryable");
  expectRejected(base + "/heartbeat", with(lease, "lease_duration_secs", 4), "lease_duration_secs");
  expectRejected(base + "/heartbeat", with(lease, "lease_duration_secs", 3601), "lease_duration_secs");
  expectRejected(base + "/progress", lease, "percent");
  expectRejected(base + "/progress", with(lease, "percent", 101), "percent");
  expectRejected(base + "/progress", with(lease, "percent", -1), "percent");

  EXPECT_EQ(api_->getJob(id), before);
}

TEST_F(RequestValidationTest, WorkerEndpointsRejectBadFields) {
  const json valid = {{"queue_name", "valid"}, {"hostname", "host-1"}};
  const std::vector<std::tuple<std::string, json>> cases = {
      {"queue_name", "<absent>"}, {"hostname", "<absent>"}, {"hostname", "bad host"}, {"hostname", "-dash"},
      {"max_concurrency", 0},     {"max_concurrency", 101}, {"worker_type", std::string(51, 't')},
      {"version", std::string(51, 'v')},
  };
  for (const auto& [field, value] : cases)
    expectRejected("/api/v1/workers/register", with(valid, field, value), field);
  EXPECT_EQ(http_->get("/api/v1/workers").body.size(), 0u);

  const std::string worker = api_->registerWorker("valid");
  const std::string path = "/api/v1/workers/" + worker + "/heartbeat";
  expectRejected(path, json::object(), "current_jobs");
  expectRejected(path, {{"current_jobs", -1}}, "current_jobs");
  expectRejected(path, {{"current_jobs", 1}, {"status", "sleepy"}}, "status");
}

TEST_F(RequestValidationTest, ListQueryParametersAreChecked) {
  const auto bad = http_->get("/api/v1/jobs?status=done");
  EXPECT_EQ(bad.status, 400) << bad.describe();
  EXPECT_EQ(bad.body["details"]["field"], "status");
  EXPECT_EQ(http_->get("/api/v1/jobs?limit=abc").status, 400);
  EXPECT_EQ(http_->get("/api/v1/jobs?order_by=payload").status, 400);
  EXPECT_EQ(http_->get("/api/v1/jobs?limit=100000").status, 200);  // capped at 100, as the official backend
}

TEST_F(RequestValidationTest, MalformedJsonNamesThePosition) {
  const auto r = http_->requestRaw("POST", "/api/v1/jobs", R"({"queue_name": "q", "payload": {)");
  ASSERT_EQ(r.status, 400) << r.describe();
  EXPECT_EQ(r.body["code"], "BAD_REQUEST");
  EXPECT_NE(r.body["message"].get<std::string>().find("byte"), std::string::npos) << r.describe();
  EXPECT_TRUE(r.body["details"]["position"].is_number());

  const auto empty = http_->requestRaw("POST", "/api/v1/jobs", "");
  EXPECT_EQ(empty.status, 400) << empty.describe();
  EXPECT_EQ(empty.body["code"], "BAD_REQUEST");
  const auto array = http_->requestRaw("POST", "/api/v1/jobs", "[1,2]");
  EXPECT_EQ(array.status, 400) << array.describe();
  EXPECT_EQ(api_->countJobs(), 0u);
}

TEST_F(RequestValidationTest, OversizedPayloadIs413) {
  // Just over 1 MiB serialized: rejected by validation with our JSON body.
  json body = kValidJob;
  body["payload"] = {{"blob", std::string(1024 * 1024 + 16, 'x')}};
  const auto r = http_->post("/api/v1/jobs", body);
  ASSERT_EQ(r.status, 413) << r.describe();
  EXPECT_EQ(r.body["code"], "PAYLOAD_TOO_LARGE");

  // Beyond the HTTP body limit: still a JSON 413, not a dropped connection.
  body["payload"] = {{"blob", std::string(3 * 1024 * 1024, 'x')}};
  const auto huge = http_->post("/api/v1/jobs", body);
  ASSERT_EQ(huge.status, 413) << huge.describe();
  EXPECT_EQ(huge.body["code"], "PAYLOAD_TOO_LARGE");
  EXPECT_EQ(api_->countJobs(), 0u);

  // A payload just under the limit is fine.
  body["payload"] = {{"blob", std::string(1024 * 1024 - 64, 'x')}};
  EXPECT_EQ(http_->post("/api/v1/jobs", body).status, 201);
}

}  // namespace
}  // namespace spooled::test
