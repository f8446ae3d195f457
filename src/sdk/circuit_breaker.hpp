#pragma once
// Closed -> open -> half-open breaker in front of the transport, so that while the server is down
// callers fail in microseconds instead of each waiting out connect timeouts and retries.
//
// Closed: calls pass; `failureThreshold` consecutive failures (network error, timeout, 5xx) open it.
// Open: calls throw CircuitOpenError without touching the network, for `resetTimeout`.
// Half-open: one probe call at a time passes; `successThreshold` successful probes close the circuit,
// a failed probe opens it again. Any HTTP answer below 500 counts as success: the server is up.
#include <chrono>
#include <functional>
#include <mutex>

#include "spooled/client_options.hpp"

namespace spooled::detail {

enum class CircuitState { Closed, Open, HalfOpen };

class CircuitBreaker {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  // `now` is injectable so tests can step time instead of sleeping.
  explicit CircuitBreaker(CircuitBreakerOptions options, Clock now = {});

  // Call before each attempt. Throws CircuitOpenError when the call may not go out. A call that was
  // let through must end in exactly one recordSuccess() or recordFailure().
  void beforeCall();
  void recordSuccess();
  void recordFailure();

  CircuitState state();

 private:
  void openLocked(std::chrono::steady_clock::time_point now);

  const CircuitBreakerOptions options_;
  const Clock now_;
  std::mutex mutex_;
  CircuitState state_ = CircuitState::Closed;      // guarded by mutex_
  int consecutiveFailures_ = 0;                    // guarded by mutex_
  int probeSuccesses_ = 0;                         // guarded by mutex_
  bool probeInFlight_ = false;                     // guarded by mutex_
  std::chrono::steady_clock::time_point openedAt_;  // guarded by mutex_
};

}  // namespace spooled::detail
