#pragma once
// How long a failed job waits before its next attempt: exponential backoff with jitter.
#include <chrono>
#include <functional>

namespace spooled::server {

struct RetryPolicy {
  std::chrono::milliseconds base{1000};    // delay before the first retry, before jitter
  std::chrono::milliseconds cap{60000};    // no delay is longer than this
  int maxExponent = 6;                     // 2^min(retryCount, maxExponent) * base, as the official backend
  double jitterFraction = 0.2;             // delay is spread uniformly over ±jitterFraction

  // Delay before the attempt that follows failure number `retryCount` (1 after the first failure).
  // `unitRandom` returns a number in [0, 1); tests pass a fixed one.
  std::chrono::milliseconds delayFor(int retryCount, const std::function<double()>& unitRandom) const;
};

}  // namespace spooled::server
