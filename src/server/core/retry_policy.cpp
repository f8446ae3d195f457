#include "server/core/retry_policy.hpp"

#include <algorithm>
#include <cmath>

namespace spooled::server {

std::chrono::milliseconds RetryPolicy::delayFor(int retryCount, const std::function<double()>& unitRandom) const {
  const int exponent = std::clamp(retryCount, 0, maxExponent);
  const double raw = static_cast<double>(base.count()) * std::pow(2.0, exponent);
  const double capped = std::min(raw, static_cast<double>(cap.count()));
  // Jitter spreads retries of jobs that failed together (e.g. a dependency outage) so they do not
  // all come back in the same instant.
  const double spread = capped * jitterFraction * (2.0 * unitRandom() - 1.0);
  const double jittered = std::clamp(capped + spread, 0.0, static_cast<double>(cap.count()));
  return std::chrono::milliseconds(static_cast<long long>(std::llround(jittered)));
}

}  // namespace spooled::server
