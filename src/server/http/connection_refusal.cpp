#include "server/http/connection_refusal.hpp"

#include <atomic>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <memory>
#include <sstream>
#include <string>

#include "server/http/error_response.hpp"

namespace spooled::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

std::atomic<int> refusalsInFlight{0};

constexpr std::chrono::seconds kLingerTime{2};
constexpr std::size_t kLingerBytes = 64 * 1024;

std::string refusalBytes(std::size_t connectionLimit) {
  const HttpResponse body = errorResponse(
      ErrorCode::Unavailable, "The server is at its connection limit (" + std::to_string(connectionLimit) +
                                  " connections); retry later");
  http::response<http::string_body> response(static_cast<http::status>(body.status), 11);
  response.set(http::field::server, "spooled-server");
  response.set(http::field::content_type, body.contentType);
  response.set(http::field::retry_after, "1");
  response.keep_alive(false);
  response.body() = body.body;
  response.prepare_payload();
  std::ostringstream out;
  out << response;
  return out.str();
}

class Refusal : public std::enable_shared_from_this<Refusal> {
 public:
  Refusal(asio::ip::tcp::socket socket, std::size_t connectionLimit)
      : stream_(std::move(socket)), bytes_(refusalBytes(connectionLimit)) {}
  ~Refusal() { --refusalsInFlight; }

  void start() {
    stream_.expires_after(kLingerTime);
    asio::async_write(stream_, asio::buffer(bytes_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      beast::error_code ignored;
      self->stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
      self->drain();
    });
  }

 private:
  // Discards what the client sends until it closes, the linger time ends or enough was read.
  void drain() {
    stream_.async_read_some(asio::buffer(scratch_), [self = shared_from_this()](beast::error_code ec, std::size_t n) {
      self->drained_ += n;
      if (!ec && self->drained_ < kLingerBytes) self->drain();
    });
  }

  beast::tcp_stream stream_;
  std::string bytes_;
  char scratch_[4096];
  std::size_t drained_ = 0;
};

}  // namespace

void refuseConnection(asio::ip::tcp::socket socket, std::size_t connectionLimit) {
  if (++refusalsInFlight > kMaxRefusalsInFlight) {
    --refusalsInFlight;
    return;  // the socket closes here
  }
  std::make_shared<Refusal>(std::move(socket), connectionLimit)->start();
}

}  // namespace spooled::server
