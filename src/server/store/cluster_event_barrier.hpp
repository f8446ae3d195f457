#pragma once
// An optional capability of ClusterSignals (PostgreSQL has it): waiting until published live events
// have left this process. Kept apart from store.hpp because only the server's wiring asks for it
// (dynamic_cast from ClusterSignals).
#include <functional>

namespace spooled::server {

class ClusterEventBarrier {
 public:
  virtual ~ClusterEventBarrier() = default;
  // True when every event published before this call has been sent (or given up on); otherwise false,
  // and done runs on a thread of the signals once they have. A request that changed jobs answers only
  // then, so a change its client makes next, through any server, is ordered after it everywhere.
  virtual bool whenEventsSent(std::function<void()> done) = 0;
};

}  // namespace spooled::server
