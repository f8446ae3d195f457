#include "server/http/request_head_reader.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <memory>

namespace spooled::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

HeadStep rejected(std::string reason) { return HeadStep{HeadStep::Kind::Rejected, 0, std::move(reason)}; }

std::string_view bufferedBytes(const beast::flat_buffer& buffer) {
  const auto data = buffer.data();
  return {static_cast<const char*>(data.data()), data.size()};
}

// One read of a head: owns the scan state between reads, and itself through the pending read.
class HeadRead : public std::enable_shared_from_this<HeadRead> {
 public:
  HeadRead(beast::tcp_stream& stream, beast::flat_buffer& buffer, RequestParser& parser, HeadHandler handler)
      : stream_(stream), buffer_(buffer), parser_(parser), handler_(std::move(handler)) {}

  void step() {
    HeadStep step = feedRequestHead(parser_, bufferedBytes(buffer_), scan_);
    if (step.kind != HeadStep::Kind::NeedMore) {
      if (step.kind == HeadStep::Kind::Ready) buffer_.consume(step.used);
      return handler_({}, std::move(step));
    }
    // Bounded: a head that does not end within kMaxRequestHeadBytes is rejected by the next step.
    stream_.async_read_some(buffer_.prepare(kReadSize), [self = shared_from_this()](beast::error_code ec, std::size_t n) {
      self->buffer_.commit(n);
      if (ec) return self->handler_(ec, HeadStep{});
      self->step();
    });
  }

 private:
  static constexpr std::size_t kReadSize = 4096;

  beast::tcp_stream& stream_;
  beast::flat_buffer& buffer_;
  RequestParser& parser_;
  HeadHandler handler_;
  HeadScan scan_;
};

}  // namespace

HeadStep feedRequestHead(RequestParser& parser, std::string_view buffered, HeadScan& scan) {
  scanRequestHead(buffered, scan);
  if (scan.error) return rejected(*scan.error);
  if (!scan.headEnd) {
    if (buffered.size() >= kMaxRequestHeadBytes)
      return rejected("The request head exceeds " + std::to_string(kMaxRequestHeadBytes) + " bytes");
    return {};
  }
  if (*scan.headEnd > kMaxRequestHeadBytes)
    return rejected("The request head exceeds " + std::to_string(kMaxRequestHeadBytes) + " bytes");

  // Only the head's bytes: the parser stops there, and the body is read after the checks below.
  beast::error_code ec;
  const std::size_t used = parser.put(asio::buffer(buffered.data(), *scan.headEnd), ec);
  if (ec == http::error::body_limit) return HeadStep{HeadStep::Kind::BodyTooLarge, 0, {}};
  if (ec) return rejected("Malformed HTTP request: " + ec.message());
  if (!parser.is_header_done() || used != *scan.headEnd) return rejected("Malformed HTTP request head");

  auto& message = parser.get();
  RequestHead head;
  head.version = message.version();
  head.method = message.method_string();
  head.target = message.target();
  for (const auto& field : message) head.fields.emplace_back(field.name_string(), field.value());
  if (auto error = checkRequestFraming(head)) return rejected(std::move(*error));

  if (head.target.front() != '/' && head.target != "*") message.target(originFormOf(head.target));
  return HeadStep{HeadStep::Kind::Ready, used, {}};
}

void asyncReadRequestHead(beast::tcp_stream& stream, beast::flat_buffer& buffer, RequestParser& parser,
                          HeadHandler handler) {
  parser.header_limit(static_cast<std::uint32_t>(kMaxRequestHeadBytes));
  std::make_shared<HeadRead>(stream, buffer, parser, std::move(handler))->step();
}

}  // namespace spooled::server
