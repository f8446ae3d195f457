#pragma once
// The SDK's one exception hierarchy. Every failure a call can report is a SpooledError: HTTP error
// responses map to one subclass per status class (see docs/sdk.md, "Errors"); transport failures are
// NetworkError / TimeoutError; handlers throw NonRetryableError to dead-letter a job at once.
// All classes are copyable and immutable after construction, so they are safe to rethrow across threads.
#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>

#include "spooled/json.hpp"

namespace spooled {

// Base of every SDK error. status() is the HTTP status (0 when no response arrived), code() the
// wire `code` ("NOT_FOUND", "LEASE_EXPIRED", ...), details() the wire `details` (null when absent).
class SpooledError : public std::runtime_error {
 public:
  explicit SpooledError(const std::string& message, int status = 0, std::string code = "UNKNOWN_ERROR",
                        json details = nullptr, std::string requestId = {});

  int status() const noexcept { return status_; }
  const std::string& code() const noexcept { return code_; }
  const json& details() const noexcept { return details_; }
  // The server's X-Request-Id for this failure, empty when it sent none; quote it in bug reports.
  const std::string& requestId() const noexcept { return requestId_; }
  // True when repeating the same call later may succeed (429, 5xx, network and timeout failures).
  virtual bool isRetryable() const noexcept { return false; }

 private:
  int status_;
  std::string code_;
  json details_;
  std::string requestId_;
};

// 400: a field is missing or out of range (also thrown locally, e.g. a client without an API key).
class ValidationError : public SpooledError {
 public:
  explicit ValidationError(const std::string& message, std::string code = "VALIDATION_ERROR",
                           json details = nullptr, std::string requestId = {});
};

// 401: no, wrong, revoked or expired credentials.
class AuthenticationError : public SpooledError {
 public:
  explicit AuthenticationError(const std::string& message, std::string code = "UNAUTHORIZED",
                               json details = nullptr, std::string requestId = {});
};

// 403: the credentials are valid but not for this resource.
class AuthorizationError : public SpooledError {
 public:
  explicit AuthorizationError(const std::string& message, std::string code = "ACCESS_DENIED",
                              json details = nullptr, std::string requestId = {});
};

// 404: the job, worker or route does not exist (or belongs to another organization).
class NotFoundError : public SpooledError {
 public:
  explicit NotFoundError(const std::string& message, std::string code = "NOT_FOUND", json details = nullptr,
                         std::string requestId = {});
};

// 409: the resource's state forbids the change. Workers check the two lease cases below.
class ConflictError : public SpooledError {
 public:
  explicit ConflictError(const std::string& message, std::string code = "CONFLICT", json details = nullptr,
                         std::string requestId = {});
  // The lease_id was stale or the lease ran out: the job is no longer this worker's; drop it.
  bool isLeaseExpired() const noexcept { return code() == "LEASE_EXPIRED"; }
  // The job was cancelled while this worker held it: stop working on it.
  bool isJobCancelled() const noexcept { return code() == "JOB_CANCELLED"; }
};

// 413: the request body (usually the payload or result) is larger than the server accepts.
class PayloadTooLargeError : public SpooledError {
 public:
  explicit PayloadTooLargeError(const std::string& message, std::string code = "PAYLOAD_TOO_LARGE",
                                json details = nullptr, std::string requestId = {});
};

// 429: too many requests. retryAfter() is the server's Retry-After, if it sent one.
class RateLimitError : public SpooledError {
 public:
  explicit RateLimitError(const std::string& message, std::optional<std::chrono::seconds> retryAfter = {},
                          std::string code = "RATE_LIMIT_EXCEEDED", json details = nullptr,
                          std::string requestId = {});
  std::optional<std::chrono::seconds> retryAfter() const noexcept { return retryAfter_; }
  bool isRetryable() const noexcept override { return true; }

 private:
  std::optional<std::chrono::seconds> retryAfter_;
};

// 5xx: the server failed. The request may or may not have taken effect.
class ServerError : public SpooledError {
 public:
  explicit ServerError(const std::string& message, int status = 500, std::string code = "INTERNAL_ERROR",
                       json details = nullptr, std::string requestId = {});
  bool isRetryable() const noexcept override { return true; }
};

// No HTTP response: DNS, refused or reset connection, TLS failure. code() is "CONNECTION_FAILED" when
// the request provably never reached the server, "NETWORK_ERROR" when it may have.
class NetworkError : public SpooledError {
 public:
  explicit NetworkError(const std::string& message, std::string code = "NETWORK_ERROR");
  bool isRetryable() const noexcept override { return true; }
};

// The circuit breaker is open after repeated failures: the call failed fast without touching the
// network. Not retried by the SDK; the circuit half-opens after CircuitBreakerOptions::resetTimeout.
class CircuitOpenError : public NetworkError {
 public:
  explicit CircuitOpenError(const std::string& message);
  bool isRetryable() const noexcept override { return false; }
};

// The connect or request timeout (ClientOptions) passed before a response arrived.
class TimeoutError : public SpooledError {
 public:
  explicit TimeoutError(const std::string& message, std::chrono::milliseconds timeout = {});
  std::chrono::milliseconds timeout() const noexcept { return timeout_; }
  bool isRetryable() const noexcept override { return true; }

 private:
  std::chrono::milliseconds timeout_;
};

// Not an HTTP error: a job handler throws it to fail the job without retries (dead-letter at once).
class NonRetryableError : public SpooledError {
 public:
  explicit NonRetryableError(const std::string& message);
};

}  // namespace spooled
