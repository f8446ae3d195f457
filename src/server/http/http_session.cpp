#include "server/http/http_session.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <cctype>

#include "server/http/error_response.hpp"
#include "server/http/stream_sessions.hpp"

namespace spooled::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

// ---- SessionHub ----------------------------------------------------------------------------------

void SessionHub::add(const std::shared_ptr<HubMember>& session) {
  std::lock_guard lock(mutex_);
  sessions_[session.get()] = session;
}

std::size_t SessionHub::size() {
  std::lock_guard lock(mutex_);
  return sessions_.size();
}

void SessionHub::remove(const HubMember* session) {
  std::lock_guard lock(mutex_);
  sessions_.erase(session);
  if (sessions_.empty()) emptied_.notify_all();
}

void SessionHub::beginDrain() {
  stopping_.store(true);
  std::vector<std::shared_ptr<HubMember>> live;
  {
    std::lock_guard lock(mutex_);
    for (auto& [ptr, weak] : sessions_)
      if (auto s = weak.lock()) live.push_back(std::move(s));
  }
  for (auto& s : live) s->closeWhenIdle();
}

bool SessionHub::waitUntilEmpty(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  return emptied_.wait_until(lock, deadline, [&] { return sessions_.empty(); });
}

// ---- HttpSession ---------------------------------------------------------------------------------

HttpSession::HttpSession(asio::ip::tcp::socket&& socket, SessionHub& hub)
    : stream_(std::move(socket)), executor_(stream_.get_executor()), hub_(hub) {}

HttpSession::~HttpSession() { hub_.remove(this); }

void HttpSession::start() {
  asio::dispatch(stream_.get_executor(), beast::bind_front_handler(&HttpSession::readRequest, shared_from_this()));
}

void HttpSession::closeWhenIdle() {
  asio::post(executor_, [self = shared_from_this()] {
    if (self->handedOver_) return;
    if (self->busy_) {
      self->closeAfterResponse_ = true;
    } else {
      // Aborts the pending read; onRead then lets the session end.
      self->stream_.cancel();
    }
  });
}

void HttpSession::readRequest() {
  if (hub_.stopping()) return shutdown();
  parser_.emplace();
  // Larger than the 1 MiB payload limit, so an oversized payload reaches validation and gets a JSON
  // 413 rather than a dropped connection; a body beyond even this gets the same 413 from onRead.
  parser_->body_limit(hub_.bodyLimit());
  stream_.expires_after(hub_.idleTimeout());
  // The head first, with the framing checks (request_framing.hpp); the body only once they pass.
  asyncReadRequestHead(stream_, buffer_, *parser_, beast::bind_front_handler(&HttpSession::onHead, shared_from_this()));
}

void HttpSession::onHead(beast::error_code ec, HeadStep head) {
  if (ec) return onRead(ec, 0);
  if (head.kind == HeadStep::Kind::BodyTooLarge) return onRead(http::error::body_limit, 0);
  if (head.kind == HeadStep::Kind::Rejected) {
    // The connection closes after the answer: its remaining bytes have no trustworthy boundary.
    spdlog::debug("refused a request: {}", head.reason);
    busy_ = true;
    return writeResponse(errorResponse(ErrorCode::BadRequest, head.reason), false, 11);
  }
  http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&HttpSession::onRead, shared_from_this()));
}

void HttpSession::onRead(beast::error_code ec, std::size_t) {
  if (ec == http::error::end_of_stream || ec == beast::error::timeout || ec == asio::error::operation_aborted)
    return shutdown();
  if (ec == http::error::body_limit) {
    busy_ = true;
    const unsigned version = parser_->get().version();
    return writeResponse(errorResponse(ErrorCode::PayloadTooLarge, "Request body exceeds " +
                                                                       std::to_string(hub_.bodyLimit()) + " bytes"),
                         false, version);
  }
  if (ec) {
    // Bytes that are not HTTP get a 400 and the connection closes; socket errors just close.
    if (ec.category() == http::make_error_code(http::error::bad_method).category()) {
      busy_ = true;
      return writeResponse(errorResponse(ErrorCode::BadRequest, "Malformed HTTP request: " + ec.message()), false, 11);
    }
    return shutdown();
  }
  handOff(parser_->release());
}

void HttpSession::handOff(Request&& req) {
  busy_ = true;
  const bool keepAlive = req.keep_alive();
  const unsigned version = req.version();

  HttpRequest request;
  request.method = std::string(req.method_string());
  request.setTarget(std::string(req.target()));
  for (const auto& field : req) {
    std::string name(field.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    request.headers[std::move(name)] = std::string(field.value());
  }
  request.body = std::move(req.body());
  if (beast::websocket::is_upgrade(req)) {
    upgradeRequest_.emplace(std::move(req));
  } else {
    upgradeRequest_.reset();
  }

  // The handler starts here, on the connection's strand: it never blocks (a read of the store takes
  // microseconds, and at most the read bound), and when it waits for a commit or a job it suspends,
  // to resume on whichever pool thread the commit wakes. Its answer is written from that thread when
  // the strand is free (dispatch), without another hand-off.
  stream_.expires_never();
  hub_.dispatcher().dispatch(std::move(request), [self = shared_from_this(), keepAlive, version](HttpResponse response) {
    asio::dispatch(self->executor_, [self, response = std::move(response), keepAlive, version]() mutable {
      if (response.stream) return self->handOverToStream(std::move(response), version);
      self->writeResponse(std::move(response), keepAlive, version);
    });
  });
}

void HttpSession::writeResponse(HttpResponse&& response, bool keepAlive, unsigned version) {
  response_ = std::make_shared<Response>(static_cast<http::status>(response.status), version);
  response_->set(http::field::server, "spooled-server");
  if (!response.contentType.empty()) response_->set(http::field::content_type, response.contentType);
  for (const auto& [name, value] : response.headers) response_->set(name, value);
  response_->body() = std::move(response.body);
  response_->keep_alive(keepAlive && !closeAfterResponse_ && !hub_.stopping());
  response_->prepare_payload();

  stream_.expires_after(hub_.idleTimeout());
  http::async_write(stream_, *response_,
                    beast::bind_front_handler(&HttpSession::onWrite, shared_from_this(), response_->need_eof()));
}

void HttpSession::handOverToStream(HttpResponse&& response, unsigned version) {
  std::shared_ptr<ResponseStream> source = std::move(response.stream);
  if (hub_.stopping()) {
    source->stop();
    return writeResponse(errorResponse(ErrorCode::Unavailable, "Server is shutting down"), false, version);
  }
  if (source->kind() == ResponseStream::Kind::WebSocket && !upgradeRequest_) {
    source->stop();
    return writeResponse(errorResponse(ErrorCode::BadRequest, "This route needs a WebSocket upgrade request"), false,
                         version);
  }
  handedOver_ = true;
  busy_ = false;
  // The new session is counted before this one stops counting, so a drain never sees zero between.
  if (source->kind() == ResponseStream::Kind::WebSocket) {
    startWebSocketSession(std::move(stream_), hub_, std::move(source), std::move(*upgradeRequest_));
  } else {
    startEventStreamSession(std::move(stream_), hub_, std::move(source), std::move(response.headers), version);
  }
}

void HttpSession::onWrite(bool close, beast::error_code ec, std::size_t) {
  busy_ = false;
  response_.reset();
  if (ec || close || closeAfterResponse_) return shutdown();
  readRequest();
}

void HttpSession::shutdown() {
  beast::error_code ignored;
  stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
}

}  // namespace spooled::server
