// The per-queue token bucket that caps how many jobs claims hand out per second.
#include "server/core/claim_rate_limiter.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

using namespace std::chrono_literals;
using namespace spooled;
using namespace spooled::server;

namespace {
const TimePoint kStart = fromEpochMs(1'800'000'000'000);
}  // namespace

TEST(ClaimRateLimiterTest, AnIdleQueueMayStartWithOneSecondsWorth) {
  ClaimRateLimiter limiter;
  EXPECT_EQ(limiter.acquire("o", "q", 5, 100, kStart), 5);
  EXPECT_EQ(limiter.acquire("o", "q", 5, 100, kStart), 0);
}

TEST(ClaimRateLimiterTest, TokensComeBackAtTheRate) {
  ClaimRateLimiter limiter;
  ASSERT_EQ(limiter.acquire("o", "q", 10, 10, kStart), 10);
  EXPECT_EQ(limiter.acquire("o", "q", 10, 10, kStart + 50ms), 0);   // half a token
  EXPECT_EQ(limiter.acquire("o", "q", 10, 10, kStart + 100ms), 1);  // the half plus another half
  EXPECT_EQ(limiter.acquire("o", "q", 10, 10, kStart + 400ms), 3);
  // A long pause saves up at most one second's worth.
  EXPECT_EQ(limiter.acquire("o", "q", 10, 100, kStart + 60s), 10);
}

TEST(ClaimRateLimiterTest, OverManySecondsTheTotalFollowsTheRate) {
  ClaimRateLimiter limiter;
  int total = 0;
  for (int ms = 0; ms <= 10'000; ms += 7)
    total += limiter.acquire("o", "q", 3, 100, kStart + std::chrono::milliseconds(ms));
  EXPECT_GE(total, 30);  // 3 to start with, then 3 per second for 10 s
  EXPECT_LE(total, 33);
}

TEST(ClaimRateLimiterTest, AClaimNeverGetsMoreThanItAskedFor) {
  ClaimRateLimiter limiter;
  EXPECT_EQ(limiter.acquire("o", "q", 50, 2, kStart), 2);
  EXPECT_EQ(limiter.acquire("o", "q", 50, 0, kStart), 0);
}

TEST(ClaimRateLimiterTest, UnusedTokensCanBeGivenBack) {
  ClaimRateLimiter limiter;
  ASSERT_EQ(limiter.acquire("o", "q", 4, 4, kStart), 4);
  limiter.refund("o", "q", 3);  // the queue had only one ready job
  EXPECT_EQ(limiter.acquire("o", "q", 4, 4, kStart), 3);
  limiter.refund("o", "q", 100);  // never above one second's worth
  EXPECT_EQ(limiter.acquire("o", "q", 4, 100, kStart), 4);
}

TEST(ClaimRateLimiterTest, QueuesAndOrganizationsHaveTheirOwnBuckets) {
  ClaimRateLimiter limiter;
  ASSERT_EQ(limiter.acquire("o", "q", 1, 5, kStart), 1);
  EXPECT_EQ(limiter.acquire("o", "q", 1, 5, kStart), 0);
  EXPECT_EQ(limiter.acquire("o", "r", 1, 5, kStart), 1);
  EXPECT_EQ(limiter.acquire("p", "q", 1, 5, kStart), 1);
}

TEST(ClaimRateLimiterTest, ALowerRateAlsoLowersWhatWasSavedUp) {
  ClaimRateLimiter limiter;
  ASSERT_EQ(limiter.acquire("o", "q", 100, 1, kStart), 1);  // 99 left
  EXPECT_EQ(limiter.acquire("o", "q", 2, 100, kStart), 2);
}

TEST(ClaimRateLimiterTest, ConcurrentClaimersShareOneBudget) {
  ClaimRateLimiter limiter;
  std::atomic<int> total{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 100; ++i) total += limiter.acquire("o", "q", 20, 3, kStart);
    });
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(total.load(), 20);
}
