#include "server/core/event_bus.hpp"

#include <charconv>

namespace spooled::server {

EventBus::EventBus(std::size_t historySize, std::function<TimePoint()> now)
    : historySize_(historySize), now_(std::move(now)), epoch_(std::to_string(toEpochMs(nowMs()))) {}

void EventBus::onJobEvent(const JobEvent& event) noexcept {
  try {
    for (LiveEvent& e : liveEventsFor(event, now_())) publish(std::move(e));
  } catch (...) {
    // Out of memory while rendering: a live event is never worth failing the committed request.
  }
}

void EventBus::onQueueEvent(const QueueEvent& event) noexcept {
  try {
    for (LiveEvent& e : liveEventsFor(event, now_())) publish(std::move(e));
  } catch (...) {
  }
}

void EventBus::onWorkerEvent(const WorkerEvent& event) noexcept {
  try {
    for (LiveEvent& e : liveEventsFor(event, now_())) publish(std::move(e));
  } catch (...) {
  }
}

void EventBus::publish(LiveEvent event) {
  if (relay_ != nullptr) {
    relay_->publish(std::move(event));
  } else {
    deliver(std::move(event));
  }
}

void EventBus::deliver(LiveEvent event) {
  event.publishedAt = std::chrono::steady_clock::now();
  std::lock_guard lock(mutex_);
  event.seq = nextSeq_++;
  event.sseFrame = "id: " + eventId(event.seq) + "\ndata: " + event.json + "\n\n";
  auto shared = std::make_shared<const LiveEvent>(std::move(event));
  history_.push_back(shared);
  if (history_.size() > historySize_) history_.pop_front();
  const auto org = byOrg_.find(shared->orgId);
  if (org == byOrg_.end()) return;
  // Wakers only post to the subscriber's connection, so calling them under the lock is cheap and keeps
  // every subscriber's events in delivery order.
  for (const auto& [ptr, subscription] : org->second)
    if (subscription->offer(shared)) subscription->wake();
}

EventBus::Subscribed EventBus::subscribe(SubscriptionOptions options, const std::optional<std::string>& lastEventId) {
  Subscribed out;
  out.subscription = std::make_shared<Subscription>(std::move(options));
  std::lock_guard lock(mutex_);
  if (closedReason_) {
    out.subscription->close(*closedReason_);
    return out;
  }
  if (lastEventId) {
    if (const auto after = parseEventId(*lastEventId);
        after && !history_.empty() && history_.front()->seq <= *after + 1) {
      out.resumed = true;
      for (const LiveEventPtr& event : history_)
        if (event->seq > *after) out.subscription->offer(event);
    }
  }
  byOrg_[out.subscription->orgId()][out.subscription.get()] = out.subscription;
  ++subscribers_;
  if (relay_ != nullptr) relay_->subscribed();
  return out;
}

void EventBus::unsubscribe(const Subscription* subscription) {
  std::lock_guard lock(mutex_);
  const auto org = byOrg_.find(subscription->orgId());
  if (org == byOrg_.end()) return;
  if (org->second.erase(subscription) > 0) --subscribers_;
  if (org->second.empty()) byOrg_.erase(org);
}

void EventBus::closeAll(const std::string& reason) {
  std::lock_guard lock(mutex_);
  closedReason_ = reason;
  for (const auto& [org, subscriptions] : byOrg_)
    for (const auto& [ptr, subscription] : subscriptions)
      if (subscription->close(reason)) subscription->wake();
}

bool EventBus::closed() const {
  std::lock_guard lock(mutex_);
  return closedReason_.has_value();
}

std::string EventBus::eventId(std::uint64_t seq) const { return epoch_ + "-" + std::to_string(seq); }

std::optional<std::uint64_t> EventBus::parseEventId(const std::string& id) const {
  if (id.size() <= epoch_.size() + 1 || id.compare(0, epoch_.size(), epoch_) != 0 || id[epoch_.size()] != '-')
    return std::nullopt;
  std::uint64_t seq = 0;
  const char* first = id.data() + epoch_.size() + 1;
  const char* last = id.data() + id.size();
  const auto [end, ec] = std::from_chars(first, last, seq);
  if (ec != std::errc() || end != last) return std::nullopt;
  return seq;
}

std::size_t EventBus::subscriberCount() const {
  std::lock_guard lock(mutex_);
  return subscribers_;
}

}  // namespace spooled::server
