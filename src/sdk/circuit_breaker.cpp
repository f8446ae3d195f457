#include "sdk/circuit_breaker.hpp"

#include <string>

#include "spooled/errors.hpp"

namespace spooled::detail {

CircuitBreaker::CircuitBreaker(CircuitBreakerOptions options, Clock now)
    : options_(options), now_(now ? std::move(now) : Clock([] { return std::chrono::steady_clock::now(); })) {}

void CircuitBreaker::beforeCall() {
  if (!options_.enabled) return;
  const std::lock_guard lock(mutex_);
  if (state_ == CircuitState::Open) {
    const auto now = now_();
    const auto waited = now - openedAt_;
    if (waited < options_.resetTimeout) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(options_.resetTimeout - waited);
      throw CircuitOpenError("circuit breaker is open after repeated failures to reach the Spooled server; "
                             "calls fail fast for another " +
                             std::to_string(left.count()) + " ms");
    }
    state_ = CircuitState::HalfOpen;
    probeSuccesses_ = 0;
    probeInFlight_ = false;
  }
  if (state_ == CircuitState::HalfOpen) {
    // One probe at a time: a server that is coming back up should not get the whole backlog at once.
    if (probeInFlight_) {
      throw CircuitOpenError("circuit breaker is half-open and a probe request is in flight; failing fast");
    }
    probeInFlight_ = true;
  }
}

void CircuitBreaker::recordSuccess() {
  if (!options_.enabled) return;
  const std::lock_guard lock(mutex_);
  consecutiveFailures_ = 0;
  if (state_ == CircuitState::HalfOpen) {
    probeInFlight_ = false;
    if (++probeSuccesses_ >= options_.successThreshold) state_ = CircuitState::Closed;
  }
}

void CircuitBreaker::recordFailure() {
  if (!options_.enabled) return;
  const std::lock_guard lock(mutex_);
  const auto now = now_();
  if (state_ == CircuitState::HalfOpen) {
    openLocked(now);
    return;
  }
  if (state_ == CircuitState::Closed && ++consecutiveFailures_ >= options_.failureThreshold) openLocked(now);
}

CircuitState CircuitBreaker::state() {
  const std::lock_guard lock(mutex_);
  // Report half-open once the timeout passed, even before a call arrives to notice.
  if (options_.enabled && state_ == CircuitState::Open && now_() - openedAt_ >= options_.resetTimeout) {
    return CircuitState::HalfOpen;
  }
  return state_;
}

void CircuitBreaker::openLocked(std::chrono::steady_clock::time_point now) {
  state_ = CircuitState::Open;
  openedAt_ = now;
  probeInFlight_ = false;
  probeSuccesses_ = 0;
  consecutiveFailures_ = 0;
}

}  // namespace spooled::detail
