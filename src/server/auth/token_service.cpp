#include "server/auth/token_service.hpp"

#include <spdlog/spdlog.h>

#include "common/error_code.hpp"
#include "common/ids.hpp"

namespace spooled::server {

namespace {

constexpr const char* kAccess = "access";
constexpr const char* kRefresh = "refresh";

// One message for every failure, as the backend does: which check failed is for the server log only.
[[noreturn]] void reject(std::string_view why) {
  spdlog::debug("token refused: {}", why);
  throw ApiError(ErrorCode::Unauthorized, "Invalid or expired token");
}

}  // namespace

TokenService::TokenService(Store& store, const ApiKeyAuth& keys, TokenSettings settings, NowFn now)
    : store_(store), keys_(keys), settings_(std::move(settings)), codec_(settings_.secret), now_(std::move(now)) {}

std::int64_t TokenService::nowSecs() const { return toEpochMs(now_()) / 1000; }

JwtClaims TokenService::claimsFor(const ApiKeyRecord& key, const char* tokenType, int ttlSecs) const {
  JwtClaims claims;
  claims.sub = key.orgId;
  claims.apiKeyId = key.id;
  claims.orgId = key.orgId;
  claims.iat = nowSecs();
  claims.nbf = claims.iat;
  claims.exp = claims.iat + ttlSecs;
  claims.jti = newUuid();
  claims.queues = key.queues;
  claims.tokenType = tokenType;
  return claims;
}

IssuedTokens TokenService::login(std::string_view rawApiKey) const {
  const ApiKeyRecord key = keys_.activeKey(rawApiKey);
  keys_.recordUse(key);
  IssuedTokens tokens;
  tokens.accessToken = codec_.encode(claimsFor(key, kAccess, settings_.accessTtlSecs));
  tokens.refreshToken = codec_.encode(claimsFor(key, kRefresh, settings_.refreshTtlSecs));
  tokens.expiresIn = settings_.accessTtlSecs;
  tokens.refreshExpiresIn = settings_.refreshTtlSecs;
  return tokens;
}

JwtClaims TokenService::verifiedClaims(std::string_view token) const {
  JwtVerification verified = codec_.verify(token, nowSecs());
  if (!verified.ok()) reject(describe(verified.error));
  const std::string& jti = verified.claims->jti;
  if (store_.readResult([&](StoreReader& r) { return r.isTokenRevoked(jti); })) reject("revoked");
  return std::move(*verified.claims);
}

RefreshedToken TokenService::refresh(std::string_view refreshToken) const {
  const JwtClaims old = verifiedClaims(refreshToken);
  if (old.tokenType != kRefresh) reject("not a refresh token");
  // The key decides what a new token may do now, not what it could when the refresh token was made.
  const ApiKeyRecord key = keys_.activeKeyById(old.orgId, old.apiKeyId);
  return RefreshedToken{codec_.encode(claimsFor(key, kAccess, settings_.accessTtlSecs)), settings_.accessTtlSecs};
}

AuthContext TokenService::authenticate(std::string_view accessToken) const {
  const JwtClaims claims = verifiedClaims(accessToken);
  if (claims.tokenType != kAccess) reject("not an access token");
  ApiKeyRecord key;
  try {
    key = keys_.activeKeyById(claims.orgId, claims.apiKeyId);
  } catch (const ApiError&) {
    reject("the token's API key is revoked, expired or gone");
  }
  keys_.recordUse(key);
  // Queues and rate limit come from the key as it is now, so narrowing a key narrows its tokens too.
  AuthContext context = ApiKeyAuth::contextFor(key);
  context.token = AccessToken{claims.jti, claims.iat, claims.exp};
  return context;
}

TokenInspection TokenService::inspect(std::string_view token) const {
  const JwtVerification verified = codec_.verify(token, nowSecs());
  if (!verified.ok()) return TokenInspection{std::nullopt, "Invalid token"};
  const std::string& jti = verified.claims->jti;
  if (store_.readResult([&](StoreReader& r) { return r.isTokenRevoked(jti); }))
    return TokenInspection{std::nullopt, "Token has been revoked"};
  return TokenInspection{verified.claims, ""};
}

Task<> TokenService::revoke(const std::string& jti, std::int64_t expiresAtSecs) const {
  co_await store_.write([&](StoreTx& tx) { tx.insertRevokedToken(jti, fromEpochMs(expiresAtSecs * 1000)); });
}

}  // namespace spooled::server
