#include "server/auth/api_key_format.hpp"

#include "common/ids.hpp"

namespace spooled::server {

std::string apiKeyPrefixFor(std::string_view environment) {
  return environment == "production" ? "sk_live_" : "sk_test_";
}

std::string newRawApiKey(std::string_view prefix) { return std::string(prefix) + randomHex(32); }

}  // namespace spooled::server
