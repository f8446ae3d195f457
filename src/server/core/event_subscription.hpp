#pragma once
// One live stream's view of the event bus: which events it wants (its organization, the queues its key
// may use, the queues or jobs it asked for, the event types it asked for) and a bounded buffer of
// events not yet written to its connection. A consumer that falls more than `maxBuffered` events
// behind is closed with a reason instead of growing the server's memory. Thread-safe: the bus offers
// events from committing threads, the connection takes them on its own strand.
#include <memory>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "server/core/live_event.hpp"

namespace spooled::server {

// A queue or a job (or, both empty, everything the subscription may see).
struct StreamFilter {
  std::optional<std::string> queueName;
  std::optional<std::string> jobId;
  bool operator==(const StreamFilter&) const = default;
};

struct SubscriptionOptions {
  std::string orgId;
  std::vector<std::string> allowedQueues;  // the key's queues; empty: every queue
  // Empty: every event the key may see. Otherwise an event must match one of them.
  std::vector<StreamFilter> filters;
  std::set<std::string> types;  // lower-case wire or dotted names; empty or "*": every type
  std::size_t maxBuffered = 1024;
};

class Subscription {
 public:
  explicit Subscription(SubscriptionOptions options);

  const std::string& orgId() const { return options_.orgId; }

  // Bus side. Queues the event when it is wanted; closes the subscription when the buffer is full.
  // Returns true when the caller should wake the consumer.
  bool offer(const LiveEventPtr& event);
  // Ends the subscription (shutdown, overflow); the consumer drains what is queued, then sees why.
  bool close(const std::string& reason);

  // Consumer side. `waker` is called from any thread when the buffer goes from empty to non-empty or
  // the subscription closes; it must be cheap (post to the connection) and must not call back here.
  void setWaker(std::function<void()> waker);
  void wake() const;
  // Moves what is queued into `into` (cleared first). The two vectors swap, so a stream that keeps
  // its own vector allocates nothing per event once both have grown.
  void takeAll(std::vector<LiveEventPtr>& into);
  std::optional<std::string> closedReason() const;

  // WebSocket Subscribe / Unsubscribe: after the first Subscribe only subscribed queues and jobs are
  // sent; unsubscribing the last one sends nothing until the next Subscribe.
  void addFilter(const StreamFilter& filter);
  void removeFilter(const StreamFilter& filter);

 private:
  bool wants(const LiveEvent& event) const;  // mutex_ held

  SubscriptionOptions options_;
  bool filtered_;  // true once any filter was given; then an empty list matches nothing
  mutable std::mutex mutex_;
  std::vector<LiveEventPtr> buffer_;
  std::optional<std::string> closedReason_;
  bool wakePending_ = false;  // one wake-up per drain, however many events arrive meanwhile
  // Shared so that wake() takes a reference, not a copy of the closure, for each of thousands of
  // subscribers per event.
  std::shared_ptr<const std::function<void()>> waker_;
};

}  // namespace spooled::server
