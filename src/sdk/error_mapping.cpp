#include "sdk/error_mapping.hpp"

#include <curl/curl.h>

#include <cctype>
#include <charconv>
#include <ctime>
#include <string>

#include "spooled/errors.hpp"
#include "spooled/json.hpp"

namespace spooled::detail {
namespace {

// Keeps error messages readable when a proxy answers with an HTML page instead of our JSON.
constexpr std::size_t kMaxRawMessage = 200;

struct ParsedBody {
  std::string code;
  std::string message;
  json details;
};

ParsedBody parseBody(int status, std::string_view body) {
  ParsedBody parsed;
  const json doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_object()) {
    if (auto it = doc.find("code"); it != doc.end() && it->is_string()) parsed.code = it->get<std::string>();
    if (auto it = doc.find("message"); it != doc.end() && it->is_string()) parsed.message = it->get<std::string>();
    // Some servers send {"error": "..."} instead of {"message": "..."}.
    if (parsed.message.empty()) {
      if (auto it = doc.find("error"); it != doc.end() && it->is_string()) parsed.message = it->get<std::string>();
    }
    if (auto it = doc.find("details"); it != doc.end()) parsed.details = *it;
  } else if (!body.empty()) {
    parsed.message = std::string(body.substr(0, kMaxRawMessage));
  }
  if (parsed.message.empty()) parsed.message = "HTTP " + std::to_string(status);
  return parsed;
}

std::string defaultCode(int status) {
  switch (status) {
    case 400: return "VALIDATION_ERROR";
    case 401: return "UNAUTHORIZED";
    case 403: return "ACCESS_DENIED";
    case 404: return "NOT_FOUND";
    case 409: return "CONFLICT";
    case 413: return "PAYLOAD_TOO_LARGE";
    case 429: return "RATE_LIMIT_EXCEEDED";
    default: return status >= 500 ? "INTERNAL_ERROR" : "HTTP_" + std::to_string(status);
  }
}

// The status each wire code is sent with (docs/api.md, "Errors").
int statusForCode(const std::string& code) {
  if (code == "VALIDATION_ERROR" || code == "BAD_REQUEST") return 400;
  if (code == "UNAUTHORIZED") return 401;
  if (code == "ACCESS_DENIED" || code == "LIMIT_EXCEEDED") return 403;
  if (code == "NOT_FOUND") return 404;
  if (code == "CONFLICT" || code == "LEASE_EXPIRED" || code == "JOB_CANCELLED") return 409;
  if (code == "PAYLOAD_TOO_LARGE") return 413;
  if (code == "RATE_LIMIT_EXCEEDED") return 429;
  if (code == "SERVICE_UNAVAILABLE") return 503;
  return 500;
}

}  // namespace

std::exception_ptr ackItemException(const std::string& code, const std::string& message) {
  const std::string body = json{{"code", code}, {"message", message}}.dump();
  try {
    throwForResponse(ErrorResponse{.status = statusForCode(code), .body = body, .retryAfter = std::nullopt, .requestId = {}});
  } catch (...) {
    return std::current_exception();
  }
}

std::optional<std::chrono::seconds> parseRetryAfter(const std::optional<std::string>& header,
                                                    std::optional<long long> nowUnixSeconds) {
  if (!header) return std::nullopt;
  std::string_view text = *header;
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  if (text.empty()) return std::nullopt;

  long long seconds = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  if (ec == std::errc{} && end == text.data() + text.size()) {
    if (seconds < 0) return std::nullopt;
    return std::chrono::seconds(seconds);
  }
  // An HTTP-date; curl already carries a parser for the three formats RFC 9110 allows.
  const std::string date(text);
  const time_t at = curl_getdate(date.c_str(), nullptr);
  if (at < 0) return std::nullopt;
  const long long now = nowUnixSeconds ? *nowUnixSeconds : static_cast<long long>(std::time(nullptr));
  return std::chrono::seconds(at > now ? at - now : 0);
}

void throwForResponse(const ErrorResponse& response) {
  ParsedBody parsed = parseBody(response.status, response.body);
  std::string code = parsed.code.empty() ? defaultCode(response.status) : std::move(parsed.code);
  const std::string& message = parsed.message;
  json details = std::move(parsed.details);
  std::string requestId = response.requestId;

  switch (response.status) {
    case 400:
    case 422: throw ValidationError(message, std::move(code), std::move(details), std::move(requestId));
    case 401: throw AuthenticationError(message, std::move(code), std::move(details), std::move(requestId));
    case 403: throw AuthorizationError(message, std::move(code), std::move(details), std::move(requestId));
    case 404: throw NotFoundError(message, std::move(code), std::move(details), std::move(requestId));
    case 409: throw ConflictError(message, std::move(code), std::move(details), std::move(requestId));
    case 413: throw PayloadTooLargeError(message, std::move(code), std::move(details), std::move(requestId));
    case 429:
      throw RateLimitError(message, parseRetryAfter(response.retryAfter), std::move(code), std::move(details),
                           std::move(requestId));
    default: break;
  }
  if (response.status >= 500) {
    throw ServerError(message, response.status, std::move(code), std::move(details), std::move(requestId));
  }
  throw SpooledError(message, response.status, std::move(code), std::move(details), std::move(requestId));
}

}  // namespace spooled::detail
