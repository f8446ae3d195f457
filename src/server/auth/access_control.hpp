#pragma once
// The checks a request passes before its handler runs, by the route's access level: who the caller is
// (an API key or a JWT access token as `Authorization: Bearer`), the admin key for admin routes, and
// the caller's rate limit. The dispatcher calls these; handlers never do. Thread-safe.
#include <optional>
#include <string>

#include "server/auth/admin_auth.hpp"
#include "server/auth/api_key_auth.hpp"
#include "server/auth/rate_limiter.hpp"
#include "server/auth/token_service.hpp"

namespace spooled::server {

struct RateLimitSettings {
  int perSecond = 1000;  // 0 turns rate limiting off
  int burst = 2000;
};

class AccessControl {
 public:
  // All must outlive this object.
  AccessControl(const ApiKeyAuth& keys, const TokenService& tokens, const AdminAuth& admin, RateLimitSettings limits,
                RateLimiter::Clock clock = [] { return std::chrono::steady_clock::now(); })
      : keys_(keys), tokens_(tokens), admin_(admin), limits_(limits), limiter_(std::move(clock)) {}

  // The caller behind an Authorization header: `Bearer <API key>` or `Bearer <JWT access token>`.
  // Throws ApiError(Unauthorized) when the header is missing or malformed, or the credential is not
  // (or no longer) valid.
  AuthContext authenticate(const std::optional<std::string>& authorizationHeader) const;

  // Throws ApiError(Forbidden) when the route needs a key with every queue and the caller's key is
  // limited to some. The one place where a route's KeyScope is enforced.
  void requireScope(const AuthContext& caller, KeyScope scope) const;

  // Throws ApiError(Unauthorized) unless the X-Admin-Key header holds the server's admin key.
  void requireAdmin(const std::optional<std::string>& adminKeyHeader) const { admin_.require(adminKeyHeader); }

  // Takes one request from the caller's bucket; nullopt when rate limiting is off. A key's own
  // rate_limit replaces the server's rate, with a burst of twice that rate.
  std::optional<RateDecision> admit(const AuthContext& caller) const;

  const RateLimitSettings& rateLimits() const { return limits_; }
  // The per-key buckets, for ClusterRateSync when several servers share a database.
  RateLimiter& limiter() const { return limiter_; }

  // After a change to API keys (revoked, updated, organization deleted): the next request sees it.
  void apiKeysChanged() const { keys_.forgetCachedKeys(); }

 private:
  const ApiKeyAuth& keys_;
  const TokenService& tokens_;
  const AdminAuth& admin_;
  RateLimitSettings limits_;
  mutable RateLimiter limiter_;
};

// The bearer credential of an Authorization header value ("Bearer" is case-insensitive, RFC 7235),
// or nullopt when the header is absent or uses another scheme.
std::optional<std::string> bearerCredential(const std::optional<std::string>& authorizationHeader);

}  // namespace spooled::server
