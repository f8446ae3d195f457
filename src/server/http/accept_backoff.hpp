#pragma once
// How the listener behaves when accept keeps failing (out of file descriptors: EMFILE, ENFILE): it
// pauses, doubling the pause while failures repeat and starting again from the shortest after a
// success, and logs at most one line per interval. Retrying at once would spin a core and write
// millions of log lines while connections already open starve. Pure: no clock or socket inside.
#include <chrono>
#include <cstddef>
#include <optional>

namespace spooled::server {

class AcceptBackoff {
 public:
  static constexpr std::chrono::milliseconds kFirstPause{5};
  static constexpr std::chrono::milliseconds kLongestPause{1000};

  // The pause before the next accept after a failure.
  std::chrono::milliseconds failed();
  void succeeded() { next_ = kFirstPause; }

 private:
  std::chrono::milliseconds next_ = kFirstPause;
};

// Lets one event through per interval and counts the ones it held back.
class LogThrottle {
 public:
  explicit LogThrottle(std::chrono::steady_clock::duration interval) : interval_(interval) {}

  // When this event should be logged: how many were held back since the last one that was. Otherwise nullopt.
  std::optional<std::size_t> admit(std::chrono::steady_clock::time_point now);

 private:
  std::chrono::steady_clock::duration interval_;
  std::optional<std::chrono::steady_clock::time_point> last_;
  std::size_t heldBack_ = 0;
};

}  // namespace spooled::server
