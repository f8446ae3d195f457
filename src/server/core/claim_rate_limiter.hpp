#pragma once
// Caps how many jobs a queue hands out per second (a queue's `rate_limit`), with one token bucket per
// (organization, queue). A bucket holds at most one second's worth of tokens, so an idle queue may
// start with a burst of `rate` jobs and then runs at `rate` per second. Thread-safe.
//
// Claims that find no tokens simply get fewer (or no) jobs, never an error: workers poll again, and a
// long-polling claim re-checks within a second.
#include <map>
#include <mutex>
#include <string>

#include "common/time.hpp"

namespace spooled::server {

class ClaimRateLimiter {
 public:
  // Takes up to `wanted` whole tokens from the bucket of (orgId, queueName) at `now`, refilled at
  // `ratePerSecond` since it was last used, and returns how many it took (0..wanted). A rate below 1
  // takes nothing.
  int acquire(const std::string& orgId, const std::string& queueName, int ratePerSecond, int wanted, TimePoint now);

  // Gives back tokens taken by acquire() but not used (the queue had fewer ready jobs than granted),
  // so a rate-limited queue is not starved by claims that found nothing.
  void refund(const std::string& orgId, const std::string& queueName, int tokens);

 private:
  struct Bucket {
    double tokens = 0;
    double capacity = 0;
    TimePoint refilledAt{};
  };

  std::mutex mutex_;
  std::map<std::string, Bucket> buckets_;  // key: orgId + '\n' + queueName
};

}  // namespace spooled::server
