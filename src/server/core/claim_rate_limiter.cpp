#include "server/core/claim_rate_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace spooled::server {

namespace {
std::string bucketKey(const std::string& orgId, const std::string& queueName) { return orgId + '\n' + queueName; }
}  // namespace

int ClaimRateLimiter::acquire(const std::string& orgId, const std::string& queueName, int ratePerSecond, int wanted,
                              TimePoint now) {
  if (ratePerSecond < 1 || wanted < 1) return 0;
  const double rate = ratePerSecond;
  std::lock_guard lock(mutex_);
  auto [it, isNew] = buckets_.try_emplace(bucketKey(orgId, queueName));
  Bucket& bucket = it->second;
  if (isNew) {
    bucket.tokens = rate;  // a queue that has not been claimed from yet may start with a full second
  } else if (now > bucket.refilledAt) {
    const double elapsedSecs = std::chrono::duration<double>(now - bucket.refilledAt).count();
    bucket.tokens += elapsedSecs * rate;
  }
  // The rate may have changed since the last claim; a lower rate also lowers what may be saved up.
  bucket.capacity = rate;
  bucket.tokens = std::min(bucket.tokens, bucket.capacity);
  bucket.refilledAt = std::max(bucket.refilledAt, now);
  const int granted = std::min(wanted, static_cast<int>(std::floor(bucket.tokens)));
  bucket.tokens -= granted;
  return std::max(granted, 0);
}

void ClaimRateLimiter::refund(const std::string& orgId, const std::string& queueName, int tokens) {
  if (tokens <= 0) return;
  std::lock_guard lock(mutex_);
  const auto it = buckets_.find(bucketKey(orgId, queueName));
  if (it == buckets_.end()) return;
  it->second.tokens = std::min(it->second.tokens + tokens, it->second.capacity);
}

}  // namespace spooled::server
