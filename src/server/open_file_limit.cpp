#include "server/open_file_limit.hpp"

#include <sys/resource.h>

#include <algorithm>

namespace spooled::server {

std::uint64_t openFileLimit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return 0;
  return limit.rlim_cur;
}

std::uint64_t raiseOpenFileLimit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);  // best effort: the limit stays what it was on failure
  }
  return openFileLimit();
}

int connectionCapacity(int requested, std::uint64_t fileLimit) {
  if (fileLimit == 0) return std::max(requested, 1);
  const std::uint64_t reserve = std::clamp<std::uint64_t>(fileLimit / 4, 16, 256);
  const std::uint64_t room = fileLimit > reserve ? fileLimit - reserve : 1;
  return static_cast<int>(std::max<std::uint64_t>(1, std::min<std::uint64_t>(static_cast<std::uint64_t>(requested), room)));
}

}  // namespace spooled::server
