#pragma once
// Plain HTTP/1.1 over Boost.Beast for what the SDK cannot show: many sockets held open at once
// (parked claims) and the bare round trip of one request on a kept-alive connection.
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/string_body.hpp>

#include <optional>
#include <string>

namespace spooled::bench {

// host and port of an http:// URL ("http://127.0.0.1:8080" -> 127.0.0.1, 8080). Throws
// std::invalid_argument for anything else (https is not supported: loopback benchmarks only).
struct HttpEndpoint {
  std::string host;
  unsigned short port = 80;
  static HttpEndpoint fromUrl(const std::string& url);
};

// A request with the headers the server needs: Host, Authorization, and a JSON body when given.
boost::beast::http::request<boost::beast::http::string_body> makeRequest(boost::beast::http::verb method,
                                                                         const std::string& target,
                                                                         const HttpEndpoint& endpoint,
                                                                         const std::string& apiKey,
                                                                         const std::string& jsonBody = {});

// One kept-alive connection, reconnected when the server closes it. Not thread-safe.
class KeepAliveConnection {
 public:
  KeepAliveConnection(HttpEndpoint endpoint, std::string apiKey);
  // Sends GET target and returns the status; throws boost::system::system_error on a network error.
  int get(const std::string& target);

 private:
  boost::asio::io_context io_;
  HttpEndpoint endpoint_;
  std::string apiKey_;
  std::optional<boost::beast::tcp_stream> stream_;
};

}  // namespace spooled::bench
