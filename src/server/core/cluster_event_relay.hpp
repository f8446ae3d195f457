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
#include <optional>
#include <string>

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
  void publish(LiveEvent event) override;
  void subscribed() override { cluster_.listenerJoined(); }
  // Stops delivering messages from the database to the bus.
  void detach();

  static std::string encode(const LiveEvent& event);
  static std::optional<LiveEvent> decode(const std::string& message);

 private:
  EventBus& bus_;
  ClusterSignals& cluster_;
};

}  // namespace spooled::server
