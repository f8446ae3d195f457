// Numbers that do not fit: 400 naming the field, never a 500, on every route (login too, which needs
// no key). Integer fields take integer literals in their range only; free-form values (payload,
// tags, result, metadata, settings) take any number a double holds, 64-bit integers exactly, and
// refuse what would change on the way in. Tokens that are not JSON numbers are malformed JSON, and
// the error names the field they were in.
#include <gtest/gtest.h>

#include "support/account_steps.hpp"

namespace spooled::test {
namespace {

// Literals in the body text ("@" marks where the number goes).
const std::vector<std::string> kIntegerFieldEdges = {
    "1e400", "-1e400", "9223372036854775808", "-9223372036854775809", "99999999999999999999", "1.5", "1e2", "-0.5"};
const std::vector<std::string> kFreeFormRefused = {"1e400", "-1e400", "99999999999999999999",
                                                   "-9223372036854775809", "1E+309", "18446744073709551616"};
const std::vector<std::string> kNotJsonNumbers = {"NaN", "nan", "Infinity", "-Infinity", "inf", "+1", "0x10",
                                                  "01", ".5", "1.", "1e", "--1"};

std::string replaceAt(std::string text, const std::string& value) {
  const auto at = text.find('@');
  return text.replace(at, 1, value);
}

struct Target {
  std::string method;
  std::string path;
  std::string bodyTemplate;  // "@" marks the number
  std::string field;
};

class JsonNumbersTest : public AccountServerTest {
 protected:
  HttpResult send(const Target& t, const std::string& number, bool withKey = true) {
    HttpClient anonymous(server_->baseUrl(), std::nullopt);
    HttpClient& client = withKey ? *http_ : anonymous;
    return client.requestRaw(t.method, t.path, replaceAt(t.bodyTemplate, number),
                             {{"Content-Type", "application/json"}});
  }

  void expectFieldError(const Target& t, const std::string& number, const std::string& code, bool withKey = true) {
    HttpResult r = send(t, number, withKey);
    const std::string what = t.method + " " + t.path + " " + replaceAt(t.bodyTemplate, number) + " -> " + r.describe();
    EXPECT_EQ(r.status, 400) << what;
    EXPECT_EQ(r.body["code"], code) << what;
    EXPECT_EQ(r.body["details"]["field"], t.field) << what;
  }

  // Targets whose path needs a job, a worker or a queue that exist.
  std::vector<Target> integerTargets() {
    const std::string job = api_->createJob("n");
    const std::string worker = api_->registerWorker("n");
    return {
        {"POST", "/api/v1/jobs", R"({"queue_name":"n","payload":{},"priority":@})", "priority"},
        {"POST", "/api/v1/jobs", R"({"queue_name":"n","payload":{},"max_retries":@})", "max_retries"},
        {"POST", "/api/v1/jobs", R"({"queue_name":"n","payload":{},"timeout_seconds":@})", "timeout_seconds"},
        {"POST", "/api/v1/jobs/claim", R"({"queue_name":"n","worker_id":"w","limit":@})", "limit"},
        {"POST", "/api/v1/jobs/bulk", R"({"queue_name":"n","jobs":[{"payload":{}}],"default_priority":@})",
         "default_priority"},
        {"PUT", "/api/v1/jobs/" + job + "/priority", R"({"priority":@})", "priority"},
        {"POST", "/api/v1/workers/register", R"({"queue_name":"n","hostname":"h","max_concurrency":@})",
         "max_concurrency"},
        {"POST", "/api/v1/workers/" + worker + "/heartbeat", R"({"current_jobs":@})", "current_jobs"},
        {"PUT", "/api/v1/queues/n/config", R"({"rate_limit":@})", "rate_limit"},
        {"POST", "/api/v1/api-keys", R"({"name":"k","rate_limit":@})", "rate_limit"},
    };
  }
};

TEST_F(JsonNumbersTest, IntegerFieldsRefuseEveryNumberThatDoesNotFit) {
  for (const Target& t : integerTargets())
    for (const std::string& number : kIntegerFieldEdges) expectFieldError(t, number, "VALIDATION_ERROR");
  EXPECT_EQ(api_->countJobs(), 1u) << "nothing was created";
  EXPECT_EQ(server_->stderrText().find("INTERNAL"), std::string::npos);
}

TEST_F(JsonNumbersTest, FreeFormValuesRefuseNumbersThatWouldChangeAndKeepTheRestExactly) {
  const std::string worker = api_->registerWorker("n");
  const std::vector<Target> targets = {
      {"POST", "/api/v1/jobs", R"({"queue_name":"n","payload":{"x":[@]}})", "payload"},
      {"POST", "/api/v1/jobs", R"({"queue_name":"n","payload":{},"tags":{"t":@}})", "tags"},
      {"POST", "/api/v1/jobs/bulk", R"({"queue_name":"n","jobs":[{"payload":{"x":@}}]})", "jobs"},
      {"POST", "/api/v1/workers/register", R"({"queue_name":"n","hostname":"h","metadata":{"m":@}})", "metadata"},
      {"POST", "/api/v1/workers/" + worker + "/heartbeat", R"({"current_jobs":0,"metadata":@})", "metadata"},
      {"PUT", "/api/v1/queues/n/config", R"({"settings":{"s":@}})", "settings"},
      {"POST", "/api/v1/jobs/00000000-0000-4000-8000-000000000000/complete", R"({"worker_id":"w","result":@})",
       "result"},
  };
  for (const Target& t : targets)
    for (const std::string& number : kFreeFormRefused) expectFieldError(t, number, "VALIDATION_ERROR");
  EXPECT_EQ(api_->countJobs(), 0u);

  // Every 64-bit integer is kept exactly, and a large double written out as an integer (as JavaScript
  // and Go print 1e20) is kept as that double.
  HttpResult created = http_->requestRaw(
      "POST", "/api/v1/jobs",
      R"({"queue_name":"n","payload":{"max":18446744073709551615,"min":-9223372036854775808,)"
      R"("two63":9223372036854775808,"js":100000000000000000000,"tiny":5e-324,"pi":3.141592653589793}})",
      {{"Content-Type", "application/json"}});
  ASSERT_EQ(created.status, 201) << created.describe();
  HttpResult got = http_->get("/api/v1/jobs/" + created.body["id"].get<std::string>());
  for (const char* exact : {"18446744073709551615", "-9223372036854775808", "9223372036854775808"})
    EXPECT_NE(got.rawBody.find(exact), std::string::npos) << exact << " in " << got.rawBody;
  EXPECT_EQ(got.body["payload"]["js"].get<double>(), 1e20);
  EXPECT_EQ(got.body["payload"]["tiny"].get<double>(), 5e-324);
  EXPECT_EQ(got.body["payload"]["pi"].get<double>(), 3.141592653589793);
}

TEST_F(JsonNumbersTest, LoginAnswers400WithoutAKey) {
  const std::vector<Target> targets = {
      {"POST", "/api/v1/auth/login", R"({"api_key":@})", "api_key"},
      {"POST", "/api/v1/auth/login", R"({"api_key":")" + server_->apiKey() + R"(","n":@})", "n"},
      {"POST", "/api/v1/auth/refresh", R"({"refresh_token":@})", "refresh_token"},
      {"POST", "/api/v1/auth/validate", R"({"token":"x","n":[@]})", "n"},
  };
  for (const Target& t : targets) {
    for (const char* number : {"1e400", "-1e400", "99999999999999999999"})
      expectFieldError(t, number, "VALIDATION_ERROR", /*withKey=*/false);
    for (const char* token : {"NaN", "Infinity", "-Infinity"})
      expectFieldError(t, token, "BAD_REQUEST", /*withKey=*/false);
  }
  // Nothing above is the server's fault, so nothing was logged as an error.
  EXPECT_EQ(server_->logs().find("error"), std::string::npos) << server_->logs();
  EXPECT_EQ(accounts_->login(server_->apiKey()).count("access_token"), 1u);
}

TEST_F(JsonNumbersTest, TokensThatAreNotJsonNumbersAreMalformedJsonNamingTheField) {
  const std::vector<Target> targets = {
      {"POST", "/api/v1/jobs", R"({"queue_name":"n","payload":{},"priority":@})", "priority"},
      {"POST", "/api/v1/jobs", R"({"queue_name":"n","payload":{"deep":[1,{"x":@}]}})", "payload"},
      {"POST", "/api/v1/jobs/claim", R"({"queue_name":"n","worker_id":"w","limit":@})", "limit"},
      {"PUT", "/api/v1/queues/n/config", R"({"rate_limit":@})", "rate_limit"},
  };
  for (const Target& t : targets) {
    for (const std::string& token : kNotJsonNumbers) {
      HttpResult r = send(t, token);
      expectFieldError(t, token, "BAD_REQUEST");
      EXPECT_GT(r.body["details"]["position"].get<int>(), 0) << r.describe();
    }
  }
  EXPECT_EQ(api_->countJobs(), 0u);
}

}  // namespace
}  // namespace spooled::test
