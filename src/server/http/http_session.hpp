#pragma once
// One HTTP/1.1 connection: read a request, run its handler, write the answer back on the
// connection's strand, repeat while keep-alive holds. Internal to http/ (includes Beast); only
// listener.cpp and http_server.cpp include it.
#include <atomic>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "server/http/request_dispatcher.hpp"
#include "server/http/request_head_reader.hpp"

namespace spooled::server {

// A connection the hub counts and drains: an HTTP session, or the event stream or WebSocket it became.
class HubMember {
 public:
  virtual ~HubMember() = default;
  // Called on drain from any thread: close now if idle, else after the answer in flight; a stream ends.
  virtual void closeWhenIdle() = 0;
};

// What every session of one server shares. Thread-safe.
class SessionHub {
 public:
  SessionHub(const RequestDispatcher& dispatcher, std::chrono::seconds idleTimeout, std::size_t bodyLimit,
             std::chrono::milliseconds streamKeepAlive = std::chrono::seconds(15))
      : dispatcher_(dispatcher), idleTimeout_(idleTimeout), bodyLimit_(bodyLimit), streamKeepAlive_(streamKeepAlive) {}

  const RequestDispatcher& dispatcher() const { return dispatcher_; }
  std::chrono::seconds idleTimeout() const { return idleTimeout_; }
  std::size_t bodyLimit() const { return bodyLimit_; }
  // Quiet time after which an event stream or WebSocket sends a keep-alive.
  std::chrono::milliseconds streamKeepAlive() const { return streamKeepAlive_; }
  bool stopping() const { return stopping_.load(); }

  void add(const std::shared_ptr<HubMember>& session);
  // Connections open now (what --max-connections caps).
  std::size_t size();
  void remove(const HubMember* session);
  // Refuses new work, closes idle connections, and lets busy ones close after their response.
  void beginDrain();
  // Waits until every session has closed or the deadline passes; true when all closed.
  bool waitUntilEmpty(std::chrono::steady_clock::time_point deadline);

 private:
  const RequestDispatcher& dispatcher_;
  const std::chrono::seconds idleTimeout_;
  const std::size_t bodyLimit_;
  const std::chrono::milliseconds streamKeepAlive_;
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;
  std::condition_variable emptied_;
  std::unordered_map<const HubMember*, std::weak_ptr<HubMember>> sessions_;
};

class HttpSession : public HubMember, public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(boost::asio::ip::tcp::socket&& socket, SessionHub& hub);
  ~HttpSession() override;

  void start();
  void closeWhenIdle() override;

 private:
  using Request = boost::beast::http::request<boost::beast::http::string_body>;
  using Response = boost::beast::http::response<boost::beast::http::string_body>;

  void readRequest();
  void onHead(boost::beast::error_code ec, HeadStep head);
  void onRead(boost::beast::error_code ec, std::size_t bytes);
  void handOff(Request&& request);
  void writeResponse(struct HttpResponse&& response, bool keepAlive, unsigned version);
  // Hands the connection to an event stream or WebSocket session; this session then ends.
  void handOverToStream(struct HttpResponse&& response, unsigned version);
  void onWrite(bool close, boost::beast::error_code ec, std::size_t bytes);
  void shutdown();

  boost::beast::tcp_stream stream_;
  boost::asio::any_io_executor executor_;  // the connection's strand; still valid after a hand-over
  boost::beast::flat_buffer buffer_;
  SessionHub& hub_;
  std::optional<Request> upgradeRequest_;  // a WebSocket upgrade's request, kept for the handshake
  bool handedOver_ = false;                // strand only
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  std::shared_ptr<Response> response_;  // kept alive until its write completes
  bool busy_ = false;                   // a request is being handled or answered (strand only)
  bool closeAfterResponse_ = false;     // strand only
};

}  // namespace spooled::server
