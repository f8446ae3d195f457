#include "server/http/request_framing.hpp"

#include <algorithm>

namespace spooled::server {

namespace {

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return lower(x) == lower(y); });
}

bool istartsWith(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

std::string_view trimOws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isHex(char c) { return isDigit(c) || (lower(c) >= 'a' && lower(c) <= 'f'); }
bool isControl(char c) { return (static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f; }

// A field name goes into an error message only when it is plain printable ASCII (the body is JSON).
std::string quotedName(std::string_view name) {
  const bool printable = !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
    return c > 0x20 && c < 0x7f && c != '"' && c != '\\';
  });
  return printable ? std::string(name) : std::string("a header");
}

// "http://authority..." or "https://authority...", authority non-empty: the absolute-form RFC 9112 §3.2.2
// says a server must accept.
std::optional<std::size_t> absoluteFormPathStart(std::string_view target) {
  std::size_t schemeEnd;
  if (istartsWith(target, "http://")) {
    schemeEnd = 7;
  } else if (istartsWith(target, "https://")) {
    schemeEnd = 8;
  } else {
    return std::nullopt;
  }
  const std::size_t authorityEnd = std::min(target.find_first_of("/?", schemeEnd), target.size());
  if (authorityEnd == schemeEnd) return std::nullopt;
  return authorityEnd;
}

std::optional<std::string> checkTarget(std::string_view method, std::string_view target) {
  if (target.empty()) return "The request target is empty";
  if (target == "*") {
    if (method != "OPTIONS") return std::string("The request target * is only valid for OPTIONS");
    return std::nullopt;
  }
  if (target.front() != '/' && !absoluteFormPathStart(target))
    return std::string("The request target must be a path starting with / (or an absolute http:// URL)");
  for (std::size_t i = 0; i < target.size(); ++i) {
    const char c = target[i];
    if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f)
      return std::string("The request target must be ASCII without spaces or control characters; percent-encode other bytes");
    if (c == '#') return std::string("The request target must not contain a fragment (#)");
    if (c == '\\') return std::string("The request target must not contain a backslash");
    if (c == '%') {
      if (i + 2 >= target.size() || !isHex(target[i + 1]) || !isHex(target[i + 2]))
        return std::string("The request target has a malformed percent-escape; % must be followed by two hex digits");
      if (target[i + 1] == '0' && target[i + 2] == '0') return std::string("The request target must not contain %00");
    }
  }
  return std::nullopt;
}

// uri-host [ ":" port ], or empty (RFC 9112 §3.2); a loose check that keeps out what could confuse a log
// reader or a proxy: whitespace, '/', '@', '\', quotes, controls.
bool isValidHost(std::string_view host) {
  static constexpr std::string_view kAllowed = "-._~%!$&'()*+,;=:[]";
  return std::all_of(host.begin(), host.end(), [](char c) {
    return isDigit(c) || (lower(c) >= 'a' && lower(c) <= 'z') || kAllowed.find(c) != std::string_view::npos;
  });
}

std::optional<std::string> checkBodyFraming(const RequestHead& head, const std::vector<std::string_view>& transferEncodings,
                                            const std::vector<std::string_view>& contentLengths) {
  if (!transferEncodings.empty()) {
    if (head.version < 11) return std::string("Transfer-Encoding is not allowed in an HTTP/1.0 request");
    if (!contentLengths.empty())
      return std::string("A request must not have both Transfer-Encoding and Content-Length");
    // One line, exactly "chunked": a proxy that reads only the first of two lines, or skips empty list
    // elements differently, would frame the body otherwise.
    if (transferEncodings.size() > 1)
      return std::string("A request must not have more than one Transfer-Encoding header");
    const std::string_view value = trimOws(transferEncodings.front());
    if (!iequals(value, "chunked")) {
      const auto comma = value.rfind(',');
      const std::string_view last = trimOws(comma == std::string_view::npos ? value : value.substr(comma + 1));
      if (!iequals(last, "chunked"))
        return std::string(
            "Transfer-Encoding must end with chunked; the body length cannot be determined (RFC 9112 6.1)");
      return std::string("Only the chunked transfer coding is supported: Transfer-Encoding must be exactly chunked");
    }
  }
  if (contentLengths.size() > 1) return std::string("A request must not have more than one Content-Length");
  if (contentLengths.size() == 1) {
    const std::string_view value = contentLengths.front();
    if (value.empty() || !std::all_of(value.begin(), value.end(), isDigit))
      return std::string("Content-Length must be a decimal number of bytes");
  }
  return std::nullopt;
}

}  // namespace

void scanRequestHead(std::string_view b, HeadScan& scan) {
  if (scan.error || scan.headEnd) return;
  std::size_t i = scan.scanned;
  for (; i < b.size(); ++i) {
    const char c = b[i];
    if (c == '\0') {
      scan.error = "NUL byte in the request head";
      return;
    }
    if (c == '\r') {
      if (i + 1 == b.size()) break;  // the next byte decides
      if (b[i + 1] != '\n') {
        scan.error = "CR not followed by LF in the request head";
        return;
      }
      continue;
    }
    if (c != '\n') continue;
    if (i == 0 || b[i - 1] != '\r') {
      scan.error = "Bare LF in the request head: lines must end with CRLF";
      return;
    }
    if (i >= 3 && b[i - 2] == '\n' && b[i - 3] == '\r') {
      scan.headEnd = i + 1;
      scan.scanned = i + 1;
      return;
    }
    if (i + 1 == b.size()) break;  // the first byte of the next line decides
    if (b[i + 1] == ' ' || b[i + 1] == '\t') {
      scan.error = "A header line starts with whitespace: line folding (obs-fold) is not accepted";
      return;
    }
  }
  scan.scanned = i;
}

std::optional<std::string> checkRequestFraming(const RequestHead& head) {
  if (head.version != 10 && head.version != 11)
    return "HTTP version " + std::to_string(head.version / 10) + "." + std::to_string(head.version % 10) +
           " is not supported; use HTTP/1.1";
  if (auto error = checkTarget(head.method, head.target)) return error;

  std::vector<std::string_view> transferEncodings;
  std::vector<std::string_view> contentLengths;
  std::size_t hosts = 0;
  for (const auto& [name, value] : head.fields) {
    if (std::any_of(value.begin(), value.end(), isControl))
      return "Header " + quotedName(name) + " contains a control character";
    if (iequals(name, "transfer-encoding")) {
      transferEncodings.push_back(value);
    } else if (iequals(name, "content-length")) {
      contentLengths.push_back(trimOws(value));
    } else if (iequals(name, "host")) {
      if (++hosts > 1) return std::string("A request must not have more than one Host header");
      if (!isValidHost(trimOws(value))) return std::string("The Host header is not a valid host[:port]");
    }
  }
  if (hosts == 0 && head.version == 11)
    return std::string("An HTTP/1.1 request must have a Host header (RFC 9112 3.2)");
  return checkBodyFraming(head, transferEncodings, contentLengths);
}

std::string originFormOf(std::string_view target) {
  if (target.empty() || target.front() == '/' || target == "*") return std::string(target);
  const auto pathStart = absoluteFormPathStart(target);
  if (!pathStart) return std::string(target);
  const std::string_view rest = target.substr(*pathStart);
  if (rest.empty()) return "/";
  if (rest.front() == '?') return "/" + std::string(rest);
  return std::string(rest);
}

}  // namespace spooled::server
