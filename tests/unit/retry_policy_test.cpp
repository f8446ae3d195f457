// The retry delay a user sees between attempts of a failing job.
#include "server/core/retry_policy.hpp"

#include <gtest/gtest.h>

using namespace std::chrono_literals;
using spooled::server::RetryPolicy;

namespace {
double middle() { return 0.5; }  // no jitter
double lowest() { return 0.0; }
double highest() { return 0.999999; }
}  // namespace

TEST(RetryPolicyTest, DoublesEachAttemptLikeTheOfficialBackend) {
  RetryPolicy policy;
  EXPECT_EQ(policy.delayFor(1, middle), 2000ms);
  EXPECT_EQ(policy.delayFor(2, middle), 4000ms);
  EXPECT_EQ(policy.delayFor(3, middle), 8000ms);
  EXPECT_EQ(policy.delayFor(5, middle), 32000ms);
}

TEST(RetryPolicyTest, NeverWaitsLongerThanTheCap) {
  RetryPolicy policy;
  EXPECT_EQ(policy.delayFor(6, middle), 60000ms);
  EXPECT_EQ(policy.delayFor(50, middle), 60000ms);
  EXPECT_LE(policy.delayFor(50, highest), 60000ms);
}

TEST(RetryPolicyTest, JitterSpreadsDelaysWithinTheConfiguredFraction) {
  RetryPolicy policy;
  EXPECT_EQ(policy.delayFor(2, lowest), 3200ms);
  EXPECT_GT(policy.delayFor(2, highest), 4700ms);
  EXPECT_LE(policy.delayFor(2, highest), 4800ms);
}

TEST(RetryPolicyTest, CustomBaseAndCap) {
  RetryPolicy policy{.base = 100ms, .cap = 500ms, .maxExponent = 10, .jitterFraction = 0.0};
  EXPECT_EQ(policy.delayFor(1, middle), 200ms);
  EXPECT_EQ(policy.delayFor(3, middle), 500ms);
}
