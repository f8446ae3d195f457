#include "server/http/listener.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include "server/http/connection_refusal.hpp"

namespace spooled::server {

namespace asio = boost::asio;

Listener::Listener(asio::io_context& ioc, const asio::ip::tcp::endpoint& endpoint, SessionHub& hub,
                   std::size_t maxConnections)
    : ioc_(ioc),
      acceptor_(asio::make_strand(ioc)),
      pause_(acceptor_.get_executor()),
      hub_(hub),
      maxConnections_(maxConnections) {
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(asio::socket_base::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen(asio::socket_base::max_listen_connections);
  port_ = acceptor_.local_endpoint().port();
}

void Listener::start() {
  asio::post(acceptor_.get_executor(), [self = shared_from_this()] { self->accept(); });
}

void Listener::stop() {
  asio::post(acceptor_.get_executor(), [self = shared_from_this()] {
    boost::system::error_code ignored;
    self->acceptor_.close(ignored);
    self->pause_.cancel();
  });
}

void Listener::accept() {
  if (!acceptor_.is_open()) return;
  // Each connection gets a strand of its own, so its handlers never run concurrently.
  acceptor_.async_accept(asio::make_strand(ioc_), boost::beast::bind_front_handler(&Listener::onAccept, shared_from_this()));
}

void Listener::onAccept(boost::beast::error_code ec, asio::ip::tcp::socket socket) {
  if (!acceptor_.is_open() || ec == asio::error::operation_aborted) return;
  if (ec == asio::error::connection_aborted) return accept();  // that client gave up; the next one is fine
  if (ec) return pauseAfterFailure(ec);
  backoff_.succeeded();
  if (hub_.stopping()) return;
  if (hub_.size() >= maxConnections_) {
    if (const auto heldBack = refusalLog_.admit(std::chrono::steady_clock::now()))
      spdlog::warn("connection limit reached ({} connections, --max-connections): answering new ones 503{}",
                   maxConnections_, *heldBack ? fmt::format("; {} refused since the last message", *heldBack) : "");
    refuseConnection(std::move(socket), maxConnections_);
  } else {
    auto session = std::make_shared<HttpSession>(std::move(socket), hub_);
    hub_.add(session);
    session->start();
  }
  accept();
}

void Listener::pauseAfterFailure(const boost::beast::error_code& ec) {
  // Out of descriptors (EMFILE, ENFILE) or kernel memory: the condition lasts until connections close,
  // so retrying at once would only spin. Connections already open keep being served meanwhile.
  const auto pause = backoff_.failed();
  if (const auto heldBack = failureLog_.admit(std::chrono::steady_clock::now()))
    spdlog::warn("accept failed: {}; pausing new connections for up to {} ms{}", ec.message(),
                 AcceptBackoff::kLongestPause.count(),
                 *heldBack ? fmt::format(" ({} more failures since the last message)", *heldBack) : "");
  pause_.expires_after(pause);
  pause_.async_wait([self = shared_from_this()](boost::beast::error_code waitError) {
    if (!waitError) self->accept();
  });
}

}  // namespace spooled::server
