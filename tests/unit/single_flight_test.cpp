// SingleFlight (the /metrics scrape): callers that arrive while a rendering is in flight share it, so
// concurrent scrapes cost one rendering; later callers get a fresh one; an error reaches every sharer.
#include "server/core/single_flight.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <stdexcept>
#include <thread>
#include <vector>

namespace spooled::server {
namespace {

using namespace std::chrono_literals;

// A render that blocks until released, so the test controls when it lands.
struct Gate {
  std::promise<void> entered;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
};

TEST(SingleFlightTest, ConcurrentCallersShareOneRendering) {
  SingleFlight flight;
  Gate gate;
  std::atomic<int> calls{0};
  const auto render = [&] {
    if (calls.fetch_add(1) == 0) gate.entered.set_value();
    gate.released.wait();
    return std::string(1000, 'x');
  };
  std::vector<std::future<std::shared_ptr<const std::string>>> scrapes;
  scrapes.push_back(std::async(std::launch::async, [&] { return flight.run(render); }));
  ASSERT_EQ(gate.entered.get_future().wait_for(10s), std::future_status::ready);
  for (int i = 0; i < 7; ++i) scrapes.push_back(std::async(std::launch::async, [&] { return flight.run(render); }));
  // Land the rendering only once all seven wait for it (polled with a deadline).
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (flight.joined() < 7 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(1ms);
  EXPECT_EQ(flight.joined(), 7);
  gate.release.set_value();

  std::shared_ptr<const std::string> first = scrapes.front().get();
  for (auto& scrape : scrapes) {
    if (!scrape.valid()) continue;
    EXPECT_EQ(scrape.get(), first);  // the very same text, not a copy
  }
  EXPECT_EQ(calls.load(), 1);
  EXPECT_EQ(flight.renders(), 1);
}

TEST(SingleFlightTest, SequentialCallersEachGetAFreshRendering) {
  SingleFlight flight;
  int n = 0;
  EXPECT_EQ(*flight.run([&] { return std::to_string(++n); }), "1");
  EXPECT_EQ(*flight.run([&] { return std::to_string(++n); }), "2");
  EXPECT_EQ(flight.renders(), 2);
}

TEST(SingleFlightTest, AnErrorReachesTheCallerAndTheNextCallRendersAgain) {
  SingleFlight flight;
  EXPECT_THROW(flight.run([]() -> std::string { throw std::runtime_error("store down"); }), std::runtime_error);
  EXPECT_EQ(*flight.run([] { return std::string("ok"); }), "ok");
}

}  // namespace
}  // namespace spooled::server
