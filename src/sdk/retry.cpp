#include "sdk/retry.hpp"

#include <algorithm>
#include <cmath>
#include <random>

namespace spooled::detail {
namespace {

constexpr double kJitterFraction = 0.25;

double defaultRandom() {
  // One generator per thread: the client is shared between threads and std::mt19937 is not thread-safe.
  thread_local std::mt19937_64 generator{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(generator);
}

}  // namespace

RetryPolicy::RetryPolicy(RetryOptions options, std::function<double()> random)
    : options_(options), random_(random ? std::move(random) : std::function<double()>(defaultRandom)) {}

bool RetryPolicy::shouldRetry(const SpooledError& error, int attempt, Idempotency idempotency) const {
  if (attempt > options_.maxRetries) return false;
  if (dynamic_cast<const CircuitOpenError*>(&error) != nullptr) return false;
  if (dynamic_cast<const RateLimitError*>(&error) != nullptr) return true;
  if (dynamic_cast<const NetworkError*>(&error) != nullptr && error.code() == "CONNECTION_FAILED") return true;
  return idempotency == Idempotency::Safe && error.isRetryable();
}

std::chrono::milliseconds RetryPolicy::delayFor(const SpooledError& error, int attempt) const {
  const double cap = static_cast<double>(options_.maxDelay.count());
  if (const auto* limited = dynamic_cast<const RateLimitError*>(&error); limited && limited->retryAfter()) {
    const auto wanted = std::chrono::duration_cast<std::chrono::milliseconds>(*limited->retryAfter());
    return std::min(wanted, options_.maxDelay);
  }
  double delay = static_cast<double>(options_.baseDelay.count()) * std::pow(options_.factor, attempt - 1);
  delay = std::min(delay, cap);
  if (options_.jitter) delay += delay * kJitterFraction * random_();
  return std::chrono::milliseconds(static_cast<long long>(std::min(delay, cap)));
}

}  // namespace spooled::detail
