// SingleFlight (the /metrics scrape): callers that arrive while a rendering is in flight share it, so
// concurrent scrapes cost one rendering; later callers get a fresh one; an error reaches every sharer.
#include "server/core/single_flight.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

namespace spooled::server {
namespace {

using namespace std::chrono_literals;

using Text = SingleFlight::Text;

// Blocks this thread until the flight's text (or error) is there: what a test thread may do.
Text shareNow(SingleFlight& flight, std::function<std::string()> render) {
  return syncWait(flight.share(std::move(render)));
}

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
  std::vector<std::future<Text>> scrapes;
  scrapes.push_back(std::async(std::launch::async, [&] { return shareNow(flight, render); }));
  ASSERT_EQ(gate.entered.get_future().wait_for(10s), std::future_status::ready);
  for (int i = 0; i < 7; ++i) scrapes.push_back(std::async(std::launch::async, [&] { return shareNow(flight, render); }));
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
  EXPECT_EQ(*shareNow(flight, [&] { return std::to_string(++n); }), "1");
  EXPECT_EQ(*shareNow(flight, [&] { return std::to_string(++n); }), "2");
  EXPECT_EQ(flight.renders(), 2);
}

TEST(SingleFlightTest, AnErrorReachesTheCallerAndTheNextCallRendersAgain) {
  SingleFlight flight;
  EXPECT_THROW(shareNow(flight, []() -> std::string { throw std::runtime_error("store down"); }), std::runtime_error);
  EXPECT_EQ(*shareNow(flight, [] { return std::string("ok"); }), "ok");
}

// A caller that joins a rendering in flight suspends instead of blocking its thread: this thread
// starts seven of them while the rendering is held, and goes on at once.
TEST(SingleFlightTest, CallersThatWaitHoldNoThread) {
  SingleFlight flight;
  Gate gate;
  std::atomic<int> calls{0};
  const auto render = [&] {
    if (calls.fetch_add(1) == 0) gate.entered.set_value();
    gate.released.wait();
    return std::string("text");
  };
  std::future<Text> leader = std::async(std::launch::async, [&] { return shareNow(flight, render); });
  ASSERT_EQ(gate.entered.get_future().wait_for(10s), std::future_status::ready);

  std::mutex mutex;
  std::vector<Text> texts;
  for (int i = 0; i < 7; ++i) {
    spawn(flight.share(render), [&](std::optional<Text> text, std::exception_ptr) {
      const std::lock_guard lock(mutex);
      texts.push_back(text.value_or(nullptr));
    });
  }
  // Reaching this line at all means no spawn blocked; none has finished, since the rendering is held.
  EXPECT_EQ(flight.joined(), 7);
  {
    const std::lock_guard lock(mutex);
    EXPECT_TRUE(texts.empty());
  }
  gate.release.set_value();
  const Text first = leader.get();  // the leader resumes the seven before it returns
  const std::lock_guard lock(mutex);
  ASSERT_EQ(texts.size(), 7u);
  for (const Text& text : texts) EXPECT_EQ(text, first);
  EXPECT_EQ(calls.load(), 1);
}

}  // namespace
}  // namespace spooled::server
