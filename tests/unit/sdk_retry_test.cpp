// The SDK's retry policy: which failures are repeated, how long it waits, and that it stops.
#include <gtest/gtest.h>

#include <vector>

#include "sdk/retry.hpp"
#include "spooled/errors.hpp"

namespace spooled::detail {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

RetryOptions noJitter(int maxRetries = 3) {
  RetryOptions options;
  options.maxRetries = maxRetries;
  options.baseDelay = milliseconds(100);
  options.maxDelay = milliseconds(1000);
  options.factor = 2.0;
  options.jitter = false;
  return options;
}

TEST(SdkRetryPolicyTest, DelayDoublesPerAttemptAndStopsAtMaxDelay) {
  const RetryPolicy policy(noJitter());
  const ServerError error("boom");
  EXPECT_EQ(policy.delayFor(error, 1), milliseconds(100));
  EXPECT_EQ(policy.delayFor(error, 2), milliseconds(200));
  EXPECT_EQ(policy.delayFor(error, 3), milliseconds(400));
  EXPECT_EQ(policy.delayFor(error, 5), milliseconds(1000));
  EXPECT_EQ(policy.delayFor(error, 30), milliseconds(1000));
}

TEST(SdkRetryPolicyTest, JitterAddsUpToAQuarterOfTheDelay) {
  RetryOptions options = noJitter();
  options.jitter = true;
  const RetryPolicy lowest(options, [] { return 0.0; });
  const RetryPolicy highest(options, [] { return 0.999; });
  const ServerError error("boom");
  EXPECT_EQ(lowest.delayFor(error, 2), milliseconds(200));
  EXPECT_EQ(highest.delayFor(error, 2), milliseconds(249));
}

TEST(SdkRetryPolicyTest, RateLimitWaitsForRetryAfterButNotPastMaxDelay) {
  const RetryPolicy policy(noJitter());
  EXPECT_EQ(policy.delayFor(RateLimitError("slow down", seconds(0)), 1), milliseconds(0));
  EXPECT_EQ(policy.delayFor(RateLimitError("slow down", seconds(5)), 1), milliseconds(1000));
  // Without Retry-After it backs off like any other failure.
  EXPECT_EQ(policy.delayFor(RateLimitError("slow down"), 2), milliseconds(200));
}

TEST(SdkRetryPolicyTest, IdempotentCallsRetryTransientFailures) {
  const RetryPolicy policy(noJitter());
  EXPECT_TRUE(policy.shouldRetry(ServerError("boom", 503), 1, Idempotency::Safe));
  EXPECT_TRUE(policy.shouldRetry(NetworkError("reset"), 1, Idempotency::Safe));
  EXPECT_TRUE(policy.shouldRetry(TimeoutError("slow"), 1, Idempotency::Safe));
  EXPECT_TRUE(policy.shouldRetry(RateLimitError("slow down"), 1, Idempotency::Safe));
}

TEST(SdkRetryPolicyTest, UnsafeCallsRetryOnlyWhenTheServerCannotHaveActed) {
  const RetryPolicy policy(noJitter());
  EXPECT_FALSE(policy.shouldRetry(ServerError("boom", 500), 1, Idempotency::Unsafe));
  EXPECT_FALSE(policy.shouldRetry(NetworkError("reset mid-request"), 1, Idempotency::Unsafe));
  EXPECT_FALSE(policy.shouldRetry(TimeoutError("slow"), 1, Idempotency::Unsafe));
  EXPECT_TRUE(policy.shouldRetry(RateLimitError("slow down"), 1, Idempotency::Unsafe));
  EXPECT_TRUE(policy.shouldRetry(NetworkError("refused", "CONNECTION_FAILED"), 1, Idempotency::Unsafe));
}

TEST(SdkRetryPolicyTest, ClientErrorsAndOpenCircuitAreNeverRetried) {
  const RetryPolicy policy(noJitter());
  EXPECT_FALSE(policy.shouldRetry(ValidationError("bad"), 1, Idempotency::Safe));
  EXPECT_FALSE(policy.shouldRetry(NotFoundError("gone"), 1, Idempotency::Safe));
  EXPECT_FALSE(policy.shouldRetry(ConflictError("stale", "LEASE_EXPIRED"), 1, Idempotency::Safe));
  EXPECT_FALSE(policy.shouldRetry(AuthenticationError("who"), 1, Idempotency::Safe));
  EXPECT_FALSE(policy.shouldRetry(CircuitOpenError("open"), 1, Idempotency::Safe));
}

TEST(SdkRetryPolicyTest, StopsAfterMaxRetries) {
  const RetryPolicy policy(noJitter(2));
  const ServerError error("boom");
  EXPECT_TRUE(policy.shouldRetry(error, 2, Idempotency::Safe));
  EXPECT_FALSE(policy.shouldRetry(error, 3, Idempotency::Safe));
  const RetryPolicy never(noJitter(0));
  EXPECT_FALSE(never.shouldRetry(error, 1, Idempotency::Safe));
}

TEST(SdkRunWithRetryTest, RepeatsUntilSuccessWaitingTheBackoffBetweenAttempts) {
  const RetryPolicy policy(noJitter());
  std::vector<milliseconds> waits;
  int attempts = 0;
  const int result = runWithRetry(policy, Idempotency::Safe, [&](milliseconds d) { waits.push_back(d); }, [&] {
    if (++attempts < 3) throw ServerError("boom", 502);
    return 42;
  });
  EXPECT_EQ(result, 42);
  EXPECT_EQ(attempts, 3);
  EXPECT_EQ(waits, (std::vector<milliseconds>{milliseconds(100), milliseconds(200)}));
}

TEST(SdkRunWithRetryTest, GivesUpAfterMaxRetriesWithTheOriginalErrorClass) {
  const RetryPolicy policy(noJitter(2));
  int attempts = 0;
  EXPECT_THROW(runWithRetry(policy, Idempotency::Safe, [](milliseconds) {},
                            [&]() -> int {
                              ++attempts;
                              throw TimeoutError("slow", milliseconds(10));
                            }),
               TimeoutError);
  EXPECT_EQ(attempts, 3);
}

TEST(SdkRunWithRetryTest, UnsafeCallFailsOnFirstAmbiguousError) {
  const RetryPolicy policy(noJitter());
  int attempts = 0;
  EXPECT_THROW(runWithRetry(policy, Idempotency::Unsafe, [](milliseconds) {},
                            [&]() -> int {
                              ++attempts;
                              throw ServerError("boom", 500);
                            }),
               ServerError);
  EXPECT_EQ(attempts, 1);
}

TEST(SdkRunWithRetryTest, SleeperThatThrowsEndsTheRetries) {
  const RetryPolicy policy(noJitter());
  int attempts = 0;
  EXPECT_THROW(runWithRetry(policy, Idempotency::Safe,
                            [](milliseconds) { throw SpooledError("closed", 0, "CLIENT_CLOSED"); },
                            [&]() -> int {
                              ++attempts;
                              throw ServerError("boom", 500);
                            }),
               SpooledError);
  EXPECT_EQ(attempts, 1);
}

}  // namespace
}  // namespace spooled::detail
