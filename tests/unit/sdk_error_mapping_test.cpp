// HTTP error responses -> SDK exception classes, as a caller would catch them.
#include <gtest/gtest.h>

#include <string>

#include "sdk/error_mapping.hpp"
#include "spooled/errors.hpp"

namespace spooled::detail {
namespace {

using std::chrono::seconds;

// Runs the mapping and returns the exception as the caller would catch it.
template <class Expected>
Expected mapped(int status, std::string_view body, std::optional<std::string> retryAfter = {},
                std::string requestId = {}) {
  try {
    throwForResponse(ErrorResponse{.status = status, .body = body, .retryAfter = retryAfter, .requestId = requestId});
  } catch (const Expected& error) {
    return error;
  } catch (const SpooledError& error) {
    ADD_FAILURE() << "status " << status << " mapped to the wrong class: " << typeid(error).name();
  }
  throw std::logic_error("unreachable");
}

std::string body(const std::string& code, const std::string& message) {
  return json{{"code", code}, {"message", message}}.dump();
}

TEST(SdkErrorMappingTest, EachStatusClassMapsToItsException) {
  EXPECT_EQ(mapped<ValidationError>(400, body("VALIDATION_ERROR", "bad")).status(), 400);
  EXPECT_EQ(mapped<AuthenticationError>(401, body("UNAUTHORIZED", "who")).status(), 401);
  EXPECT_EQ(mapped<AuthorizationError>(403, body("ACCESS_DENIED", "no")).status(), 403);
  EXPECT_EQ(mapped<NotFoundError>(404, body("NOT_FOUND", "gone")).status(), 404);
  EXPECT_EQ(mapped<ConflictError>(409, body("CONFLICT", "busy")).status(), 409);
  EXPECT_EQ(mapped<PayloadTooLargeError>(413, body("PAYLOAD_TOO_LARGE", "big")).status(), 413);
  EXPECT_EQ(mapped<RateLimitError>(429, body("RATE_LIMIT_EXCEEDED", "slow")).status(), 429);
  EXPECT_EQ(mapped<ServerError>(500, body("INTERNAL_ERROR", "oops")).status(), 500);
  EXPECT_EQ(mapped<ServerError>(503, body("SERVICE_UNAVAILABLE", "later")).status(), 503);
}

TEST(SdkErrorMappingTest, KeepsCodeMessageDetailsAndRequestId) {
  const json wire = {{"code", "VALIDATION_ERROR"},
                     {"message", "queue_name is required"},
                     {"details", {{"field", "queue_name"}}}};
  const auto error = mapped<ValidationError>(400, wire.dump(), std::nullopt, "req-123");
  EXPECT_EQ(error.code(), "VALIDATION_ERROR");
  EXPECT_STREQ(error.what(), "queue_name is required");
  EXPECT_EQ(error.details(), (json{{"field", "queue_name"}}));
  EXPECT_EQ(error.requestId(), "req-123");
  EXPECT_FALSE(error.isRetryable());
}

TEST(SdkErrorMappingTest, LeaseConflictsAreRecognisable) {
  const auto expired = mapped<ConflictError>(409, body("LEASE_EXPIRED", "stale lease"));
  EXPECT_TRUE(expired.isLeaseExpired());
  EXPECT_FALSE(expired.isJobCancelled());
  const auto cancelled = mapped<ConflictError>(409, body("JOB_CANCELLED", "cancelled"));
  EXPECT_TRUE(cancelled.isJobCancelled());
  EXPECT_FALSE(cancelled.isLeaseExpired());
  EXPECT_FALSE(mapped<ConflictError>(409, body("CONFLICT", "x")).isLeaseExpired());
}

TEST(SdkErrorMappingTest, RateLimitCarriesRetryAfterSecondsOrDate) {
  EXPECT_EQ(mapped<RateLimitError>(429, "", std::string("7")).retryAfter(), seconds(7));
  EXPECT_EQ(mapped<RateLimitError>(429, "").retryAfter(), std::nullopt);
  EXPECT_EQ(mapped<RateLimitError>(429, "", std::string("soon")).retryAfter(), std::nullopt);
  EXPECT_TRUE(mapped<RateLimitError>(429, "").isRetryable());
  // 784111777 is Sun, 06 Nov 1994 08:49:37 GMT (the RFC's example date).
  EXPECT_EQ(parseRetryAfter(std::string("Sun, 06 Nov 1994 08:49:37 GMT"), 784111777 - 30), seconds(30));
  EXPECT_EQ(parseRetryAfter(std::string("Sun, 06 Nov 1994 08:49:37 GMT"), 784111777 + 30), seconds(0));
}

TEST(SdkErrorMappingTest, NonJsonBodyBecomesTheMessageAndStatusPicksTheCode) {
  const auto error = mapped<ServerError>(502, "<html>Bad Gateway</html>");
  EXPECT_STREQ(error.what(), "<html>Bad Gateway</html>");
  EXPECT_EQ(error.code(), "INTERNAL_ERROR");
  EXPECT_TRUE(error.isRetryable());

  const auto empty = mapped<NotFoundError>(404, "");
  EXPECT_STREQ(empty.what(), "HTTP 404");
  EXPECT_EQ(empty.code(), "NOT_FOUND");
}

TEST(SdkErrorMappingTest, UnlistedStatusIsAPlainSpooledError) {
  try {
    throwForResponse(ErrorResponse{.status = 418, .body = body("TEAPOT", "short and stout"), .retryAfter = {}, .requestId = {}});
  } catch (const SpooledError& error) {
    EXPECT_EQ(typeid(error), typeid(SpooledError));
    EXPECT_EQ(error.status(), 418);
    EXPECT_EQ(error.code(), "TEAPOT");
  }
}

}  // namespace
}  // namespace spooled::detail
