#pragma once
// The HTTP server: io threads that read and write connections; handlers run on a worker pool (an
// Executor the caller owns), so io threads never block. Beast stays inside http/*.cpp.
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "common/executor.hpp"
#include "server/http/request_dispatcher.hpp"

namespace spooled::server {

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;                                  // 0: any free port (see HttpServer::start)
  int ioThreads = 2;
  std::chrono::seconds idleTimeout{60};             // a connection silent this long is closed
  std::size_t bodyLimit = 1536 * 1024;              // above the 1 MiB payload limit, see http_session.cpp
  std::chrono::seconds drainTimeout{30};            // how long stop() waits for in-flight requests
  std::size_t maxConnections = 10000;               // above it a new connection gets 503 and is closed
  std::chrono::milliseconds streamKeepAlive{15000};  // quiet time before an event stream's keep-alive
};

class HttpServer {
 public:
  // dispatcher and workers must outlive the server.
  HttpServer(const RequestDispatcher& dispatcher, Executor& workers, HttpServerOptions options);
  ~HttpServer();  // stop()
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts serving; returns the bound port. Throws std::runtime_error when the address
  // cannot be bound or is not an IP address.
  int start();

  // Graceful: stops accepting, answers requests already read (with Connection: close), closes idle
  // connections, waits up to drainTimeout, then stops the threads. Idempotent.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace spooled::server
