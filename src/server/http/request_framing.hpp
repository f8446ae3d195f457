#pragma once
// The framing rules of an HTTP/1.x request (RFC 9112), checked before any body byte is read. A
// message whose length two parsers could read differently is how requests are smuggled past a
// proxy, so every ambiguous one is refused (400, then the connection closes) instead of guessed at.
// Pure functions over bytes and parsed fields: unit- and fuzz-tested without a socket or Beast.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace spooled::server {

// The largest request head (request line and header fields) the server reads.
inline constexpr std::size_t kMaxRequestHeadBytes = 8 * 1024;

// Progress of scanRequestHead over a buffer that only grows until the head is complete.
struct HeadScan {
  std::size_t scanned = 0;                     // bytes already checked; the next scan resumes here
  std::optional<std::size_t> headEnd;          // one past the blank line that ends the head, once seen
  std::optional<std::string> error;            // why the bytes cannot be a request head
};

// Checks the raw bytes of a request head as they arrive, before any parser reads them: every line
// ends in CRLF (no bare LF or CR), no NUL, no line folding (a line that starts with SP or HTAB).
// Beast would join folded lines and wait forever for a CRLF that a bare-LF client never sends.
void scanRequestHead(std::string_view buffered, HeadScan& scan);

// A parsed request head, as received: fields in order with duplicates kept.
struct RequestHead {
  unsigned version = 11;  // 10 for HTTP/1.0, 11 for HTTP/1.1
  std::string_view method;
  std::string_view target;
  std::vector<std::pair<std::string_view, std::string_view>> fields;
};

// The framing rules, each refused with a reason a client developer can act on:
// Transfer-Encoding must be one line of exactly `chunked` (RFC 9112 §6.1; no other coding is
// supported), never with Content-Length and never on HTTP/1.0; Content-Length appears at most once and is plain decimal
// digits; field values hold no control characters; HTTP/1.1 needs exactly one Host; the version is
// 1.0 or 1.1; the target is origin-form ("/path?query"), absolute-form ("http://host/path") or "*"
// for OPTIONS, ASCII, without a fragment or a malformed or NUL percent-escape.
std::optional<std::string> checkRequestFraming(const RequestHead& head);

// The origin-form of an accepted target: "http://host:1/a?b" -> "/a?b"; origin-form is returned as is.
std::string originFormOf(std::string_view target);

}  // namespace spooled::server
