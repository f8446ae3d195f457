#include "server/core/single_flight.hpp"

namespace spooled::server {

bool SingleFlight::Landed::await_suspend(std::coroutine_handle<> handle) {
  const std::lock_guard lock(owner.mutex_);
  if (flight.done) return false;  // landed between joining and suspending: carry on
  flight.waiting.push_back(handle);
  return true;
}

Task<SingleFlight::Text> SingleFlight::share(std::function<std::string()> render) {
  std::shared_ptr<Flight> flight;
  bool leader = false;
  {
    const std::lock_guard lock(mutex_);
    if (current_) {
      flight = current_;
      ++joined_;
    } else {
      flight = std::make_shared<Flight>();
      current_ = flight;
      ++renders_;
      leader = true;
    }
  }
  if (leader) {
    try {
      flight->text = std::make_shared<const std::string>(render());
    } catch (...) {
      flight->error = std::current_exception();
    }
    land(flight);
  } else {
    Landed landed{*this, *flight};  // a named awaiter (GCC 12, see docs/architecture.md)
    co_await landed;
  }
  if (flight->error) std::rethrow_exception(flight->error);
  co_return flight->text;
}

void SingleFlight::land(const std::shared_ptr<Flight>& flight) {
  std::vector<std::coroutine_handle<>> waiting;
  {
    const std::lock_guard lock(mutex_);
    flight->done = true;
    current_.reset();
    waiting.swap(flight->waiting);
  }
  for (const auto handle : waiting) handle.resume();
}

long long SingleFlight::renders() const {
  std::lock_guard lock(mutex_);
  return renders_;
}

long long SingleFlight::joined() const {
  std::lock_guard lock(mutex_);
  return joined_;
}

}  // namespace spooled::server
