#pragma once
// The server process minus main(): opens the store, bootstraps credentials, wires core services to
// the router and the HTTP server, and runs the background loops (lease reaper, silent-worker sweep).
#include <condition_variable>
#include <memory>
#include <mutex>
#include <ostream>
#include <thread>

#include "server/server_config.hpp"

namespace spooled::server {

class Router;

class ServerApp {
 public:
  explicit ServerApp(ServerConfig config);
  ~ServerApp();  // stop()
  ServerApp(const ServerApp&) = delete;
  ServerApp& operator=(const ServerApp&) = delete;

  // Opens the database, bootstraps API keys (a generated key is printed to keyOut), starts serving and
  // returns the bound port. Throws std::runtime_error with a readable message on any start-up failure.
  int start(std::ostream& keyOut);

  // Every registered route (method, pattern, access, key scope), once start() has returned; tests
  // check each one against the documented key-scope table.
  const Router& router() const;

  // Graceful: readiness turns 503, parked claims return, no new connections, in-flight requests finish,
  // background loops stop. Idempotent; safe to call from any thread but one at a time.
  void stop();

 private:
  void runBackgroundLoops();
  // Outgoing webhooks: the outbox on the change feed, the delivery loop, the routes.
  void startWebhooks();

  struct Parts;  // store, core services, router, HTTP server
  ServerConfig config_;
  std::unique_ptr<Parts> parts_;

  std::thread background_;
  std::mutex backgroundMutex_;
  std::condition_variable backgroundWake_;
  bool backgroundStop_ = false;  // guarded by backgroundMutex_
};

}  // namespace spooled::server
