#pragma once
// Health: the server's public probes (no API key needed). get() says what the server thinks of its
// own dependencies; liveness() and readiness() are the yes/no answers an orchestrator asks for.
#include <optional>
#include <string>

#include "spooled/json.hpp"

namespace spooled {

namespace detail {
class ApiCaller;
}  // namespace detail

// GET /health.
struct HealthResponse {
  std::string status{};                  // "healthy", or "degraded" when the database does not answer
  std::optional<std::string> version{};  // servers leave it out of this unauthenticated answer
  bool database = false;                 // the database answered
  bool cache = false;                    // the cache answered (true when the server has none)

  bool isHealthy() const noexcept { return status == "healthy"; }
  static HealthResponse fromJson(const json& body);
};

// Obtained from SpooledClient::health(); lives as long as the client. Thread-safe.
class HealthResource {
 public:
  HealthResource(const HealthResource&) = delete;
  HealthResource& operator=(const HealthResource&) = delete;

  // Throws a SpooledError subclass when the server cannot be reached or answers an error.
  HealthResponse get();
  // True when GET /health/live answers 2xx. Never throws and never retries: a probe reports now.
  bool liveness() noexcept;
  // True when GET /health/ready answers 2xx: the database answers and the server is not shutting
  // down. Never throws and never retries.
  bool readiness() noexcept;

 private:
  friend class SpooledClient;
  explicit HealthResource(detail::ApiCaller& api) : api_(api) {}
  detail::ApiCaller& api_;
};

}  // namespace spooled
