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
    if (shared_) {
      bucket.unsynced += 1.0;
      bucket.lastUsed = now;
    }
  } else {
    decision.retryAfter = secondsToMs((1.0 - bucket.tokens) / limit.perSecond);
  }
  decision.remaining = std::max(0, static_cast<int>(std::floor(bucket.tokens)));  // a shared copy may owe
  decision.resetAfter = secondsToMs((limit.burst - bucket.tokens) / limit.perSecond);
  return decision;
}

void RateLimiter::evictFullBuckets(std::chrono::steady_clock::time_point now) {
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    const Bucket& b = it->second;
    const double elapsed = std::chrono::duration<double>(now - b.updated).count();
    if (b.tokens + elapsed * b.limit.perSecond >= b.limit.burst && b.unsynced == 0 && b.inFlight == 0) {
      it = buckets_.erase(it);
    } else {
      ++it;
    }
  }
}

void RateLimiter::shareWithCluster() {
  const std::lock_guard lock(mutex_);
  shared_ = true;
}

std::vector<RateLimiter::Usage> RateLimiter::takeUsage() {
  // An idle copy keeps following the shared bucket for a while, so its next burst starts from the
  // cluster's level rather than from a copy that refilled alone.
  constexpr auto kFollowIdle = std::chrono::seconds(5);
  const auto now = clock_();
  const std::lock_guard lock(mutex_);
  std::vector<Usage> out;
  for (auto& [key, bucket] : buckets_) {
    if (bucket.unsynced == 0 && now - bucket.lastUsed > kFollowIdle) continue;
    out.push_back(Usage{key, bucket.unsynced, bucket.limit});
    bucket.inFlight += bucket.unsynced;
    bucket.unsynced = 0;
  }
  return out;
}

void RateLimiter::applyShared(const std::vector<Usage>& sent, const std::vector<double>& levels) {
  const auto now = clock_();
  const std::lock_guard lock(mutex_);
  for (std::size_t i = 0; i < sent.size() && i < levels.size(); ++i) {
    const auto it = buckets_.find(sent[i].key);
    if (it == buckets_.end()) continue;
    Bucket& bucket = it->second;
    // What this copy admitted since the sync left is not in the shared level yet.
    bucket.tokens = std::min(bucket.limit.burst, levels[i] - bucket.unsynced);
    bucket.updated = now;
    bucket.inFlight = 0;
  }
}

void RateLimiter::restoreUsage(const std::vector<Usage>& sent) {
  const std::lock_guard lock(mutex_);
  for (const Usage& usage : sent) {
    const auto it = buckets_.find(usage.key);
    if (it == buckets_.end()) continue;
    it->second.unsynced += it->second.inFlight;
    it->second.inFlight = 0;
  }
}

std::size_t RateLimiter::bucketCount() const {
  const std::lock_guard lock(mutex_);
  return buckets_.size();
}

}  // namespace spooled::server
