#pragma once
// Steps of the storage-fault tests: time a request, read what /health says about the database, and
// wait for readiness to say something.
#include <chrono>
#include <functional>
#include <string>

#include "support/api_steps.hpp"
#include "support/http_client.hpp"

namespace spooled::test {

struct TimedResult {
  HttpResult result;
  std::chrono::milliseconds took{0};
};

inline TimedResult timed(const std::function<HttpResult()>& request) {
  const auto started = std::chrono::steady_clock::now();
  TimedResult out{request(), {}};
  out.took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  return out;
}

// The `checks` of GET /health: {"database_read": {"ok", "error"?}, "database_write": {...}}.
inline json healthChecks(HttpClient& client) {
  const HttpResult r = client.get("/health");
  if (r.status != 200) return json{{"status", r.status}};
  return r.body.value("checks", json::object());
}

// The error text of one check of GET /health, or "" when it is ok.
inline std::string healthError(HttpClient& client, const std::string& check) {
  const json checks = healthChecks(client);
  if (!checks.contains(check) || checks[check].value("ok", false)) return "";
  return checks[check].value("error", std::string("(no error text)"));
}

// Polls GET /health/ready until it answers `status` or the timeout passes.
inline bool waitForReadiness(HttpClient& client, long status, std::chrono::milliseconds timeout) {
  return waitUntil([&] { return client.tryGet("/health/ready") == status; }, timeout);
}

}  // namespace spooled::test
