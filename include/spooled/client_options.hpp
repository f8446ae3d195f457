#pragma once
// Configuration of a SpooledClient. Plain values: copy freely; a client keeps its own copy.
#include <chrono>
#include <map>
#include <string>

#include "spooled/json.hpp"

namespace spooled {

// How failed calls are repeated (see docs/sdk.md, "Retries"). Only calls that are safe to repeat are
// retried: GET/PUT/DELETE, job and worker heartbeats, progress, and creates with an idempotency key;
// any call is retried on 429 or when the connection was refused (the server never saw it).
struct RetryOptions {
  int maxRetries = 3;                         // extra attempts after the first; 0 disables retries
  std::chrono::milliseconds baseDelay{1000};  // delay before the first retry
  std::chrono::milliseconds maxDelay{30000};  // cap on any delay, including a server's Retry-After
  double factor = 2.0;                        // delay n = baseDelay * factor^(n-1)
  bool jitter = true;                         // add up to 25% random delay so clients spread out
};

// Fail fast while the server is down instead of queueing up timeouts (see docs/sdk.md).
struct CircuitBreakerOptions {
  bool enabled = true;
  int failureThreshold = 5;                       // consecutive failed attempts that open the circuit
  int successThreshold = 1;                       // successful probes in half-open that close it again
  std::chrono::milliseconds resetTimeout{30000};  // time open before letting probes through
};

struct ClientOptions {
  // Bearer token (API key or JWT). Empty: $SPOOLED_API_KEY. Still empty, and no accessToken or
  // adminKey either: SpooledClient throws ValidationError.
  std::string apiKey{};
  // A JWT access token (from client.auth().login()) sent instead of apiKey when set.
  std::string accessToken{};
  // The server's admin key, sent as X-Admin-Key by client.admin() only. A client with only an admin
  // key can call the admin API and nothing else.
  std::string adminKey{};
  // Server root, e.g. "https://spooled.example.com". Empty: $SPOOLED_API_URL, then http://localhost:8080.
  std::string baseUrl{};
  std::chrono::milliseconds connectTimeout{5000};   // TCP + TLS handshake
  std::chrono::milliseconds requestTimeout{30000};  // whole request, per attempt
  RetryOptions retry{};
  CircuitBreakerOptions circuitBreaker{};
  // Empty: "spooled-cpp/<sdk version>".
  std::string userAgent{};
  // Sent with every request (after the SDK's own headers, so they may not replace Authorization).
  std::map<std::string, std::string> headers{};

  // Reads options from JSON, e.g. a config file section. Keys are snake_case or camelCase
  // ("api_key"/"apiKey", "connect_timeout_ms", "retry": {"max_retries", "base_delay_ms", ...},
  // "circuit_breaker": {"failure_threshold", "reset_timeout_ms", ...}); absent keys keep defaults.
  // Throws ValidationError on an unknown key or a value of the wrong type.
  static ClientOptions fromJson(const json& config);

  // A copy with the environment fallbacks applied (what SpooledClient uses). Throws ValidationError
  // when no API key is set anywhere or the values are out of range.
  ClientOptions resolved() const;
};

}  // namespace spooled
