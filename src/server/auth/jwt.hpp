#pragma once
// HS256 JSON Web Tokens (RFC 7519), signed with HMAC-SHA256 from OpenSSL. Only HS256 is accepted on
// verification: a token whose header names any other algorithm ("none" included) is refused, so a
// forged header cannot switch the check off. Claims match the official backend's, so tokens look the
// same to anything that decodes them.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace spooled::server {

struct JwtClaims {
  std::string sub;       // the organization id, as the official backend sets it
  std::string apiKeyId;  // api_key_id: the key the token was issued for
  std::string orgId;     // org_id
  std::int64_t iat = 0;  // issued at, seconds since the epoch
  std::int64_t exp = 0;  // expires at, seconds since the epoch
  std::int64_t nbf = 0;  // not before, seconds since the epoch
  std::string jti;       // unique token id; logout revokes it
  std::vector<std::string> queues;
  std::string tokenType;  // "access" or "refresh"
};

enum class JwtError {
  Malformed,         // not three base64url parts, or header/claims not the expected JSON
  UnsupportedAlgorithm,  // header alg is not HS256 (e.g. "none")
  BadSignature,
  Expired,           // exp <= now
  NotYetValid,       // nbf > now
};

std::string_view describe(JwtError error);

// Either the verified claims or why verification failed.
struct JwtVerification {
  std::optional<JwtClaims> claims;
  JwtError error = JwtError::Malformed;  // meaningful only when claims is empty

  bool ok() const { return claims.has_value(); }
};

class JwtCodec {
 public:
  // The secret signs and verifies; any length works, but callers should use at least 32 bytes.
  explicit JwtCodec(std::string secret) : secret_(std::move(secret)) {}

  std::string encode(const JwtClaims& claims) const;

  // Checks the structure, algorithm, signature (constant-time), then exp and nbf against nowSecs.
  JwtVerification verify(std::string_view token, std::int64_t nowSecs) const;

 private:
  std::string sign(std::string_view signingInput) const;
  std::string secret_;
};

// True when text has the shape of a JWT (three dot-separated parts starting with a JSON header),
// as opposed to an API key. Says nothing about validity.
bool looksLikeJwt(std::string_view text);

// base64url without padding (RFC 4648 section 5), as JWTs use.
std::string base64UrlEncode(std::string_view bytes);
// nullopt when text holds characters outside the base64url alphabet or has an impossible length.
std::optional<std::string> base64UrlDecode(std::string_view text);

}  // namespace spooled::server
