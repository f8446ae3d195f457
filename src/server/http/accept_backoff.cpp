#include "server/http/accept_backoff.hpp"

#include <algorithm>
#include <utility>

namespace spooled::server {

std::chrono::milliseconds AcceptBackoff::failed() {
  const auto pause = next_;
  next_ = std::min(next_ * 2, kLongestPause);
  return pause;
}

std::optional<std::size_t> LogThrottle::admit(std::chrono::steady_clock::time_point now) {
  if (last_ && now - *last_ < interval_) {
    ++heldBack_;
    return std::nullopt;
  }
  last_ = now;
  return std::exchange(heldBack_, 0);
}

}  // namespace spooled::server
