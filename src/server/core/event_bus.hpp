#pragma once
// The job event bus: hears every committed change (it is a JobEventListener on the ChangeFeed), renders
// it once as live events and hands them to the subscriptions of the change's organization. Nothing
// polls the database: an event is on its way the moment its change commits.
//
// Across servers: publish() goes through an EventRelay when one is set. A relay carries each event to
// every server (this one included) and calls deliver() there: PostgreSQL LISTEN/NOTIFY is the intended
// one (NOTIFY after the commit, a LISTEN connection per server calling deliver). Without a relay,
// publish() delivers in process. An outgoing-webhook outbox is another JobEventListener on the same
// feed, not a subscriber: it must write in the change's transaction, which a live stream never needs.
//
// Resume: each delivered event gets this server's next sequence number, and the last `historySize`
// events are kept, so a client reconnecting with `Last-Event-ID` gets what it missed, if this server
// sent it and still holds it.
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "server/core/event_subscription.hpp"
#include "server/core/job_events.hpp"
#include "server/core/live_event.hpp"

namespace spooled::server {

class EventRelay {
 public:
  virtual ~EventRelay() = default;
  // Carries an event committed on this server to every server's bus (this one's included), calling
  // EventBus::deliver there. Runs on the committing thread, so it must not block for long.
  virtual void publish(LiveEvent event) = 0;
  // A subscriber was added to this server's bus (called under the bus's lock: must not call back).
  virtual void subscribed() {}
};

class EventBus final : public JobEventListener {
 public:
  explicit EventBus(std::size_t historySize = 4096, std::function<TimePoint()> now = nowMs);

  // Set before the bus is shared between threads; the relay must outlive the bus.
  void setRelay(EventRelay* relay) { relay_ = relay; }

  void onJobEvent(const JobEvent& event) noexcept override;
  void onQueueEvent(const QueueEvent& event) noexcept override;
  void onWorkerEvent(const WorkerEvent& event) noexcept override;

  void publish(LiveEvent event);
  // Numbers the event, keeps it for resumes and offers it to its organization's subscriptions.
  void deliver(LiveEvent event);

  struct Subscribed {
    std::shared_ptr<Subscription> subscription;
    bool resumed = false;  // lastEventId named an event this bus still holds; what followed is queued
  };
  // Registers a subscription. With lastEventId, the held events after it that the subscription wants
  // are queued first, atomically with the registration, so nothing falls between replay and live.
  Subscribed subscribe(SubscriptionOptions options, const std::optional<std::string>& lastEventId = std::nullopt);
  void unsubscribe(const Subscription* subscription);
  // Shutdown: every subscription ends with `reason`; later subscriptions are closed at once.
  void closeAll(const std::string& reason);
  bool closed() const;  // closeAll has been called

  // The id a client sees for an event: "<this bus's start time>-<sequence>".
  std::string eventId(std::uint64_t seq) const;
  std::size_t subscriberCount() const;

 private:
  std::optional<std::uint64_t> parseEventId(const std::string& id) const;

  const std::size_t historySize_;
  std::function<TimePoint()> now_;
  const std::string epoch_;  // distinguishes this process's ids from an earlier one's
  EventRelay* relay_ = nullptr;
  mutable std::mutex mutex_;
  std::uint64_t nextSeq_ = 1;
  std::deque<LiveEventPtr> history_;
  std::optional<std::string> closedReason_;
  std::unordered_map<std::string, std::unordered_map<const Subscription*, std::shared_ptr<Subscription>>> byOrg_;
  std::size_t subscribers_ = 0;
};

}  // namespace spooled::server
