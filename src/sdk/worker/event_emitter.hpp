#pragma once
// EventEmitter: the subscriptions of one worker and the fan-out of its events.
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "sdk/worker/worker_log.hpp"
#include "spooled/worker_events.hpp"

namespace spooled::detail {

// Thread-safe. Callbacks run outside the lock, so a callback may call on()/off() or emit again.
class EventEmitter {
 public:
  explicit EventEmitter(const WorkerLog& log) : log_(log) {}

  // Throws std::invalid_argument on an unknown event name or an empty callback.
  SubscriptionId on(std::string_view name, WorkerEventCallback callback);
  bool off(SubscriptionId id);
  // Calls every callback subscribed to event.name, in subscription order. Never throws: a throwing
  // callback is logged and the others still run.
  void emit(const WorkerEvent& event) const noexcept;

 private:
  struct Subscription {
    SubscriptionId id;
    std::string name;
    std::shared_ptr<const WorkerEventCallback> callback;
  };

  const WorkerLog& log_;
  mutable std::mutex mutex_;
  std::vector<Subscription> subscriptions_;  // guarded by mutex_
  SubscriptionId nextId_ = 1;                // guarded by mutex_
};

}  // namespace spooled::detail
