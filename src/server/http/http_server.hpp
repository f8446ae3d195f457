#pragma once
// The HTTP server: connections read and written on the server's WorkerPool, whose threads also run
// the handlers (which never block). Beast stays inside http/*.cpp.
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "server/http/request_dispatcher.hpp"
#include "server/worker_pool.hpp"

namespace spooled::server {

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;                                  // 0: any free port (see HttpServer::start)
  std::chrono::seconds idleTimeout{60};             // a connection silent this long is closed
  std::size_t bodyLimit = 1536 * 1024;              // above the 1 MiB payload limit, see http_session.cpp
  std::chrono::seconds drainTimeout{30};            // how long stop() waits for in-flight requests
  std::size_t maxConnections = 10000;               // above it a new connection gets 503 and is closed
  std::chrono::milliseconds streamKeepAlive{15000};  // quiet time before an event stream's keep-alive
};

class HttpServer {
 public:
  // dispatcher and pool must outlive the server.
  HttpServer(const RequestDispatcher& dispatcher, WorkerPool& pool, HttpServerOptions options);
  ~HttpServer();  // stop()
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts serving; returns the bound port. Throws std::runtime_error when the address
  // cannot be bound or is not an IP address.
  int start();

  // Graceful: stops accepting, answers requests already read (with Connection: close), closes idle
  // connections, waits up to drainTimeout, then (if some are still open) stops the pool. Idempotent.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace spooled::server
