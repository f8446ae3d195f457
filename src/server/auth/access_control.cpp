#include "server/auth/access_control.hpp"

#include <algorithm>
#include <cctype>

#include "common/error_code.hpp"

namespace spooled::server {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool startsWithIgnoringCase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() &&
         std::equal(prefix.begin(), prefix.end(), text.begin(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
         });
}

}  // namespace

std::optional<std::string> bearerCredential(const std::optional<std::string>& authorizationHeader) {
  if (!authorizationHeader) return std::nullopt;
  const std::string_view value = trim(*authorizationHeader);
  constexpr std::string_view kBearer = "Bearer ";
  if (!startsWithIgnoringCase(value, kBearer)) return std::nullopt;
  const std::string_view credential = trim(value.substr(kBearer.size()));
  if (credential.empty()) return std::nullopt;
  return std::string(credential);
}

AuthContext AccessControl::authenticate(const std::optional<std::string>& authorizationHeader) const {
  const auto credential = bearerCredential(authorizationHeader);
  if (!credential) throw ApiError(ErrorCode::Unauthorized, "Missing or invalid Authorization header");
  // As the official backend: a JWT is told apart by its shape ("eyJ..."), anything else is an API key.
  if (looksLikeJwt(*credential)) return tokens_.authenticate(*credential);
  return keys_.authenticateKey(*credential);
}

void AccessControl::requireScope(const AuthContext& caller, KeyScope scope) const {
  if (scope == KeyScope::Queues || caller.allowsAllQueues()) return;
  // Without this, a key limited to one queue could re-activate, widen or revoke the organization's
  // unrestricted keys, or delete other queues: a scope is only as narrow as what it can manage.
  throw ApiError(ErrorCode::Forbidden,
                 "This API key is limited to some queues; this endpoint needs a key with access to every queue",
                 json{{"required_scope", "all_queues"}, {"key_queues", caller.queues}});
}

std::optional<RateDecision> AccessControl::admit(const AuthContext& caller) const {
  if (limits_.perSecond <= 0) return std::nullopt;
  RateLimit limit{static_cast<double>(limits_.perSecond), static_cast<double>(limits_.burst)};
  if (caller.rateLimit && *caller.rateLimit > 0) {
    limit.perSecond = *caller.rateLimit;
    limit.burst = std::max(1.0, 2.0 * *caller.rateLimit);
  }
  // Per key, so a key and the JWTs issued for it share one bucket.
  return limiter_.take(caller.apiKeyId, limit);
}

}  // namespace spooled::server
