#pragma once
// JWT sessions on top of API keys: login exchanges an active key for an access token and a refresh
// token; refresh mints a new access token; logout revokes a token's jti in the store, so it stays
// refused after a restart. A token is only as good as its key: revoking or expiring the key ends
// every token issued for it. Thread-safe.
#include <optional>
#include <string>
#include <string_view>

#include "server/auth/api_key_auth.hpp"
#include "server/auth/jwt.hpp"

namespace spooled::server {

struct TokenSettings {
  std::string secret;
  int accessTtlSecs = 24 * 3600;        // as the official backend's default (24 h)
  int refreshTtlSecs = 24 * 24 * 3600;  // the backend's refresh tokens live 24 times longer
};

struct IssuedTokens {
  std::string accessToken;
  std::string refreshToken;
  int expiresIn = 0;         // seconds
  int refreshExpiresIn = 0;  // seconds
};

struct RefreshedToken {
  std::string accessToken;
  int expiresIn = 0;
};

// What POST /auth/validate reports.
struct TokenInspection {
  std::optional<JwtClaims> claims;  // set when valid
  std::string error;                // why not, when invalid
};

class TokenService {
 public:
  TokenService(Store& store, const ApiKeyAuth& keys, TokenSettings settings, NowFn now = nowMs);

  // Throws ApiError(Unauthorized) when the key is not active.
  IssuedTokens login(std::string_view rawApiKey) const;
  // Throws ApiError(Unauthorized) unless refreshToken is a valid, unrevoked refresh token whose key
  // is still active.
  RefreshedToken refresh(std::string_view refreshToken) const;

  // The caller behind an access token: valid signature, not expired, not revoked, key still active.
  // Throws ApiError(Unauthorized) otherwise.
  AuthContext authenticate(std::string_view accessToken) const;

  // Verification plus the revocation list, without throwing (either token type).
  TokenInspection inspect(std::string_view token) const;
  // Verified, unrevoked claims of any token type, or Unauthorized.
  JwtClaims verifiedClaims(std::string_view token) const;

  // Refuses this token id from now on (kept until the token would have expired anyway).
  Task<> revoke(const std::string& jti, std::int64_t expiresAtSecs) const;

 private:
  std::int64_t nowSecs() const;
  JwtClaims claimsFor(const ApiKeyRecord& key, const char* tokenType, int ttlSecs) const;

  Store& store_;
  const ApiKeyAuth& keys_;
  TokenSettings settings_;
  JwtCodec codec_;
  NowFn now_;
};

}  // namespace spooled::server
