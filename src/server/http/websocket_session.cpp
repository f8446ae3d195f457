// A WebSocket the request was upgraded to: text messages from the source go out one at a time, text
// messages from the client go to the source (subscribe commands, pings). Beast's server timeouts close
// a peer that stops answering pings; a source that ends closes with a reason (1008 for a subscriber
// too slow, 1001 on shutdown, 1000 when a one-job stream is done).
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <deque>

#include "server/http/stream_sessions.hpp"

namespace spooled::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;

namespace {

constexpr std::size_t kMaxClientMessage = 64 * 1024;  // commands are a few dozen bytes
constexpr std::size_t kMaxCloseReason = 123;          // RFC 6455: a close frame's payload is at most 125 bytes

class WebSocketSession : public HubMember, public std::enable_shared_from_this<WebSocketSession> {
 public:
  WebSocketSession(beast::tcp_stream&& stream, SessionHub& hub, std::shared_ptr<ResponseStream> source)
      : ws_(std::move(stream)), hub_(hub), source_(std::move(source)), keepAlive_(ws_.get_executor()) {}

  ~WebSocketSession() override { hub_.remove(this); }

  void start(beast::http::request<beast::http::string_body>&& upgrade) {
    ws_.next_layer().expires_never();
    beast::error_code ignored;
    ws_.next_layer().socket().set_option(asio::socket_base::send_buffer_size(kStreamSendBuffer), ignored);
    websocket::stream_base::timeout timeouts = websocket::stream_base::timeout::suggested(beast::role_type::server);
    timeouts.idle_timeout = std::chrono::seconds(60);  // a ping after 30 s of silence, closed after 60
    ws_.set_option(timeouts);
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(beast::http::field::server, "spooled-server"); }));
    ws_.read_message_max(kMaxClientMessage);
    ws_.async_accept(upgrade, [self = shared_from_this()](beast::error_code ec) { self->onAccept(ec); });
  }

  void closeWhenIdle() override {
    asio::post(ws_.get_executor(), [self = shared_from_this()] {
      if (self->closed_ || self->closing_) return;
      self->closeAfterDrain_ = true;
      self->pump();
    });
  }

 private:
  void onAccept(beast::error_code ec) {
    if (ec) return finish();
    accepted_ = true;
    std::weak_ptr<WebSocketSession> weak = shared_from_this();
    auto strand = ws_.get_executor();
    source_->start([weak, strand] {
      asio::post(strand, [weak] {
        if (auto self = weak.lock()) self->pump();
      });
    });
    read();
    armKeepAlive();
    pump();
  }

  void read() {
    ws_.async_read(readBuffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->finish();
      if (self->ws_.got_text()) self->source_->receive(beast::buffers_to_string(self->readBuffer_.data()));
      self->readBuffer_.consume(self->readBuffer_.size());
      self->read();
      self->pump();
    });
  }

  void pump() {
    if (!accepted_ || closed_ || closing_ || writing_) return;
    if (outbox_.empty() && !closeAfterDrain_) {
      ResponseStream::Batch batch = source_->pull();
      for (std::string& m : batch.messages) outbox_.push_back(std::move(m));
      if (batch.end) {
        closeAfterDrain_ = true;
        reason_ = batch.reason;
        goingAway_ = batch.goingAway;
      }
    }
    if (!outbox_.empty()) {
      writing_ = true;
      ws_.text(true);
      ws_.async_write(asio::buffer(outbox_.front()), [self = shared_from_this()](beast::error_code ec, std::size_t) {
        self->writing_ = false;
        if (ec) return self->finish();
        self->outbox_.pop_front();
        self->lastWrite_ = std::chrono::steady_clock::now();
        self->pump();
      });
      return;
    }
    if (closeAfterDrain_) close();
  }

  void close() {
    closing_ = true;
    websocket::close_reason why(websocket::close_code::normal);
    if (goingAway_ || hub_.stopping()) {
      why = websocket::close_reason(websocket::close_code::going_away, "server shutting down");
    } else if (reason_) {
      why = websocket::close_reason(websocket::close_code::policy_error, reason_->substr(0, kMaxCloseReason));
    }
    ws_.async_close(why, [self = shared_from_this()](beast::error_code) { self->finish(); });
  }

  void armKeepAlive() {
    keepAlive_.expires_after(hub_.streamKeepAlive());
    keepAlive_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec || self->closed_) return;
      const auto quiet = std::chrono::steady_clock::now() - self->lastWrite_;
      if (!self->writing_ && !self->closing_ && self->outbox_.empty() && quiet >= self->hub_.streamKeepAlive() / 2) {
        self->outbox_.push_back(self->source_->keepAlive());
        self->pump();
      }
      self->armKeepAlive();
    });
  }

  void finish() {
    if (closed_) return;
    closed_ = true;
    keepAlive_.cancel();
    source_->stop();
    beast::error_code ignored;
    ws_.next_layer().socket().close(ignored);
  }

  websocket::stream<beast::tcp_stream> ws_;
  SessionHub& hub_;
  std::shared_ptr<ResponseStream> source_;
  asio::steady_timer keepAlive_;
  beast::flat_buffer readBuffer_;
  std::deque<std::string> outbox_;
  std::optional<std::string> reason_;
  std::chrono::steady_clock::time_point lastWrite_ = std::chrono::steady_clock::now();
  bool accepted_ = false;
  bool writing_ = false;
  bool closing_ = false;
  bool closeAfterDrain_ = false;
  bool goingAway_ = false;
  bool closed_ = false;
};

}  // namespace

void startWebSocketSession(beast::tcp_stream&& stream, SessionHub& hub, std::shared_ptr<ResponseStream> source,
                           beast::http::request<beast::http::string_body>&& upgrade) {
  auto session = std::make_shared<WebSocketSession>(std::move(stream), hub, std::move(source));
  hub.add(session);
  session->start(std::move(upgrade));
}

}  // namespace spooled::server
