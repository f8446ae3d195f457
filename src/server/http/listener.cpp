#include "server/http/listener.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

namespace spooled::server {

namespace asio = boost::asio;

Listener::Listener(asio::io_context& ioc, const asio::ip::tcp::endpoint& endpoint, SessionHub& hub)
    : ioc_(ioc), acceptor_(asio::make_strand(ioc)), hub_(hub) {
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
  });
}

void Listener::accept() {
  // Each connection gets a strand of its own, so its handlers never run concurrently.
  acceptor_.async_accept(asio::make_strand(ioc_), boost::beast::bind_front_handler(&Listener::onAccept, shared_from_this()));
}

void Listener::onAccept(boost::beast::error_code ec, asio::ip::tcp::socket socket) {
  if (!acceptor_.is_open() || ec == asio::error::operation_aborted) return;
  if (ec) {
    // Running out of descriptors is transient; keep serving the connections we have.
    spdlog::warn("accept failed: {}", ec.message());
  } else if (hub_.stopping()) {
    return;
  } else {
    auto session = std::make_shared<HttpSession>(std::move(socket), hub_);
    hub_.add(session);
    session->start();
  }
  accept();
}

}  // namespace spooled::server
