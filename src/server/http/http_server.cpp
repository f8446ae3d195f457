#include "server/http/http_server.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

#include "server/http/listener.hpp"

namespace spooled::server {

namespace asio = boost::asio;

// Member order matters: destruction runs bottom-up, so the io_context (whose queued handlers own
// sessions) goes before the hub the sessions unregister from.
struct HttpServer::Impl {
  Impl(const RequestDispatcher& dispatcher, Executor& workers, HttpServerOptions opts)
      : options(std::move(opts)), hub(dispatcher, workers, options.idleTimeout, options.bodyLimit, options.streamKeepAlive) {}

  HttpServerOptions options;
  SessionHub hub;
  asio::io_context ioc;
  // Keeps ioc.run() going while no socket operation is pending, e.g. when every connection's request
  // is with a handler on the worker pool: without it the io threads would return, and the answers
  // those handlers post back would never be written.
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> keepRunning;
  std::shared_ptr<Listener> listener;
  std::vector<std::thread> ioThreads;
  std::mutex stopMutex;
  bool started = false;
  bool stopped = false;
};

HttpServer::HttpServer(const RequestDispatcher& dispatcher, Executor& workers, HttpServerOptions options)
    : impl_(std::make_unique<Impl>(dispatcher, workers, std::move(options))) {}

HttpServer::~HttpServer() { stop(); }

int HttpServer::start() {
  auto& d = *impl_;
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(d.options.host, ec);
  if (ec) throw std::runtime_error("--host must be an IP address, got '" + d.options.host + "'");
  try {
    d.listener = std::make_shared<Listener>(d.ioc, asio::ip::tcp::endpoint(address, static_cast<unsigned short>(d.options.port)), d.hub,
                                            std::max<std::size_t>(1, d.options.maxConnections));
  } catch (const boost::system::system_error& e) {
    throw std::runtime_error("cannot listen on " + d.options.host + ":" + std::to_string(d.options.port) + ": " +
                             e.code().message());
  }
  d.listener->start();
  d.keepRunning.emplace(d.ioc.get_executor());
  for (int i = 0; i < std::max(1, d.options.ioThreads); ++i) d.ioThreads.emplace_back([&d] { d.ioc.run(); });
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
    if (!d.hub.waitUntilEmpty(std::chrono::steady_clock::now() + d.options.drainTimeout))
      spdlog::warn("drain timed out after {} s; closing remaining connections", d.options.drainTimeout.count());
  }
  d.keepRunning.reset();
  d.ioc.stop();
  for (auto& t : d.ioThreads) t.join();
  d.ioThreads.clear();
}

}  // namespace spooled::server
