#include "server/webhook/webhook_sender.hpp"

#include <openssl/ssl.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include "server/core/webhook_url.hpp"

namespace spooled::server {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;

struct WebhookSender::Impl {
  asio::ssl::context tls{asio::ssl::context::tls_client};
  Impl() {
    tls.set_default_verify_paths();
    tls.set_verify_mode(asio::ssl::verify_peer);
  }
};

namespace {

// One attempt. Keeps itself alive through its pending handlers; a single timer bounds all of it.
class Exchange : public std::enable_shared_from_this<Exchange> {
 public:
  Exchange(asio::io_context& io, asio::ssl::context& tls, const WebhookSenderOptions& options, WebhookUrl url,
           WebhookHttpRequest request, std::function<void(WebhookHttpResult)> done)
      : resolver_(io), timer_(io), options_(options), url_(std::move(url)), request_(std::move(request)),
        done_(std::move(done)), started_(std::chrono::steady_clock::now()) {
    if (url_.scheme == "https") {
      tls_.emplace(io, tls);
    } else {
      plain_.emplace(io);
    }
  }

  void start() {
    timer_.expires_after(options_.timeout);
    timer_.async_wait([self = shared_from_this()](error_code ec) {
      if (!ec) self->fail("timed out after " + std::to_string(self->options_.timeout.count()) + " ms");
    });
    resolver_.async_resolve(url_.host, std::to_string(url_.port),
                            [self = shared_from_this()](error_code ec, tcp::resolver::results_type results) {
                              self->onResolve(ec, std::move(results));
                            });
  }

 private:
  tcp::socket& socket() { return tls_ ? tls_->next_layer() : *plain_; }

  template <class F>
  void withStream(F&& f) {
    if (tls_) {
      f(*tls_);
    } else {
      f(*plain_);
    }
  }

  void onResolve(error_code ec, tcp::resolver::results_type results) {
    if (finished_) return;
    if (ec) return fail("cannot resolve " + url_.host + ": " + ec.message());
    std::vector<tcp::endpoint> allowed;
    bool refused = false;
    for (const auto& entry : results) {
      // Judged on the resolved address, which is the one connected to: a name cannot point past the policy.
      if (!options_.allowPrivate && isNonPublicAddress(entry.endpoint().address().to_string())) {
        refused = true;
        continue;
      }
      allowed.push_back(entry.endpoint());
    }
    if (allowed.empty())
      return fail(refused ? "refused: " + url_.host +
                                " is a loopback, private or link-local address (allowed only with --webhook-allow-private)"
                          : "cannot resolve " + url_.host);
    asio::async_connect(socket(), allowed, [self = shared_from_this()](error_code ec, const tcp::endpoint&) {
      self->onConnect(ec);
    });
  }

  void onConnect(error_code ec) {
    if (finished_) return;
    if (ec) return fail("cannot connect to " + url_.host + ": " + ec.message());
    if (!tls_) return write();
    if (!isIpLiteral()) SSL_set_tlsext_host_name(tls_->native_handle(), url_.host.c_str());  // SNI
    tls_->set_verify_callback(asio::ssl::host_name_verification(url_.host));
    tls_->async_handshake(asio::ssl::stream_base::client, [self = shared_from_this()](error_code ec) {
      if (self->finished_) return;
      if (ec) return self->fail("TLS handshake with " + self->url_.host + " failed: " + ec.message());
      self->write();
    });
  }

  bool isIpLiteral() const {
    error_code ec;
    asio::ip::make_address(url_.host, ec);
    return !ec;
  }

  void write() {
    message_.method(http::verb::post);
    message_.target(url_.target);
    message_.version(11);
    const bool v6 = url_.host.find(':') != std::string::npos;
    const bool defaultPort = url_.port == (tls_ ? 443 : 80);
    message_.set(http::field::host, (v6 ? "[" + url_.host + "]" : url_.host) +
                                        (defaultPort ? "" : ":" + std::to_string(url_.port)));
    message_.set(http::field::user_agent, "Spooled-Webhook/1.0");
    message_.set(http::field::connection, "close");
    for (const auto& [name, value] : request_.headers) message_.set(name, value);
    message_.body() = request_.body;
    message_.prepare_payload();
    withStream([this](auto& stream) {
      http::async_write(stream, message_, [self = shared_from_this()](error_code ec, std::size_t) {
        if (self->finished_) return;
        if (ec) return self->fail("cannot send the request: " + ec.message());
        self->read();
      });
    });
  }

  void read() {
    parser_.body_limit(options_.maxResponseBytes);
    withStream([this](auto& stream) {
      http::async_read(stream, buffer_, parser_, [self = shared_from_this()](error_code ec, std::size_t) {
        self->onRead(ec);
      });
    });
  }

  void onRead(error_code ec) {
    if (finished_) return;
    // An answer whose body is longer than we read still counts: its status is what matters.
    if (ec && !(ec == http::error::body_limit && parser_.is_header_done()))
      return fail("no valid HTTP answer: " + ec.message());
    WebhookHttpResult result;
    result.statusCode = static_cast<int>(parser_.get().result_int());
    result.responseBody = std::move(parser_.get().body());
    if (result.responseBody.size() > options_.maxResponseBytes) result.responseBody.resize(options_.maxResponseBytes);
    if (!result.success()) result.error = "HTTP " + std::to_string(*result.statusCode);
    finish(std::move(result));
  }

  void fail(std::string error) {
    WebhookHttpResult result;
    result.error = std::move(error);
    finish(std::move(result));
  }

  void finish(WebhookHttpResult result) {
    if (finished_) return;
    finished_ = true;
    timer_.cancel();
    resolver_.cancel();
    error_code ignored;
    socket().shutdown(tcp::socket::shutdown_both, ignored);
    socket().close(ignored);
    result.latency =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started_);
    auto done = std::move(done_);
    done(std::move(result));
  }

  tcp::resolver resolver_;
  asio::steady_timer timer_;
  std::optional<tcp::socket> plain_;
  std::optional<asio::ssl::stream<tcp::socket>> tls_;
  const WebhookSenderOptions& options_;
  WebhookUrl url_;
  WebhookHttpRequest request_;
  std::function<void(WebhookHttpResult)> done_;
  std::chrono::steady_clock::time_point started_;
  http::request<http::string_body> message_;
  boost::beast::flat_buffer buffer_;
  http::response_parser<http::string_body> parser_;
  bool finished_ = false;
};

}  // namespace

WebhookSender::WebhookSender(asio::io_context& io, WebhookSenderOptions options)
    : io_(io), options_(options), impl_(std::make_unique<Impl>()) {}

WebhookSender::~WebhookSender() = default;

void WebhookSender::send(WebhookHttpRequest request, std::function<void(WebhookHttpResult)> done) {
  auto url = parseWebhookUrl(request.url);
  if (!url) {
    asio::post(io_, [done = std::move(done)] {
      WebhookHttpResult result;
      result.error = "invalid webhook URL";
      done(std::move(result));
    });
    return;
  }
  auto exchange = std::make_shared<Exchange>(io_, impl_->tls, options_, std::move(*url), std::move(request), std::move(done));
  asio::post(io_, [exchange] { exchange->start(); });
}

}  // namespace spooled::server
