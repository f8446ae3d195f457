#include "server/core/single_flight.hpp"

namespace spooled::server {

std::shared_ptr<const std::string> SingleFlight::run(const std::function<std::string()>& render) {
  std::unique_lock lock(mutex_);
  if (current_) {
    const std::shared_ptr<Flight> flight = current_;
    ++joined_;
    landed_.wait(lock, [&] { return flight->done; });
    if (flight->error) std::rethrow_exception(flight->error);
    return flight->text;
  }
  const auto flight = std::make_shared<Flight>();
  current_ = flight;
  ++renders_;
  lock.unlock();
  try {
    flight->text = std::make_shared<const std::string>(render());
  } catch (...) {
    flight->error = std::current_exception();
  }
  lock.lock();
  flight->done = true;
  current_.reset();
  landed_.notify_all();
  if (flight->error) std::rethrow_exception(flight->error);
  return flight->text;
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
