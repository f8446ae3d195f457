// The accounting of per-key request buckets shared by several servers (RateLimiter::takeUsage /
// applyShared / restoreUsage, which ClusterRateSync drives): three limiters with one clock, clients
// hammering all of them, and an in-test shared bucket refilled like the PostgreSQL row. The cluster
// admits what one bucket would, not three times it; failed syncs lose no uses.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <vector>

#include "server/auth/rate_limiter.hpp"

namespace spooled::server {
namespace {

using namespace std::chrono_literals;

// request_rate_buckets, as pg_rate_buckets.cpp updates it.
struct SharedBucket {
  bool exists = false;
  double tokens = 0;
  std::chrono::steady_clock::time_point refilledAt;
  std::vector<double> sync(const std::vector<RateLimiter::Usage>& uses, std::chrono::steady_clock::time_point now) {
    std::vector<double> levels;
    for (const auto& u : uses) {
      if (!exists) {
        tokens = u.limit.burst - u.used;
        exists = true;
      } else {
        const double elapsed = std::max(0.0, std::chrono::duration<double>(now - refilledAt).count());
        tokens = std::max(-10 * u.limit.burst, std::min(u.limit.burst, tokens + elapsed * u.limit.perSecond) - u.used);
      }
      refilledAt = std::max(refilledAt, now);
      levels.push_back(tokens);
    }
    return levels;
  }
};

class SharedRateLimiterTest : public ::testing::Test {
 protected:
  SharedRateLimiterTest() {
    for (int i = 0; i < 3; ++i) {
      servers_.push_back(std::make_unique<RateLimiter>([this] { return now_; }));
      servers_.back()->shareWithCluster();
    }
  }
  // Runs `seconds` of time in 5 ms steps; each step every server gets `perStep` requests for "key", and
  // every 50 ms each server syncs (unless `failing` says that sync fails). Returns the requests admitted.
  int run(std::chrono::milliseconds duration, int perStep, const std::function<bool(int step)>& failing = nullptr) {
    int admitted = 0;
    const int steps = static_cast<int>(duration / 5ms);
    for (int step = 0; step < steps; ++step) {
      now_ += 5ms;
      for (auto& server : servers_)
        for (int r = 0; r < perStep; ++r) admitted += server->take("key", limit_).allowed ? 1 : 0;
      if (step % 10 != 9) continue;
      for (auto& server : servers_) {
        const auto usage = server->takeUsage();
        if (failing && failing(step)) {
          server->restoreUsage(usage);
        } else {
          server->applyShared(usage, shared_.sync(usage, now_));
        }
      }
    }
    return admitted;
  }

  std::chrono::steady_clock::time_point now_{std::chrono::seconds(1000)};
  RateLimit limit_{20, 40};
  SharedBucket shared_;
  std::vector<std::unique_ptr<RateLimiter>> servers_;
};

TEST_F(SharedRateLimiterTest, ThreeServersTogetherAdmitWhatOneBucketWould) {
  const int admitted = run(5s, 2);  // 1200 requests a second offered against 20
  const double oneBucket = 40 + 20 * 5;
  EXPECT_GE(admitted, oneBucket * 0.9);
  EXPECT_LE(admitted, oneBucket * 1.1) << "three unshared buckets would admit " << 3 * oneBucket;
}

// Copies refill alone between syncs, so single seconds wobble by a few requests; two seconds hold
// within 10%.
TEST_F(SharedRateLimiterTest, TheRateHoldsInEveryTwoSecondsAfterTheBurst) {
  run(2s, 2);
  for (int window = 0; window < 4; ++window) {
    const int admitted = run(2s, 2);
    EXPECT_GE(admitted, 40 - 4) << "window " << window;
    EXPECT_LE(admitted, 40 + 4) << "window " << window;
  }
}

TEST_F(SharedRateLimiterTest, UsesFromFailedSyncsAreReportedLater) {
  // Every sync of the first two seconds fails: each server limits alone meanwhile (3 x 80 at most).
  const int whileDown = run(2s, 2, [](int) { return true; });
  EXPECT_LE(whileDown, 3 * (40 + 20 * 2));
  EXPECT_GT(whileDown, 40 + 20 * 2);
  // Once syncs work, the uses kept meanwhile are settled: the cluster refuses until the excess over
  // one bucket (about 2 x 80 here, 8 s at 20/s) is paid back.
  const int after = run(4s, 2);
  EXPECT_LE(after, 3) << "the uses admitted while the database was down were not reported";
}

TEST_F(SharedRateLimiterTest, AnIdleCopyFollowsTheOthersUses) {
  servers_[0]->take("key", limit_);  // server 0 knows the key, then only servers 1 and 2 get requests
  int admittedByOthers = 0;
  for (int step = 0; step < 200; ++step) {  // one second
    now_ += 5ms;
    for (std::size_t s = 1; s < 3; ++s)
      for (int r = 0; r < 2; ++r) admittedByOthers += servers_[s]->take("key", limit_).allowed ? 1 : 0;
    if (step % 10 != 9) continue;
    for (auto& server : servers_) {
      const auto usage = server->takeUsage();
      server->applyShared(usage, shared_.sync(usage, now_));
    }
  }
  EXPECT_GT(admittedByOthers, 40);
  EXPECT_FALSE(servers_[0]->take("key", limit_).allowed) << "server 0's copy knows the bucket is empty";
}

}  // namespace
}  // namespace spooled::server
