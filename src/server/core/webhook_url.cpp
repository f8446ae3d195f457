#include "server/core/webhook_url.hpp"

#include <arpa/inet.h>

#include <array>
#include <cctype>
#include <charconv>

namespace spooled::server {

namespace {

bool v4NonPublic(const std::array<std::uint8_t, 4>& a) {
  const std::uint8_t b0 = a[0], b1 = a[1];
  return b0 == 0 || b0 == 10 || b0 == 127 || b0 >= 224 ||        // this network, private, loopback, multicast/reserved
         (b0 == 100 && b1 >= 64 && b1 <= 127) ||                  // carrier-grade NAT
         (b0 == 169 && b1 == 254) ||                              // link-local (cloud metadata)
         (b0 == 172 && b1 >= 16 && b1 <= 31) || (b0 == 192 && b1 == 168) ||
         (b0 == 192 && b1 == 0 && a[2] == 0) ||                   // IETF protocol assignments
         (b0 == 198 && (b1 == 18 || b1 == 19));                   // benchmarking
}

bool v6NonPublic(const std::array<std::uint8_t, 16>& a) {
  bool allZeroFirst10 = true;
  for (int i = 0; i < 10; ++i) allZeroFirst10 = allZeroFirst10 && a[i] == 0;
  if (allZeroFirst10 && a[10] == 0xff && a[11] == 0xff) return v4NonPublic({a[12], a[13], a[14], a[15]});  // v4-mapped
  bool allZeroFirst15 = allZeroFirst10 && a[10] == 0 && a[11] == 0 && a[12] == 0 && a[13] == 0 && a[14] == 0;
  if (allZeroFirst15 && (a[15] == 0 || a[15] == 1)) return true;  // :: and ::1
  if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) return true;         // fe80::/10 link-local
  if ((a[0] & 0xfe) == 0xfc) return true;                         // fc00::/7 unique local
  if (a[0] == 0xff) return true;                                  // multicast
  if (a[0] == 0x00 && a[1] == 0x64 && a[2] == 0xff && a[3] == 0x9b)  // 64:ff9b::/96 NAT64: the v4 inside
    return v4NonPublic({a[12], a[13], a[14], a[15]});
  return false;
}

}  // namespace

bool isNonPublicAddress(const std::string& ip) {
  std::array<std::uint8_t, 4> v4{};
  if (inet_pton(AF_INET, ip.c_str(), v4.data()) == 1) return v4NonPublic(v4);
  std::array<std::uint8_t, 16> v6{};
  if (inet_pton(AF_INET6, ip.c_str(), v6.data()) == 1) return v6NonPublic(v6);
  return false;
}

bool isNonPublicLiteral(const std::string& host) { return isNonPublicAddress(host); }

std::optional<WebhookUrl> parseWebhookUrl(std::string_view text) {
  WebhookUrl url;
  const std::size_t schemeEnd = text.find("://");
  if (schemeEnd == std::string_view::npos) return std::nullopt;
  for (char c : text.substr(0, schemeEnd)) url.scheme += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (url.scheme != "http" && url.scheme != "https") return std::nullopt;
  std::string_view rest = text.substr(schemeEnd + 3);
  for (char c : text)
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f || c == '#') return std::nullopt;
  const std::size_t authorityEnd = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, authorityEnd);
  url.target = authorityEnd == std::string_view::npos ? "/" : std::string(rest.substr(authorityEnd));
  if (!url.target.empty() && url.target[0] == '?') url.target = "/" + url.target;
  if (authority.empty() || authority.find('@') != std::string_view::npos) return std::nullopt;
  std::string_view portText;
  if (authority[0] == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    url.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return std::nullopt;
      portText = after.substr(1);
    }
  } else {
    const std::size_t colon = authority.rfind(':');
    url.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) portText = authority.substr(colon + 1);
  }
  if (url.host.empty()) return std::nullopt;
  url.port = url.scheme == "https" ? 443 : 80;
  if (!portText.empty()) {
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(portText.data(), portText.data() + portText.size(), value);
    if (ec != std::errc() || end != portText.data() + portText.size() || value == 0 || value > 65535) return std::nullopt;
    url.port = static_cast<std::uint16_t>(value);
  }
  return url;
}

}  // namespace spooled::server
