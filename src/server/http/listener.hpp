#pragma once
// Accepts connections and gives each its own HttpSession on its own strand, up to a connection
// limit; above it a connection gets a 503 (connection_refusal.hpp). When accept fails (out of file
// descriptors) it pauses with a growing backoff (accept_backoff.hpp). Internal to http/.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstddef>
#include <memory>

#include "server/http/accept_backoff.hpp"
#include "server/http/http_session.hpp"

namespace spooled::server {

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  // Opens, binds and listens; throws boost::system::system_error when the address cannot be bound.
  Listener(boost::asio::io_context& ioc, const boost::asio::ip::tcp::endpoint& endpoint, SessionHub& hub,
           std::size_t maxConnections);

  unsigned short port() const { return port_; }
  void start();
  // Closes the acceptor (from any thread); connections already accepted carry on.
  void stop();

 private:
  void accept();
  void onAccept(boost::beast::error_code ec, boost::asio::ip::tcp::socket socket);
  void pauseAfterFailure(const boost::beast::error_code& ec);

  boost::asio::io_context& ioc_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer pause_;  // on the acceptor's strand, like everything below
  SessionHub& hub_;
  const std::size_t maxConnections_;
  unsigned short port_ = 0;
  AcceptBackoff backoff_;
  LogThrottle failureLog_{std::chrono::seconds(10)};
  LogThrottle refusalLog_{std::chrono::seconds(10)};
};

}  // namespace spooled::server
