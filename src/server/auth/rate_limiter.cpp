#include "server/auth/rate_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace spooled::server {

namespace {

// Past this many buckets, full ones are dropped: it bounds memory when many keys come and go.
constexpr std::size_t kEvictAbove = 10000;

std::chrono::milliseconds secondsToMs(double seconds) {
  return std::chrono::milliseconds(static_cast<long long>(std::ceil(std::max(0.0, seconds) * 1000.0)));
}

}  // namespace

RateDecision RateLimiter::take(const std::string& key, RateLimit limit) {
  const auto now = clock_();
  const std::lock_guard lock(mutex_);
  if (buckets_.size() > kEvictAbove) evictFullBuckets(now);

  auto [it, created] = buckets_.try_emplace(key, Bucket{limit.burst, now, limit});
  Bucket& bucket = it->second;
  bucket.limit = limit;
  if (!created) {
    const double elapsed = std::chrono::duration<double>(now - bucket.updated).count();
    bucket.tokens = std::min(limit.burst, bucket.tokens + std::max(0.0, elapsed) * limit.perSecond);
    bucket.updated = now;
  }

  RateDecision decision;
  decision.limit = static_cast<int>(limit.burst);
  decision.allowed = bucket.tokens >= 1.0;
  if (decision.allowed) {
    bucket.tokens -= 1.0;
  } else {
    decision.retryAfter = secondsToMs((1.0 - bucket.tokens) / limit.perSecond);
  }
  decision.remaining = static_cast<int>(std::floor(bucket.tokens));
  decision.resetAfter = secondsToMs((limit.burst - bucket.tokens) / limit.perSecond);
  return decision;
}

void RateLimiter::evictFullBuckets(std::chrono::steady_clock::time_point now) {
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    const Bucket& b = it->second;
    const double elapsed = std::chrono::duration<double>(now - b.updated).count();
    if (b.tokens + elapsed * b.limit.perSecond >= b.limit.burst) {
      it = buckets_.erase(it);
    } else {
      ++it;
    }
  }
}

std::size_t RateLimiter::bucketCount() const {
  const std::lock_guard lock(mutex_);
  return buckets_.size();
}

}  // namespace spooled::server
