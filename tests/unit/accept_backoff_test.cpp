// The listener's answer to a failing accept (out of descriptors): a growing pause that resets on
// success, at most one log line per interval, and a connection limit that fits the open-file limit.
#include "server/http/accept_backoff.hpp"

#include <gtest/gtest.h>

#include "server/open_file_limit.hpp"

namespace spooled::server {
namespace {

using namespace std::chrono_literals;

TEST(AcceptBackoff, DoublesUpToOneSecondAndResetsOnSuccess) {
  AcceptBackoff backoff;
  std::vector<long> pauses;
  for (int i = 0; i < 10; ++i) pauses.push_back(backoff.failed().count());
  EXPECT_EQ(pauses, (std::vector<long>{5, 10, 20, 40, 80, 160, 320, 640, 1000, 1000}));
  backoff.succeeded();
  EXPECT_EQ(backoff.failed(), 5ms);
}

TEST(LogThrottle, LetsOneThroughPerIntervalAndCountsTheRest) {
  LogThrottle throttle(10s);
  const auto t0 = std::chrono::steady_clock::time_point{} + 1h;
  EXPECT_EQ(throttle.admit(t0), 0u);
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(throttle.admit(t0 + std::chrono::milliseconds(i)), std::nullopt);
  EXPECT_EQ(throttle.admit(t0 + 10s), 1000u);
  EXPECT_EQ(throttle.admit(t0 + 11s), std::nullopt);
  EXPECT_EQ(throttle.admit(t0 + 25s), 1u);
}

TEST(ConnectionCapacity, StaysBelowTheOpenFileLimitWithAReserve) {
  EXPECT_EQ(connectionCapacity(10000, 1048576), 10000);
  EXPECT_EQ(connectionCapacity(10000, 1024), 768);   // a quarter kept back
  EXPECT_EQ(connectionCapacity(100000, 65536), 65280);  // at most 256 kept back
  EXPECT_EQ(connectionCapacity(10000, 64), 48);      // at least 16 kept back
  EXPECT_EQ(connectionCapacity(10000, 10), 1);
  EXPECT_EQ(connectionCapacity(3, 1024), 3);
  EXPECT_EQ(connectionCapacity(500, 0), 500);        // limit unknown
}

}  // namespace
}  // namespace spooled::server
