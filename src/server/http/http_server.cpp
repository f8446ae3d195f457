#include "server/http/http_server.hpp"

#include <spdlog/spdlog.h>

#include <mutex>
#include <stdexcept>

#include "server/http/listener.hpp"

namespace spooled::server {

namespace asio = boost::asio;

struct HttpServer::Impl {
  Impl(const RequestDispatcher& dispatcher, WorkerPool& threads, HttpServerOptions opts)
      : options(std::move(opts)),
        pool(threads),
        hub(dispatcher, options.idleTimeout, options.bodyLimit, options.streamKeepAlive) {}

  HttpServerOptions options;
  WorkerPool& pool;
  SessionHub hub;
  std::shared_ptr<Listener> listener;
  std::mutex stopMutex;
  bool started = false;
  bool stopped = false;
};

HttpServer::HttpServer(const RequestDispatcher& dispatcher, WorkerPool& pool, HttpServerOptions options)
    : impl_(std::make_unique<Impl>(dispatcher, pool, std::move(options))) {}

HttpServer::~HttpServer() { stop(); }

int HttpServer::start() {
  auto& d = *impl_;
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(d.options.host, ec);
  if (ec) throw std::runtime_error("--host must be an IP address, got '" + d.options.host + "'");
  try {
    d.listener = std::make_shared<Listener>(d.pool.context(), asio::ip::tcp::endpoint(address, static_cast<unsigned short>(d.options.port)), d.hub,
                                            std::max<std::size_t>(1, d.options.maxConnections));
  } catch (const boost::system::system_error& e) {
    throw std::runtime_error("cannot listen on " + d.options.host + ":" + std::to_string(d.options.port) + ": " +
                             e.code().message());
  }
  d.listener->start();
  d.started = true;
  return d.listener->port();
}

void HttpServer::stop() {
  auto& d = *impl_;
  std::lock_guard lock(d.stopMutex);
  if (d.stopped) return;
  d.stopped = true;
  if (d.started) {
    d.listener->stop();
    d.hub.beginDrain();
    if (!d.hub.waitUntilEmpty(std::chrono::steady_clock::now() + d.options.drainTimeout)) {
      spdlog::warn("drain timed out after {} s; closing remaining connections", d.options.drainTimeout.count());
      d.pool.stop();  // the sessions still open end with the threads
    }
  }
}

}  // namespace spooled::server
