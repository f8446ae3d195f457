#pragma once
// HMAC-SHA256 for verifying webhook signatures in the SDK, self-contained: the installed library
// depends on libcurl only, not on a crypto library.
#include <string>
#include <string_view>

namespace spooled::detail {

std::string hmacSha256Hex(std::string_view key, std::string_view data);

}  // namespace spooled::detail
