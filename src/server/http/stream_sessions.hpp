#pragma once
// The connections a request turns into when its handler answers with a ResponseStream: a Server-Sent
// Events body (chunked, one chunk per batch of events) or a WebSocket. Both run on the connection's
// strand, hold no thread while idle, send keep-alives after SessionHub::streamKeepAlive of quiet, close
// a peer that stops taking bytes (a write pending for kStreamWriteTimeout), and end on drain. Internal
// to http/ (Beast).
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "server/http/http_session.hpp"

namespace spooled::server {

inline constexpr std::chrono::seconds kStreamWriteTimeout{30};
inline constexpr int kStreamSendBuffer = 64 * 1024;  // SO_SNDBUF of a stream's socket

void startEventStreamSession(boost::beast::tcp_stream&& stream, SessionHub& hub, std::shared_ptr<ResponseStream> source,
                             std::vector<std::pair<std::string, std::string>> headers, unsigned version);

void startWebSocketSession(boost::beast::tcp_stream&& stream, SessionHub& hub, std::shared_ptr<ResponseStream> source,
                           boost::beast::http::request<boost::beast::http::string_body>&& upgrade);

}  // namespace spooled::server
