#pragma once
// Outgoing webhook targets: the URL a webhook may name, and which addresses a delivery may reach.
// Loopback, private, link-local, carrier-grade NAT, multicast and reserved addresses are refused
// unless the operator allows them (--webhook-allow-private): a webhook must not be a way to reach the
// server's own network. The check applies to the address actually connected to, after DNS.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace spooled::server {

struct WebhookUrl {
  std::string scheme;  // "http" | "https"
  std::string host;    // without brackets for IPv6
  std::uint16_t port = 0;
  std::string target;  // path and query, at least "/"
};

// nullopt when the text is not an absolute http(s) URL with a host (no user info, no fragment).
std::optional<WebhookUrl> parseWebhookUrl(std::string_view text);

// True for an IP address (textual form, v4 or v6) a webhook may not reach without the flag.
bool isNonPublicAddress(const std::string& ip);
// True when host is an IP literal that isNonPublicAddress refuses; names are judged after resolution.
bool isNonPublicLiteral(const std::string& host);

}  // namespace spooled::server
