#include "server/auth/api_key_auth.hpp"

#include <algorithm>
#include <cctype>

#include "common/error_code.hpp"
#include "common/ids.hpp"

namespace spooled::server {

namespace {

[[noreturn]] void reject(const std::string& message) { throw ApiError(ErrorCode::Unauthorized, message); }

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

AuthContext ApiKeyAuth::authenticate(const std::optional<std::string>& authorizationHeader) const {
  if (!authorizationHeader) reject("Missing or invalid Authorization header");
  const std::string_view value = trim(*authorizationHeader);
  constexpr std::string_view kBearer = "Bearer ";
  // The scheme name is case-insensitive (RFC 7235).
  if (value.size() <= kBearer.size() ||
      !std::equal(kBearer.begin(), kBearer.end(), value.begin(),
                  [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) ==
                                              std::tolower(static_cast<unsigned char>(b)); }))
    reject("Missing or invalid Authorization header");
  return authenticateKey(trim(value.substr(kBearer.size())));
}

AuthContext ApiKeyAuth::authenticateKey(std::string_view rawKey) const {
  if (rawKey.empty()) reject("Missing or invalid Authorization header");
  const std::string hash = sha256Hex(rawKey);
  const auto key = store_.readResult([&](StoreReader& r) { return r.findApiKeyByHash(hash); });
  if (!key || !key->isActive) reject("Invalid API key");
  if (key->expiresAt && *key->expiresAt <= now_()) reject("Invalid API key");
  return AuthContext{key->orgId, key->id, key->queues};
}

}  // namespace spooled::server
