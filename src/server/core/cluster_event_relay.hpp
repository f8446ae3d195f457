#pragma once
// The EventRelay for several servers on one database: each live event committed here is encoded as a
// compact message and handed to ClusterSignals (PostgreSQL NOTIFY), which brings every message back
// to every server, this one included; there it is decoded and delivered to that server's bus. Since
// every bus hears the database's one order of messages, no server sees a job's events in another order
// than the others do, and since each message reaches each listener once, none is delivered twice.
//
// The message is the rendered event (the same JSON every subscriber gets, so shapes cannot drift)
// behind a few header lines for routing; events too big for a NOTIFY travel as a reference to a row
// (pg_cluster_signals.cpp).
#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "server/core/event_bus.hpp"
#include "server/store/store.hpp"

namespace spooled::server {

class ClusterEventRelay final : public EventRelay {
 public:
  // Both must outlive this object, and no event may be published after it is gone.
  ClusterEventRelay(EventBus& bus, ClusterSignals& cluster);
  ~ClusterEventRelay() override { detach(); }
  ClusterEventRelay(const ClusterEventRelay&) = delete;
  ClusterEventRelay& operator=(const ClusterEventRelay&) = delete;
  // Relayed while another server has subscribers (ClusterSignals::relayEvents); otherwise delivered
  // to this server's bus at once, which spares the database a NOTIFY and this server a round trip.
  // An event whose job has an earlier event still on its way through the database is relayed too,
  // so a switch to direct delivery never lets a job's event overtake its predecessor.
  void publish(LiveEvent event) override;
  void subscribed() override { cluster_.listenerJoined(); }
  // Stops delivering messages from the database to the bus.
  void detach();

  static std::string encode(const LiveEvent& event);
  static std::optional<LiveEvent> decode(const std::string& message);

 private:
  using Clock = std::chrono::steady_clock;
  struct InFlight {
    int events = 0;
    Clock::time_point lastSent;
  };
  void received(const std::string& message, bool fromHere);
  // Relayed events of each job (or queue, for events of no job) not yet heard back, under mutex_.
  // Entries silent for a few seconds were lost (a listener reconnecting misses NOTIFYs) and are dropped.
  bool awaitingEcho(const std::string& key, Clock::time_point now);

  EventBus& bus_;
  ClusterSignals& cluster_;
  std::mutex mutex_;
  std::unordered_map<std::string, InFlight> inFlight_;
};

}  // namespace spooled::server
