#pragma once
// When and how long to wait before repeating a failed call.
//
// What is retried (the same rule as the official Node SDK, plus two refinements):
//  - Idempotent calls (GET, PUT, DELETE, and POSTs the resource marks idempotent: job and worker
//    heartbeats, progress, creates carrying an idempotency key) on network errors, timeouts and 5xx.
//  - Every call on 429 (the server refused it before doing anything) and on CONNECTION_FAILED
//    (the connection was never made, so the server cannot have seen the request).
//  - Claim, complete, fail, register and deregister are never retried on ambiguous failures: a
//    repeat could hand out a second lease, or turn a success into a misleading 409.
// 4xx other than 429 and an open circuit are never retried.
#include <chrono>
#include <functional>
#include <thread>

#include "spooled/client_options.hpp"
#include "spooled/errors.hpp"

namespace spooled::detail {

enum class Idempotency { Unsafe, Safe };

class RetryPolicy {
 public:
  // `random` returns a value in [0, 1); injectable so tests get exact delays.
  explicit RetryPolicy(RetryOptions options, std::function<double()> random = {});

  // Whether attempt number `attempt` (1-based) that failed with `error` should be followed by another.
  bool shouldRetry(const SpooledError& error, int attempt, Idempotency idempotency) const;
  // Delay before the retry that follows failed attempt `attempt`: the server's Retry-After if any,
  // else baseDelay * factor^(attempt-1) plus up to 25% jitter; never more than maxDelay.
  std::chrono::milliseconds delayFor(const SpooledError& error, int attempt) const;

  const RetryOptions& options() const noexcept { return options_; }

 private:
  RetryOptions options_;
  std::function<double()> random_;
};

// Sleeps between attempts; throwing from it (e.g. because the client was closed) ends the retries.
using Sleeper = std::function<void(std::chrono::milliseconds)>;

// Runs `attempt` until it returns, or throws an error the policy does not retry; rethrows the
// last error unchanged so callers see the real failure class.
template <class Attempt>
auto runWithRetry(const RetryPolicy& policy, Idempotency idempotency, const Sleeper& sleep, Attempt&& attempt)
    -> decltype(attempt()) {
  for (int number = 1;; ++number) {
    std::chrono::milliseconds delay{0};
    try {
      return attempt();
    } catch (const SpooledError& error) {
      if (!policy.shouldRetry(error, number, idempotency)) throw;
      delay = policy.delayFor(error, number);
    }
    sleep(delay);
  }
}

}  // namespace spooled::detail
