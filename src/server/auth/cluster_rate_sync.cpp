#include "server/auth/cluster_rate_sync.hpp"

#include <spdlog/spdlog.h>

namespace spooled::server {

ClusterRateSync::ClusterRateSync(RateLimiter& limiter, ClusterSignals& cluster, std::chrono::milliseconds interval)
    : limiter_(limiter), cluster_(cluster), interval_(interval) {
  limiter_.shareWithCluster();
  thread_ = std::thread([this] { run(); });
}

ClusterRateSync::~ClusterRateSync() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void ClusterRateSync::run() {
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, interval_, [this] { return stopping_; })) {
    lock.unlock();
    syncOnce();
    lock.lock();
  }
}

void ClusterRateSync::syncOnce() {
  const std::vector<RateLimiter::Usage> usage = limiter_.takeUsage();
  if (usage.empty()) return;
  std::vector<ClusterSignals::BucketUse> uses;
  uses.reserve(usage.size());
  for (const auto& u : usage) uses.push_back({u.key, u.used, u.limit.perSecond, u.limit.burst});
  try {
    limiter_.applyShared(usage, cluster_.syncRateBuckets(uses));
  } catch (const std::exception& e) {
    // Until the database answers, each copy refills alone (a per-process limit); uses are kept.
    spdlog::debug("request rate sync failed: {}", e.what());
    limiter_.restoreUsage(usage);
  }
}

}  // namespace spooled::server
