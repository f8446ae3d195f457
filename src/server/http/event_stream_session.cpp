// Server-Sent Events: after the 200 head the body is a chunked stream (close-delimited on HTTP/1.0)
// that the session writes batch by batch as its source wakes it. At most one write is in flight: while
// a slow peer holds it, events wait in the source's bounded buffer, never here.
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <array>
#include <cstdio>

#include "server/http/stream_sessions.hpp"

namespace spooled::server {

namespace asio = boost::asio;
namespace beast = boost::beast;

namespace {

class EventStreamSession : public HubMember, public std::enable_shared_from_this<EventStreamSession> {
 public:
  EventStreamSession(beast::tcp_stream&& stream, SessionHub& hub, std::shared_ptr<ResponseStream> source,
                     bool chunked)
      : socket_(stream.release_socket()),
        hub_(hub),
        source_(std::move(source)),
        chunked_(chunked),
        keepAlive_(socket_.get_executor()),
        writeTimer_(socket_.get_executor()) {}

  ~EventStreamSession() override { hub_.remove(this); }

  void start(std::string head) {
    // A small kernel buffer: events wait in the subscription's bounded buffer, where they are shared
    // and counted, rather than copied into megabytes of socket buffer per subscriber.
    beast::error_code ignored;
    socket_.set_option(asio::socket_base::send_buffer_size(kStreamSendBuffer), ignored);
    socket_.non_blocking(true, ignored);  // write() tries a send first and must never block the pool
    std::weak_ptr<EventStreamSession> weak = shared_from_this();
    auto strand = socket_.get_executor();
    source_->start([weak, strand] {
      asio::post(strand, [weak] {
        if (auto self = weak.lock()) self->pump();
      });
    });
    pending_ = std::move(head);
    write();
    watchPeer();
    armKeepAlive();
  }

  void closeWhenIdle() override {
    asio::post(socket_.get_executor(), [self = shared_from_this()] { self->end(); });
  }

 private:
  // Appends messages to pending_ as one chunk (or as they are, without chunked encoding).
  void appendFrame(const std::vector<std::string>& messages) {
    std::size_t size = 0;
    for (const std::string& m : messages) size += m.size();
    if (size == 0) return;
    if (chunked_) {
      std::array<char, 20> line{};
      std::snprintf(line.data(), line.size(), "%zx\r\n", size);
      pending_ += line.data();
    }
    for (const std::string& m : messages) pending_ += m;
    if (chunked_) pending_ += "\r\n";
  }

  // Pulls what the source has, unless a write is in flight (then its completion pulls).
  void pump() {
    if (closed_ || writing_ || ending_) return;
    const ResponseStream::Batch batch = source_->pull();
    appendFrame(batch.messages);
    if (batch.end) return end();
    write();
  }

  // Sends what is pending, then the end of the body, then closes.
  void end() {
    if (closed_ || ending_) return;
    ending_ = true;
    if (chunked_) pending_ += "0\r\n\r\n";
    if (!writing_) write();
  }

  void write() {
    // Most writes fit in the socket's buffer: send them at once, without an asynchronous operation,
    // a timer and a completion handler each. With thousands of subscribers per event that machinery
    // cost more than the send itself. Only what the peer cannot take now goes the asynchronous way.
    while (!closed_ && !writing_) {
      if (pending_.empty()) {
        if (ending_) close();
        return;
      }
      std::swap(out_, pending_);
      pending_.clear();
      beast::error_code ec;
      const std::size_t sent = socket_.write_some(asio::buffer(out_), ec);
      if (ec && ec != asio::error::would_block && ec != asio::error::try_again) return close();
      lastWrite_ = std::chrono::steady_clock::now();
      if (sent < out_.size()) {
        out_.erase(0, sent);
        return writeRest();
      }
      out_.clear();
    }
  }

  void writeRest() {
    writing_ = true;
    // A peer that takes nothing for this long is gone or stuck: close rather than hold its buffer.
    writeTimer_.expires_after(kStreamWriteTimeout);
    writeTimer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec && self->writing_) self->close();
    });
    asio::async_write(socket_, asio::buffer(out_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->onWritten(ec);
    });
  }

  void onWritten(beast::error_code ec) {
    writing_ = false;
    writeTimer_.cancel();
    out_.clear();
    lastWrite_ = std::chrono::steady_clock::now();
    if (ec) return close();
    if (!pending_.empty() || ending_) return write();
    pump();
  }

  // An event-stream client sends nothing after its request; a read completing means it went away.
  void watchPeer() {
    socket_.async_read_some(asio::buffer(peek_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->close();
      self->watchPeer();
    });
  }

  void armKeepAlive() {
    keepAlive_.expires_after(hub_.streamKeepAlive());
    keepAlive_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec || self->closed_) return;
      const auto quiet = std::chrono::steady_clock::now() - self->lastWrite_;
      if (!self->writing_ && !self->ending_ && quiet >= self->hub_.streamKeepAlive() / 2) {
        self->appendFrame({self->source_->keepAlive()});
        self->write();
      }
      self->armKeepAlive();
    });
  }

  void close() {
    if (closed_) return;
    closed_ = true;
    keepAlive_.cancel();
    writeTimer_.cancel();
    beast::error_code ignored;
    socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
    source_->stop();
  }

  asio::ip::tcp::socket socket_;
  SessionHub& hub_;
  std::shared_ptr<ResponseStream> source_;
  const bool chunked_;
  asio::steady_timer keepAlive_;
  asio::steady_timer writeTimer_;
  std::string pending_;  // to write next
  std::string out_;      // being written
  std::array<char, 256> peek_{};
  std::chrono::steady_clock::time_point lastWrite_ = std::chrono::steady_clock::now();
  bool writing_ = false;
  bool ending_ = false;
  bool closed_ = false;
};

}  // namespace

void startEventStreamSession(beast::tcp_stream&& stream, SessionHub& hub, std::shared_ptr<ResponseStream> source,
                             std::vector<std::pair<std::string, std::string>> headers, unsigned version) {
  const bool chunked = version >= 11;
  std::string head = chunked ? "HTTP/1.1 200 OK\r\n" : "HTTP/1.0 200 OK\r\n";
  head += "Server: spooled-server\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n";
  head += "X-Accel-Buffering: no\r\n";  // proxies such as nginx would otherwise hold events back
  head += chunked ? "Transfer-Encoding: chunked\r\nConnection: keep-alive\r\n" : "Connection: close\r\n";
  for (const auto& [name, value] : headers) head += name + ": " + value + "\r\n";
  head += "\r\n";
  stream.expires_never();
  auto session = std::make_shared<EventStreamSession>(std::move(stream), hub, std::move(source), chunked);
  hub.add(session);
  session->start(std::move(head));
}

}  // namespace spooled::server
