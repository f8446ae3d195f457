#pragma once
// The one error model of the server. Each ErrorCode has one HTTP status and one wire `code`
// string; the SDK maps the same strings back to its exception classes.
#include <stdexcept>
#include <string>
#include <string_view>

#include "spooled/json.hpp"

namespace spooled {

enum class ErrorCode {
  Validation,        // 400 VALIDATION_ERROR: a field is missing or out of range
  BadRequest,        // 400 BAD_REQUEST: the body is not parseable JSON
  Unauthorized,      // 401 UNAUTHORIZED: no, wrong, revoked or expired credentials
  Forbidden,         // 403 ACCESS_DENIED: credentials valid but not for this resource
  LimitExceeded,     // 403 LIMIT_EXCEEDED: the organization has as many queues/workers/keys as allowed
  NotFound,          // 404 NOT_FOUND
  MethodNotAllowed,  // 405 METHOD_NOT_ALLOWED
  Conflict,          // 409 CONFLICT: the resource is in a state that forbids the change
  LeaseExpired,      // 409 LEASE_EXPIRED: stale lease_id, or the lease ran out
  JobCancelled,      // 409 JOB_CANCELLED: the job was cancelled while a worker held it
  PayloadTooLarge,   // 413 PAYLOAD_TOO_LARGE
  RateLimited,       // 429 RATE_LIMIT_EXCEEDED
  Internal,          // 500 INTERNAL_ERROR
  Unavailable,       // 503 SERVICE_UNAVAILABLE
};

int httpStatus(ErrorCode code);
std::string_view wireCode(ErrorCode code);

// Thrown by validation, core and auth code; caught and rendered in exactly one place (the HTTP layer).
class ApiError : public std::runtime_error {
 public:
  ApiError(ErrorCode code, std::string message, json details = nullptr)
      : std::runtime_error(std::move(message)), code_(code), details_(std::move(details)) {}

  ErrorCode code() const { return code_; }
  const json& details() const { return details_; }

 private:
  ErrorCode code_;
  json details_;
};

}  // namespace spooled
