#pragma once
// Reads a request's head with the framing checks of request_framing.hpp in front of Beast's parser:
// the raw bytes are scanned as they arrive, Beast parses the head only once it is complete, and the
// parsed head is checked before a single body byte is read. So a request whose length is ambiguous
// never reaches a handler, and its body is never run as the next request. Internal to http/.
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "server/http/request_framing.hpp"

namespace spooled::server {

using RequestParser = boost::beast::http::request_parser<boost::beast::http::string_body>;

struct HeadStep {
  enum class Kind {
    NeedMore,     // the head is not complete yet
    Ready,        // the parser holds an accepted head; `used` bytes of the buffer were its head
    Rejected,     // answer 400 with `reason`, then close
    BodyTooLarge  // Content-Length beyond the parser's body limit: answer 413, then close
  };
  Kind kind = Kind::NeedMore;
  std::size_t used = 0;
  std::string reason;
};

// One synchronous step over what is buffered (the whole unconsumed buffer, from the head's first byte).
// `scan` carries progress between the calls for one request. The parser must be fresh, with its
// header limit at least kMaxRequestHeadBytes. An absolute-form target is rewritten to origin-form.
HeadStep feedRequestHead(RequestParser& parser, std::string_view buffered, HeadScan& scan);

// Reads from the stream until feedRequestHead decides, then calls handler on the stream's executor with
// a socket error (end of stream, timeout, ...) or the final step. On Ready the head's bytes are consumed
// from buffer; what follows (body, pipelined requests) stays in it. stream, buffer and parser must
// outlive the operation (the handler should own their owner).
using HeadHandler = std::function<void(boost::beast::error_code, HeadStep)>;
void asyncReadRequestHead(boost::beast::tcp_stream& stream, boost::beast::flat_buffer& buffer, RequestParser& parser,
                          HeadHandler handler);

}  // namespace spooled::server
