#include "server/http/http_types.hpp"

#include "common/error_code.hpp"

namespace spooled::server {

namespace {

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string percentDecode(std::string_view text, bool plusIsSpace) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%' && i + 2 < text.size()) {
      const int hi = hexValue(text[i + 1]);
      const int lo = hexValue(text[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(plusIsSpace && c == '+' ? ' ' : c);
  }
  return out;
}

void HttpRequest::setTarget(std::string rawTarget) {
  target = std::move(rawTarget);
  const auto q = target.find('?');
  path = percentDecode(std::string_view(target).substr(0, q), false);
  query.clear();
  if (q == std::string::npos) return;
  std::string_view rest = std::string_view(target).substr(q + 1);
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    const std::string key = percentDecode(pair.substr(0, eq), true);
    const std::string value = eq == std::string_view::npos ? std::string{} : percentDecode(pair.substr(eq + 1), true);
    query[key] = value;
  }
}

std::optional<std::string> HttpRequest::header(const std::string& lowerCaseName) const {
  const auto it = headers.find(lowerCaseName);
  if (it == headers.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> HttpRequest::queryParam(const std::string& name) const {
  const auto it = query.find(name);
  if (it == query.end()) return std::nullopt;
  return it->second;
}

const AuthContext& HttpRequest::authContext() const {
  if (!auth) throw ApiError(ErrorCode::Unauthorized, "Missing or invalid Authorization header");
  return *auth;
}

HttpResponse HttpResponse::json(int status, const spooled::json& body) {
  HttpResponse r;
  r.status = status;
  // Replace invalid UTF-8 instead of throwing: a stored string must never make a response fail.
  r.body = body.dump(-1, ' ', false, spooled::json::error_handler_t::replace);
  return r;
}

HttpResponse HttpResponse::empty(int status) {
  HttpResponse r;
  r.status = status;
  r.contentType.clear();
  return r;
}

}  // namespace spooled::server
