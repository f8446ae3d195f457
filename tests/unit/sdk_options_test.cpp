// ClientOptions: environment fallbacks, validation, and reading options from JSON.
#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>
#include <string>

#include "spooled/client.hpp"
#include "spooled/client_options.hpp"
#include "spooled/errors.hpp"

namespace spooled {
namespace {

using std::chrono::milliseconds;

// Sets (or unsets) one environment variable for the scope of a test, restoring it afterwards.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, std::optional<std::string> value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value) {
      ::setenv(name, value->c_str(), 1);
    } else {
      ::unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

TEST(SdkClientOptionsTest, ApiKeyAndBaseUrlFallBackToTheEnvironment) {
  const ScopedEnv key("SPOOLED_API_KEY", "sp_test_from_env");
  const ScopedEnv url("SPOOLED_API_URL", "https://queue.example.com");
  const ClientOptions options = ClientOptions{}.resolved();
  EXPECT_EQ(options.apiKey, "sp_test_from_env");
  EXPECT_EQ(options.baseUrl, "https://queue.example.com");
}

TEST(SdkClientOptionsTest, ExplicitValuesWinOverTheEnvironment) {
  const ScopedEnv key("SPOOLED_API_KEY", "sp_test_from_env");
  const ScopedEnv url("SPOOLED_API_URL", "https://queue.example.com");
  ClientOptions options;
  options.apiKey = "sp_test_explicit";
  options.baseUrl = "http://127.0.0.1:9000";
  const ClientOptions resolved = options.resolved();
  EXPECT_EQ(resolved.apiKey, "sp_test_explicit");
  EXPECT_EQ(resolved.baseUrl, "http://127.0.0.1:9000");
}

TEST(SdkClientOptionsTest, BaseUrlDefaultsToLocalhost8080) {
  const ScopedEnv url("SPOOLED_API_URL", std::nullopt);
  ClientOptions options;
  options.apiKey = "sp_test_x";
  EXPECT_EQ(options.resolved().baseUrl, "http://localhost:8080");
}

TEST(SdkClientOptionsTest, MissingApiKeyFailsAtConstructionWithAClearMessage) {
  const ScopedEnv key("SPOOLED_API_KEY", std::nullopt);
  try {
    SpooledClient client;
    FAIL() << "a client without an API key was constructed";
  } catch (const ValidationError& error) {
    EXPECT_NE(std::string(error.what()).find("SPOOLED_API_KEY"), std::string::npos) << error.what();
  }
}

TEST(SdkClientOptionsTest, ClientExposesTheResolvedOptions) {
  const ScopedEnv key("SPOOLED_API_KEY", "sp_test_from_env");
  const ScopedEnv url("SPOOLED_API_URL", std::nullopt);
  const SpooledClient client;
  EXPECT_EQ(client.options().apiKey, "sp_test_from_env");
  EXPECT_EQ(client.options().baseUrl, "http://localhost:8080");
}

TEST(SdkClientOptionsTest, RejectsABaseUrlWithoutScheme) {
  ClientOptions options;
  options.apiKey = "sp_test_x";
  options.baseUrl = "localhost:8080";
  EXPECT_THROW(options.resolved(), ValidationError);
}

TEST(SdkClientOptionsTest, FromJsonReadsSnakeCaseKeys) {
  const ClientOptions options = ClientOptions::fromJson(json::parse(R"({
    "api_key": "sp_test_json", "base_url": "http://10.0.0.1:8080",
    "connect_timeout_ms": 250, "request_timeout_ms": 1500, "user_agent": "my-app/2",
    "headers": {"X-Tenant": "blue"},
    "retry": {"max_retries": 5, "base_delay_ms": 10, "max_delay_ms": 200, "factor": 3, "jitter": false},
    "circuit_breaker": {"enabled": false, "failure_threshold": 9, "success_threshold": 2, "reset_timeout_ms": 700}
  })"));
  EXPECT_EQ(options.apiKey, "sp_test_json");
  EXPECT_EQ(options.baseUrl, "http://10.0.0.1:8080");
  EXPECT_EQ(options.connectTimeout, milliseconds(250));
  EXPECT_EQ(options.requestTimeout, milliseconds(1500));
  EXPECT_EQ(options.userAgent, "my-app/2");
  EXPECT_EQ(options.headers.at("X-Tenant"), "blue");
  EXPECT_EQ(options.retry.maxRetries, 5);
  EXPECT_EQ(options.retry.baseDelay, milliseconds(10));
  EXPECT_EQ(options.retry.maxDelay, milliseconds(200));
  EXPECT_DOUBLE_EQ(options.retry.factor, 3.0);
  EXPECT_FALSE(options.retry.jitter);
  EXPECT_FALSE(options.circuitBreaker.enabled);
  EXPECT_EQ(options.circuitBreaker.failureThreshold, 9);
  EXPECT_EQ(options.circuitBreaker.successThreshold, 2);
  EXPECT_EQ(options.circuitBreaker.resetTimeout, milliseconds(700));
}

TEST(SdkClientOptionsTest, FromJsonAcceptsCamelCaseAndKeepsDefaultsForAbsentKeys) {
  const ClientOptions options =
      ClientOptions::fromJson(json{{"apiKey", "sp_test_camel"}, {"retry", {{"maxRetries", 1}}}});
  EXPECT_EQ(options.apiKey, "sp_test_camel");
  EXPECT_EQ(options.retry.maxRetries, 1);
  EXPECT_EQ(options.retry.baseDelay, RetryOptions{}.baseDelay);
  EXPECT_EQ(options.requestTimeout, ClientOptions{}.requestTimeout);
  EXPECT_TRUE(options.baseUrl.empty());  // the environment fallback still applies later
}

TEST(SdkClientOptionsTest, FromJsonRejectsTyposAndWrongTypes) {
  EXPECT_THROW(ClientOptions::fromJson(json{{"api_kee", "x"}}), ValidationError);
  EXPECT_THROW(ClientOptions::fromJson(json{{"retry", {{"max_retires", 2}}}}), ValidationError);
  EXPECT_THROW(ClientOptions::fromJson(json{{"connect_timeout_ms", "5s"}}), ValidationError);
  EXPECT_THROW(ClientOptions::fromJson(json{{"headers", {{"X-A", 1}}}}), ValidationError);
  EXPECT_THROW(ClientOptions::fromJson(json::array()), ValidationError);
  try {
    ClientOptions::fromJson(json{{"retry", {{"jitter", "yes"}}}});
    FAIL();
  } catch (const ValidationError& error) {
    EXPECT_NE(std::string(error.what()).find("retry.jitter"), std::string::npos) << error.what();
  }
}

TEST(SdkClientOptionsTest, SdkVersionIsTheProjectVersion) {
  EXPECT_STRNE(sdkVersion(), "");
  EXPECT_EQ(std::string(sdkVersion()).find('.') != std::string::npos, true);
}

}  // namespace
}  // namespace spooled
