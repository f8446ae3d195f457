#pragma once
// Per-key token buckets, in memory. Each bucket holds up to `burst` tokens and refills at `perSecond`;
// a request takes one token or is refused. Thread-safe. The clock is injected so tests can step time.
// In memory on purpose: a self-hosted server needs no shared cache, and a restart merely refills.
// Several servers on one PostgreSQL share each key's bucket through the database (see
// takeUsage, ClusterRateSync), still deciding each request here.
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace spooled::server {

struct RateLimit {
  double perSecond = 100;  // refill rate; must be > 0
  double burst = 200;      // bucket size; must be >= 1
};

struct RateDecision {
  bool allowed = true;
  int limit = 0;       // the bucket size: requests that may be made at once (X-RateLimit-Limit)
  int remaining = 0;   // whole tokens left after this request (X-RateLimit-Remaining)
  std::chrono::milliseconds resetAfter{0};  // until the bucket is full again (X-RateLimit-Reset)
  std::chrono::milliseconds retryAfter{0};  // until the next token, when refused (Retry-After)
};

class RateLimiter {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  explicit RateLimiter(Clock clock = [] { return std::chrono::steady_clock::now(); }) : clock_(std::move(clock)) {}

  // Takes one token from key's bucket (created full on first use). A changed limit applies at once:
  // the bucket keeps its tokens, capped at the new size.
  RateDecision take(const std::string& key, RateLimit limit);

  std::size_t bucketCount() const;

  // Several servers on one database (ClusterRateSync): each key's bucket here becomes this process's
  // copy of one shared bucket. Requests still take from the copy, without waiting; every sync
  // interval the uses since the last sync are reported and the copy is reset to the shared level
  // less what was used meanwhile. A copy starts full, as a lone server's bucket does: when servers
  // together admit more than the shared bucket held, it goes into debt, which they all pay back by
  // refusing, so over any window the cluster admits what one bucket would (docs/architecture.md).
  // Makes this limiter a cluster copy (ClusterRateSync calls it once). Only then are uses counted
  // for reporting: a lone server's limiter must still forget full buckets, which a bucket with
  // unreported uses never is.
  void shareWithCluster();
  struct Usage {
    std::string key;
    double used = 0;
    RateLimit limit;
  };
  // The keys used since the last call, or used recently (so an idle copy follows the others' uses),
  // each with its uses since the last call; those uses are now in flight.
  std::vector<Usage> takeUsage();
  // The sync of `sent` (from takeUsage) worked: levels[i] is the shared bucket of sent[i] after it.
  void applyShared(const std::vector<Usage>& sent, const std::vector<double>& levels);
  // The sync failed: the uses in flight are reported again next time.
  void restoreUsage(const std::vector<Usage>& sent);

 private:
  struct Bucket {
    double tokens = 0;
    std::chrono::steady_clock::time_point updated;
    RateLimit limit;  // as of the last request
    // For a shared bucket: uses not yet reported, uses reported by a sync still under way, last use.
    double unsynced = 0;
    double inFlight = 0;
    std::chrono::steady_clock::time_point lastUsed{};
  };
  // Drops buckets that have refilled completely (they are equivalent to new ones). Caller holds mutex_.
  void evictFullBuckets(std::chrono::steady_clock::time_point now);

  Clock clock_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;  // guarded by mutex_
  bool shared_ = false;                               // guarded by mutex_
};

}  // namespace spooled::server
