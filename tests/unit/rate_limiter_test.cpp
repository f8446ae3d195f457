// Token buckets with a stepped clock: a key gets its burst at once, then its rate, and is told when to
// come back; other keys are unaffected.
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "server/auth/rate_limiter.hpp"

namespace spooled::server {
namespace {

using namespace std::chrono_literals;

class RateLimiterTest : public ::testing::Test {
 protected:
  std::chrono::steady_clock::time_point now_{std::chrono::seconds(1000)};
  RateLimiter limiter_{[this] { return now_; }};
};

TEST_F(RateLimiterTest, BurstIsAllowedAtOnceThenRefused) {
  const RateLimit limit{2, 3};
  for (int i = 0; i < 3; ++i) {
    const RateDecision d = limiter_.take("key", limit);
    EXPECT_TRUE(d.allowed) << i;
    EXPECT_EQ(d.limit, 3);
    EXPECT_EQ(d.remaining, 2 - i);
  }
  const RateDecision refused = limiter_.take("key", limit);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.remaining, 0);
  EXPECT_EQ(refused.retryAfter, 500ms);  // one token at 2 per second
  EXPECT_EQ(refused.resetAfter, 1500ms);  // three tokens
}

TEST_F(RateLimiterTest, TokensComeBackAtTheRate) {
  const RateLimit limit{2, 2};
  limiter_.take("key", limit);
  limiter_.take("key", limit);
  EXPECT_FALSE(limiter_.take("key", limit).allowed);
  now_ += 499ms;
  EXPECT_FALSE(limiter_.take("key", limit).allowed);
  now_ += 1ms;
  EXPECT_TRUE(limiter_.take("key", limit).allowed);
  EXPECT_FALSE(limiter_.take("key", limit).allowed);
  // A long pause refills to the burst, never beyond.
  now_ += 1h;
  EXPECT_TRUE(limiter_.take("key", limit).allowed);
  EXPECT_TRUE(limiter_.take("key", limit).allowed);
  EXPECT_FALSE(limiter_.take("key", limit).allowed);
}

TEST_F(RateLimiterTest, KeysHaveTheirOwnBuckets) {
  const RateLimit limit{1, 1};
  EXPECT_TRUE(limiter_.take("a", limit).allowed);
  EXPECT_FALSE(limiter_.take("a", limit).allowed);
  EXPECT_TRUE(limiter_.take("b", limit).allowed);
}

TEST_F(RateLimiterTest, ALowerLimitAppliesAtOnce) {
  EXPECT_TRUE(limiter_.take("key", RateLimit{100, 100}).allowed);  // 99 tokens left
  const RateDecision d = limiter_.take("key", RateLimit{1, 2});
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.remaining, 1);
  EXPECT_EQ(d.limit, 2);
}

TEST_F(RateLimiterTest, ConcurrentCallersNeverGetMoreThanTheBurst) {
  const RateLimit limit{1, 500};
  std::atomic<int> allowed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 100; ++i)
        if (limiter_.take("shared", limit).allowed) ++allowed;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(allowed.load(), 500);  // the clock does not move, so nothing refills
}

TEST_F(RateLimiterTest, FullBucketsAreForgottenWhenThereAreMany) {
  const RateLimit limit{1000, 1};
  for (int i = 0; i < 10002; ++i) limiter_.take("key-" + std::to_string(i), limit);
  now_ += 1s;  // every bucket is full again
  limiter_.take("one-more", limit);
  EXPECT_LT(limiter_.bucketCount(), 10u);
}

}  // namespace
}  // namespace spooled::server
