#pragma once
// The one place where an HTTP error response becomes an exception: status + `{code, message, details}`
// body (+ Retry-After and X-Request-Id headers) -> the matching SpooledError subclass.
#include <chrono>
#include <exception>
#include <optional>
#include <string>
#include <string_view>

namespace spooled::detail {

struct ErrorResponse {
  int status = 0;
  std::string_view body;
  std::optional<std::string> retryAfter;  // raw Retry-After header
  std::string requestId;                  // X-Request-Id header, empty if none
};

// Throws the exception for a response with status >= 400. Never returns.
[[noreturn]] void throwForResponse(const ErrorResponse& response);

// The exception the single-job call would have thrown for one refused item of a batched
// acknowledgement, which carries a wire code and message but no HTTP status: the code decides it.
std::exception_ptr ackItemException(const std::string& code, const std::string& message);

// Retry-After as delta-seconds ("120") or an HTTP-date; nullopt when absent or unparseable.
// `nowUnixSeconds` is injectable for tests.
std::optional<std::chrono::seconds> parseRetryAfter(const std::optional<std::string>& header,
                                                    std::optional<long long> nowUnixSeconds = {});

}  // namespace spooled::detail
