#pragma once
// Keeps a RateLimiter's per-key buckets in step with the shared buckets of every server on one
// database: a thread that, every sync interval, reports the uses since the last sync and sets each
// copy to the shared level (ClusterSignals::syncRateBuckets). Requests never wait for it.
//
// Why not ask the database per request: a round trip per request would cost more than most handlers,
// and a database hiccup would stall every request. Why not lease token batches: a server that runs out
// would have to wait for its next lease (or refuse wrongly), and leases stranded on idle servers make
// the cluster admit less than the rate. Here a server admits from its copy at once and the shared row
// settles the account: if servers together admit more than the bucket held, it goes into debt and
// they all refuse until the debt is paid, so over any window the cluster admits what one bucket would,
// give or take one sync interval's worth per server. When the database is unreachable each server
// falls back to its own copy (a per-process limit) until it is back.
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "server/auth/rate_limiter.hpp"
#include "server/store/store.hpp"

namespace spooled::server {

class ClusterRateSync {
 public:
  static constexpr std::chrono::milliseconds kDefaultInterval{50};

  // Both must outlive this object. Starts the thread.
  ClusterRateSync(RateLimiter& limiter, ClusterSignals& cluster, std::chrono::milliseconds interval = kDefaultInterval);
  ~ClusterRateSync();  // stops the thread
  ClusterRateSync(const ClusterRateSync&) = delete;
  ClusterRateSync& operator=(const ClusterRateSync&) = delete;

 private:
  void run();
  void syncOnce();

  RateLimiter& limiter_;
  ClusterSignals& cluster_;
  const std::chrono::milliseconds interval_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace spooled::server
