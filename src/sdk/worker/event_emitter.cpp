#include "sdk/worker/event_emitter.hpp"

#include <algorithm>
#include <exception>
#include <stdexcept>

namespace spooled {

bool worker_events::isKnown(std::string_view name) noexcept {
  return name == started || name == stopped || name == error || name == jobClaimed || name == jobStarted ||
         name == jobCompleted || name == jobFailed;
}

namespace detail {

SubscriptionId EventEmitter::on(std::string_view name, WorkerEventCallback callback) {
  if (!worker_events::isKnown(name)) {
    throw std::invalid_argument("unknown worker event \"" + std::string(name) +
                                "\"; expected started, stopped, error, job:claimed, job:started, job:completed "
                                "or job:failed");
  }
  if (!callback) throw std::invalid_argument("worker event callback for \"" + std::string(name) + "\" is empty");
  const std::lock_guard lock(mutex_);
  const SubscriptionId id = nextId_++;
  subscriptions_.push_back(
      {id, std::string(name), std::make_shared<const WorkerEventCallback>(std::move(callback))});
  return id;
}

bool EventEmitter::off(SubscriptionId id) {
  const std::lock_guard lock(mutex_);
  const auto it = std::find_if(subscriptions_.begin(), subscriptions_.end(),
                               [id](const Subscription& s) { return s.id == id; });
  if (it == subscriptions_.end()) return false;
  subscriptions_.erase(it);
  return true;
}

void EventEmitter::emit(const WorkerEvent& event) const noexcept {
  std::vector<std::shared_ptr<const WorkerEventCallback>> targets;
  try {
    const std::lock_guard lock(mutex_);
    for (const auto& subscription : subscriptions_) {
      if (subscription.name == event.name) targets.push_back(subscription.callback);
    }
  } catch (...) {
    log_.error("could not deliver event " + event.name + ": out of memory");
    return;
  }
  for (const auto& callback : targets) {
    try {
      (*callback)(event);
    } catch (...) {
      log_.warn("a \"" + event.name + "\" event callback threw (ignored): " + describe(std::current_exception()));
    }
  }
}

}  // namespace detail
}  // namespace spooled
