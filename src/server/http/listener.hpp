#pragma once
// Accepts connections and gives each its own HttpSession on its own strand. Internal to http/.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <memory>

#include "server/http/http_session.hpp"

namespace spooled::server {

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  // Opens, binds and listens; throws boost::system::system_error when the address cannot be bound.
  Listener(boost::asio::io_context& ioc, const boost::asio::ip::tcp::endpoint& endpoint, SessionHub& hub);

  unsigned short port() const { return port_; }
  void start();
  // Closes the acceptor (from any thread); connections already accepted carry on.
  void stop();

 private:
  void accept();
  void onAccept(boost::beast::error_code ec, boost::asio::ip::tcp::socket socket);

  boost::asio::io_context& ioc_;
  boost::asio::ip::tcp::acceptor acceptor_;
  SessionHub& hub_;
  unsigned short port_ = 0;
};

}  // namespace spooled::server
