#include "support/stream_clients.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <algorithm>
#include <array>
#include <deque>
#include <stdexcept>

namespace spooled::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;

// ---- SseClient -------------------------------------------------------------------------------------

SseClient::SseClient(int port, std::string target, SseOptions options) : reading_(options.startReading) {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  if (options.receiveBufferBytes > 0)
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &options.receiveBufferBytes, sizeof(options.receiveBufferBytes));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0)
    throw std::runtime_error("SseClient: cannot connect to port " + std::to_string(port));
  std::string request = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n";
  for (const auto& [name, value] : options.headers) request += name + ": " + value + "\r\n";
  request += "\r\n";
  if (::send(fd_, request.data(), request.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(request.size()))
    throw std::runtime_error("SseClient: cannot send the request");
  reader_ = std::thread([this] { run(); });
}

SseClient::~SseClient() {
  stop_ = true;
  {
    std::lock_guard lock(mutex_);
    reading_ = true;
  }
  changed_.notify_all();
  if (reader_.joinable()) reader_.join();
  if (fd_ >= 0) ::close(fd_);
}

void SseClient::close() {
  stop_ = true;
  changed_.notify_all();
  if (reader_.joinable()) reader_.join();
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void SseClient::resume() {
  std::lock_guard lock(mutex_);
  reading_ = true;
  changed_.notify_all();
}

void SseClient::run() {
  {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return reading_ || stop_; });
  }
  std::string raw;
  bool headDone = false;
  bool chunked = false;
  std::array<char, 16384> buf{};
  while (!stop_) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    const ssize_t n = ::recv(fd_, buf.data(), buf.size(), 0);
    if (n <= 0) break;
    raw.append(buf.data(), static_cast<std::size_t>(n));
    if (!headDone) {
      const std::size_t end = raw.find("\r\n\r\n");
      if (end == std::string::npos) continue;
      std::lock_guard lock(mutex_);
      head_ = raw.substr(0, end);
      status_ = std::stoi(head_.substr(9, 3));
      chunked = head_.find("Transfer-Encoding: chunked") != std::string::npos;
      raw.erase(0, end + 4);
      headDone = true;
      changed_.notify_all();
    }
    if (!chunked) {
      feed(raw);
      raw.clear();
      continue;
    }
    for (;;) {  // decode every complete chunk
      const std::size_t lineEnd = raw.find("\r\n");
      if (lineEnd == std::string::npos) break;
      const std::size_t size = std::stoul(raw.substr(0, lineEnd), nullptr, 16);
      if (size == 0) {
        std::lock_guard lock(mutex_);
        closed_ = true;
        changed_.notify_all();
        return;
      }
      if (raw.size() < lineEnd + 2 + size + 2) break;
      feed(raw.substr(lineEnd + 2, size));
      raw.erase(0, lineEnd + 2 + size + 2);
    }
  }
  std::lock_guard lock(mutex_);
  closed_ = true;
  changed_.notify_all();
}

void SseClient::feed(const std::string& text) {
  std::lock_guard lock(mutex_);
  lineBuffer_ += text;
  for (std::size_t nl; (nl = lineBuffer_.find('\n')) != std::string::npos;) {
    const std::string line = lineBuffer_.substr(0, nl);
    lineBuffer_.erase(0, nl + 1);
    if (line.empty()) {
      if (!current_.data.empty() || current_.comment) {
        current_.body = json::parse(current_.data, nullptr, false);
        if (current_.body.is_discarded()) current_.body = nullptr;
        messages_.push_back(std::move(current_));
      }
      current_ = SseMessage{};
    } else if (line[0] == ':') {
      current_.comment = true;
      current_.data = line.substr(1);
    } else if (line.rfind("data: ", 0) == 0) {
      current_.data += line.substr(6);
    } else if (line.rfind("id: ", 0) == 0) {
      current_.id = line.substr(4);
    } else if (line.rfind("event: ", 0) == 0) {
      current_.event = line.substr(7);
    }
  }
  changed_.notify_all();
}

int SseClient::status() {
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, std::chrono::seconds(10), [&] { return status_ != 0 || closed_; });
  return status_;
}

bool SseClient::waitFor(const std::function<bool(const std::vector<SseMessage>&)>& pred,
                        std::chrono::milliseconds timeout, bool withComments) {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] {
    if (withComments) return pred(messages_);
    std::vector<SseMessage> events;
    for (const SseMessage& m : messages_)
      if (!m.comment) events.push_back(m);
    return pred(events);
  });
}

bool SseClient::waitClosed(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return closed_; });
}

std::vector<SseMessage> SseClient::events() {
  std::lock_guard lock(mutex_);
  std::vector<SseMessage> out;
  for (const SseMessage& m : messages_)
    if (!m.comment) out.push_back(m);
  return out;
}

std::vector<SseMessage> SseClient::all() {
  std::lock_guard lock(mutex_);
  return messages_;
}

// ---- WsClient --------------------------------------------------------------------------------------

struct WsClient::Impl {
  asio::io_context ioc;
  websocket::stream<asio::ip::tcp::socket> ws{ioc};
  beast::flat_buffer buffer;
  std::deque<std::string> outbox;
  bool writing = false;
  std::thread thread;
  std::mutex mutex;
  std::condition_variable changed;
  WsResult result;
  bool closed = false;

  void read() {
    ws.async_read(buffer, [this](beast::error_code ec, std::size_t) {
      if (ec) {
        std::lock_guard lock(mutex);
        if (ws.reason().code != websocket::close_code::none || ec == websocket::error::closed) {
          result.closeCode = static_cast<int>(ws.reason().code);
          result.closeReason = std::string(ws.reason().reason.c_str());
        }
        closed = true;
        changed.notify_all();
        return;
      }
      {
        std::lock_guard lock(mutex);
        json message = json::parse(beast::buffers_to_string(buffer.data()), nullptr, false);
        result.messages.push_back(message.is_discarded() ? json(nullptr) : message);
        changed.notify_all();
      }
      buffer.consume(buffer.size());
      read();
    });
  }

  void write() {
    if (writing || outbox.empty()) return;
    writing = true;
    ws.async_write(asio::buffer(outbox.front()), [this](beast::error_code, std::size_t) {
      writing = false;
      outbox.pop_front();
      write();
    });
  }
};

WsClient::WsClient(int port, const std::string& target, std::map<std::string, std::string> headers)
    : impl_(std::make_unique<Impl>()) {
  asio::ip::tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port));
  impl_->ws.next_layer().connect(endpoint);
  impl_->ws.set_option(websocket::stream_base::decorator([headers](websocket::request_type& req) {
    for (const auto& [name, value] : headers) req.set(name, value);
  }));
  websocket::response_type response;
  beast::error_code ec;
  impl_->ws.handshake(response, "127.0.0.1:" + std::to_string(port), target, ec);
  if (ec)
    throw std::runtime_error("WebSocket upgrade refused: HTTP " + std::to_string(response.result_int()) + " " +
                             response.body());
  impl_->read();
  impl_->thread = std::thread([this] { impl_->ioc.run(); });
}

WsClient::~WsClient() {
  impl_->ioc.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

void WsClient::send(const json& message) {
  asio::post(impl_->ioc, [impl = impl_.get(), text = message.dump()] {
    impl->outbox.push_back(text);
    impl->write();
  });
}

bool WsClient::waitFor(const std::function<bool(const std::vector<json>&)>& pred, std::chrono::milliseconds timeout) {
  std::unique_lock lock(impl_->mutex);
  return impl_->changed.wait_for(lock, timeout, [&] { return pred(impl_->result.messages); });
}

bool WsClient::waitClosed(std::chrono::milliseconds timeout) {
  std::unique_lock lock(impl_->mutex);
  return impl_->changed.wait_for(lock, timeout, [&] { return impl_->closed; });
}

WsResult WsClient::snapshot() {
  std::lock_guard lock(impl_->mutex);
  return impl_->result;
}

std::vector<std::string> typesOf(const std::vector<json>& messages, const std::vector<std::string>& skip) {
  std::vector<std::string> out;
  for (const json& m : messages) {
    if (!m.is_object()) continue;
    const std::string type = m.value("type", "");
    if (std::find(skip.begin(), skip.end(), type) == skip.end()) out.push_back(type);
  }
  return out;
}

std::vector<std::string> typesOf(const std::vector<SseMessage>& messages) {
  std::vector<std::string> out;
  for (const SseMessage& m : messages)
    if (!m.comment) out.push_back(m.type());
  return out;
}

}  // namespace spooled::test
