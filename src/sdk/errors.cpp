// Constructors of the public exception classes (include/spooled/errors.hpp).
#include "spooled/errors.hpp"

#include <utility>

namespace spooled {

SpooledError::SpooledError(const std::string& message, int status, std::string code, json details,
                           std::string requestId)
    : std::runtime_error(message),
      status_(status),
      code_(std::move(code)),
      details_(std::move(details)),
      requestId_(std::move(requestId)) {}

ValidationError::ValidationError(const std::string& message, std::string code, json details,
                                 std::string requestId)
    : SpooledError(message, 400, std::move(code), std::move(details), std::move(requestId)) {}

AuthenticationError::AuthenticationError(const std::string& message, std::string code, json details,
                                         std::string requestId)
    : SpooledError(message, 401, std::move(code), std::move(details), std::move(requestId)) {}

AuthorizationError::AuthorizationError(const std::string& message, std::string code, json details,
                                       std::string requestId)
    : SpooledError(message, 403, std::move(code), std::move(details), std::move(requestId)) {}

NotFoundError::NotFoundError(const std::string& message, std::string code, json details, std::string requestId)
    : SpooledError(message, 404, std::move(code), std::move(details), std::move(requestId)) {}

ConflictError::ConflictError(const std::string& message, std::string code, json details, std::string requestId)
    : SpooledError(message, 409, std::move(code), std::move(details), std::move(requestId)) {}

PayloadTooLargeError::PayloadTooLargeError(const std::string& message, std::string code, json details,
                                           std::string requestId)
    : SpooledError(message, 413, std::move(code), std::move(details), std::move(requestId)) {}

RateLimitError::RateLimitError(const std::string& message, std::optional<std::chrono::seconds> retryAfter,
                               std::string code, json details, std::string requestId)
    : SpooledError(message, 429, std::move(code), std::move(details), std::move(requestId)),
      retryAfter_(retryAfter) {}

ServerError::ServerError(const std::string& message, int status, std::string code, json details,
                         std::string requestId)
    : SpooledError(message, status, std::move(code), std::move(details), std::move(requestId)) {}

NetworkError::NetworkError(const std::string& message, std::string code) : SpooledError(message, 0, std::move(code)) {}

CircuitOpenError::CircuitOpenError(const std::string& message) : NetworkError(message, "CIRCUIT_OPEN") {}

TimeoutError::TimeoutError(const std::string& message, std::chrono::milliseconds timeout)
    : SpooledError(message, 0, "TIMEOUT", json{{"timeout_ms", timeout.count()}}), timeout_(timeout) {}

NonRetryableError::NonRetryableError(const std::string& message) : SpooledError(message, 0, "NON_RETRYABLE") {}

}  // namespace spooled
