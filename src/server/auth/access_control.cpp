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
