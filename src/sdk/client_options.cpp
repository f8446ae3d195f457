// ClientOptions::fromJson and ::resolved (include/spooled/client_options.hpp).
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>

#include "spooled/client_options.hpp"
#include "spooled/errors.hpp"

namespace spooled {
namespace {

constexpr const char* kDefaultBaseUrl = "http://localhost:8080";

std::string camelCase(std::string_view snake) {
  std::string out;
  bool upper = false;
  for (const char c : snake) {
    if (c == '_') {
      upper = true;
    } else {
      out += upper ? static_cast<char>(c - 'a' + 'A') : c;
      upper = false;
    }
  }
  return out;
}

// Reads one JSON object of options: each key in snake_case or camelCase, unknown keys rejected so a
// typo ("max_retires") fails loudly instead of silently keeping the default.
class OptionsReader {
 public:
  OptionsReader(const json& object, std::string where) : object_(object), where_(std::move(where)) {
    if (!object_.is_object()) fail("", "must be a JSON object");
  }

  const json* find(std::string_view snakeKey) {
    for (const std::string& key : {std::string(snakeKey), camelCase(snakeKey)}) {
      if (const auto it = object_.find(key); it != object_.end()) {
        seen_.insert(key);
        return &*it;
      }
    }
    return nullptr;
  }

  void read(std::string_view key, std::string& out) {
    if (const json* value = find(key)) {
      if (!value->is_string()) fail(key, "must be a string");
      out = value->get<std::string>();
    }
  }
  void read(std::string_view key, int& out) {
    if (const json* value = find(key)) {
      if (!value->is_number_integer()) fail(key, "must be an integer");
      out = value->get<int>();
    }
  }
  void read(std::string_view key, double& out) {
    if (const json* value = find(key)) {
      if (!value->is_number()) fail(key, "must be a number");
      out = value->get<double>();
    }
  }
  void read(std::string_view key, bool& out) {
    if (const json* value = find(key)) {
      if (!value->is_boolean()) fail(key, "must be true or false");
      out = value->get<bool>();
    }
  }
  void read(std::string_view key, std::chrono::milliseconds& out) {
    if (const json* value = find(key)) {
      if (!value->is_number_integer()) fail(key, "must be an integer number of milliseconds");
      out = std::chrono::milliseconds(value->get<long long>());
    }
  }
  void read(std::string_view key, std::map<std::string, std::string>& out) {
    if (const json* value = find(key)) {
      if (!value->is_object()) fail(key, "must be an object of strings");
      for (const auto& [name, text] : value->items()) {
        if (!text.is_string()) fail(key, "must be an object of strings");
        out[name] = text.get<std::string>();
      }
    }
  }

  // Call after reading every known key.
  void rejectUnknown() const {
    for (const auto& [key, value] : object_.items()) {
      if (!seen_.contains(key)) fail(key, "is not a known option");
    }
  }

  [[noreturn]] void fail(std::string_view key, std::string_view why) const {
    const std::string name = where_ + (key.empty() ? "" : (where_.empty() ? "" : ".") + std::string(key));
    throw ValidationError("invalid client options: '" + (name.empty() ? std::string("(root)") : name) + "' " +
                              std::string(why),
                          "VALIDATION_ERROR", json{{"field", name}});
  }

 private:
  const json& object_;
  std::string where_;
  std::set<std::string> seen_;
};

void readRetry(const json& object, RetryOptions& retry) {
  OptionsReader reader(object, "retry");
  reader.read("max_retries", retry.maxRetries);
  reader.read("base_delay_ms", retry.baseDelay);
  reader.read("max_delay_ms", retry.maxDelay);
  reader.read("factor", retry.factor);
  reader.read("jitter", retry.jitter);
  reader.rejectUnknown();
}

void readCircuitBreaker(const json& object, CircuitBreakerOptions& breaker) {
  OptionsReader reader(object, "circuit_breaker");
  reader.read("enabled", breaker.enabled);
  reader.read("failure_threshold", breaker.failureThreshold);
  reader.read("success_threshold", breaker.successThreshold);
  reader.read("reset_timeout_ms", breaker.resetTimeout);
  reader.rejectUnknown();
}

std::string envOr(const char* name, std::string fallback) {
  const char* value = std::getenv(name);
  return (value != nullptr && value[0] != '\0') ? std::string(value) : std::move(fallback);
}

void require(bool ok, const std::string& field, const std::string& why) {
  if (!ok) throw ValidationError("invalid client options: " + field + " " + why, "VALIDATION_ERROR", json{{"field", field}});
}

}  // namespace

ClientOptions ClientOptions::fromJson(const json& config) {
  ClientOptions options;
  OptionsReader reader(config, "");
  reader.read("api_key", options.apiKey);
  reader.read("access_token", options.accessToken);
  reader.read("admin_key", options.adminKey);
  reader.read("base_url", options.baseUrl);
  reader.read("connect_timeout_ms", options.connectTimeout);
  reader.read("request_timeout_ms", options.requestTimeout);
  reader.read("user_agent", options.userAgent);
  reader.read("headers", options.headers);
  if (const json* retry = reader.find("retry")) readRetry(*retry, options.retry);
  if (const json* breaker = reader.find("circuit_breaker")) readCircuitBreaker(*breaker, options.circuitBreaker);
  reader.rejectUnknown();
  return options;
}

ClientOptions ClientOptions::resolved() const {
  ClientOptions out = *this;
  if (out.apiKey.empty()) out.apiKey = envOr("SPOOLED_API_KEY", "");
  if (out.baseUrl.empty()) out.baseUrl = envOr("SPOOLED_API_URL", kDefaultBaseUrl);
  if (out.apiKey.empty() && out.accessToken.empty() && out.adminKey.empty()) {
    throw ValidationError(
        "no Spooled API key: set ClientOptions::apiKey (or accessToken / adminKey) or the SPOOLED_API_KEY "
        "environment variable",
        "VALIDATION_ERROR", json{{"field", "api_key"}});
  }
  require(out.baseUrl.starts_with("http://") || out.baseUrl.starts_with("https://"), "base_url",
          "must start with http:// or https:// (got '" + out.baseUrl + "')");
  require(out.connectTimeout.count() > 0, "connect_timeout_ms", "must be positive");
  require(out.requestTimeout.count() > 0, "request_timeout_ms", "must be positive");
  require(out.retry.maxRetries >= 0, "retry.max_retries", "must not be negative");
  require(out.retry.baseDelay.count() >= 0 && out.retry.maxDelay.count() >= 0, "retry delays", "must not be negative");
  require(out.retry.factor >= 1.0, "retry.factor", "must be at least 1");
  require(out.circuitBreaker.failureThreshold >= 1, "circuit_breaker.failure_threshold", "must be at least 1");
  require(out.circuitBreaker.successThreshold >= 1, "circuit_breaker.success_threshold", "must be at least 1");
  require(out.circuitBreaker.resetTimeout.count() >= 0, "circuit_breaker.reset_timeout_ms", "must not be negative");
  return out;
}

}  // namespace spooled
