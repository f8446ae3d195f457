#include "raw_http.hpp"

#include <boost/asio/connect.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include <regex>
#include <stdexcept>

namespace spooled::bench {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

HttpEndpoint HttpEndpoint::fromUrl(const std::string& url) {
  static const std::regex kUrl(R"(http://([^/:]+)(?::(\d+))?/?)");
  std::smatch match;
  if (!std::regex_match(url, match, kUrl)) throw std::invalid_argument("expected http://HOST[:PORT], got " + url);
  HttpEndpoint endpoint;
  endpoint.host = match[1].str();
  if (match[2].matched) endpoint.port = static_cast<unsigned short>(std::stoi(match[2].str()));
  return endpoint;
}

http::request<http::string_body> makeRequest(http::verb method, const std::string& target, const HttpEndpoint& endpoint,
                                             const std::string& apiKey, const std::string& jsonBody) {
  http::request<http::string_body> request{method, target, 11};
  request.set(http::field::host, endpoint.host + ":" + std::to_string(endpoint.port));
  request.set(http::field::authorization, "Bearer " + apiKey);
  request.set(http::field::user_agent, "spooled-bench");
  request.keep_alive(true);
  if (!jsonBody.empty()) {
    request.set(http::field::content_type, "application/json");
    request.body() = jsonBody;
  }
  request.prepare_payload();
  return request;
}

KeepAliveConnection::KeepAliveConnection(HttpEndpoint endpoint, std::string apiKey)
    : endpoint_(std::move(endpoint)), apiKey_(std::move(apiKey)) {}

int KeepAliveConnection::get(const std::string& target) {
  if (!stream_) {
    tcp::resolver resolver(io_);
    stream_.emplace(io_);
    stream_->connect(resolver.resolve(endpoint_.host, std::to_string(endpoint_.port)));
    stream_->socket().set_option(tcp::no_delay(true));
  }
  auto request = makeRequest(http::verb::get, target, endpoint_, apiKey_);
  http::response<http::string_body> response;
  beast::flat_buffer buffer;
  try {
    http::write(*stream_, request);
    http::read(*stream_, buffer, response);
  } catch (...) {
    stream_.reset();
    throw;
  }
  if (!response.keep_alive()) stream_.reset();
  return static_cast<int>(response.result_int());
}

}  // namespace spooled::bench
