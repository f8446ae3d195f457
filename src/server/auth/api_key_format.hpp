#pragma once
// The shape of the API keys this server mints. The official backend issues "sk_live_" keys when it
// runs as production and "sk_test_" keys otherwise, and the official SDKs check for "sk_", so ours do
// the same, chosen by --environment. Authentication never looks at the prefix (a key is found by its
// hash), so keys of any other shape keep working: "sp_live_" keys minted by earlier releases, and
// whatever --api-key registered.
#include <string>
#include <string_view>

namespace spooled::server {

// "sk_live_" for "production", "sk_test_" for any other environment (development, staging).
std::string apiKeyPrefixFor(std::string_view environment);

// prefix followed by 64 hex digits (256 random bits).
std::string newRawApiKey(std::string_view prefix);

}  // namespace spooled::server
