#include "server/auth/jwt.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <stdexcept>

#include "common/bounded_json.hpp"
#include "spooled/json.hpp"

namespace spooled::server {

namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int decodeChar(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

// The header every token we issue carries. Verification parses the header rather than comparing
// bytes, so tokens from other HS256 encoders (different key order) verify too.
const std::string& encodedHeader() {
  static const std::string header = base64UrlEncode(R"({"alg":"HS256","typ":"JWT"})");
  return header;
}

json claimsToJson(const JwtClaims& c) {
  return json{{"sub", c.sub}, {"api_key_id", c.apiKeyId}, {"org_id", c.orgId}, {"iat", c.iat},
              {"exp", c.exp}, {"nbf", c.nbf},             {"jti", c.jti},      {"queues", c.queues},
              {"token_type", c.tokenType}};
}

// Throws json::exception when a claim is missing or of the wrong type.
JwtClaims claimsFromJson(const json& j) {
  JwtClaims c;
  c.sub = j.at("sub").get<std::string>();
  c.apiKeyId = j.at("api_key_id").get<std::string>();
  c.orgId = j.at("org_id").get<std::string>();
  c.iat = j.at("iat").get<std::int64_t>();
  c.exp = j.at("exp").get<std::int64_t>();
  c.nbf = j.contains("nbf") ? j.at("nbf").get<std::int64_t>() : 0;
  c.jti = j.at("jti").get<std::string>();
  c.queues = j.at("queues").get<std::vector<std::string>>();
  c.tokenType = j.at("token_type").get<std::string>();
  return c;
}

JwtVerification failure(JwtError error) { return JwtVerification{std::nullopt, error}; }

// A token's header and claims are flat; anything the bounded parser refuses is simply not a token
// of ours (and the header is read before the signature is checked, so it is anyone's input).
json parseTokenPart(const std::string& text) {
  try {
    return parseBoundedJson(text);
  } catch (const JsonInputError&) {
    return json();  // null: not an object, so Malformed below
  }
}

}  // namespace

std::string_view describe(JwtError error) {
  switch (error) {
    case JwtError::Malformed: return "malformed token";
    case JwtError::UnsupportedAlgorithm: return "unsupported algorithm";
    case JwtError::BadSignature: return "bad signature";
    case JwtError::Expired: return "token expired";
    case JwtError::NotYetValid: return "token not yet valid";
  }
  return "invalid token";
}

std::string base64UrlEncode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() * 4 + 2) / 3);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                       static_cast<unsigned char>(bytes[i + 2]);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  const std::size_t rest = bytes.size() - i;
  if (rest > 0) {
    unsigned v = static_cast<unsigned char>(bytes[i]) << 16;
    if (rest == 2) v |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    if (rest == 2) out += kAlphabet[(v >> 6) & 63];
  }
  return out;
}

std::optional<std::string> base64UrlDecode(std::string_view text) {
  if (text.size() % 4 == 1) return std::nullopt;  // no byte count encodes to this length
  std::string out;
  out.reserve(text.size() * 3 / 4);
  unsigned buffer = 0;
  int bits = 0;
  for (const char c : text) {
    const int value = decodeChar(c);
    if (value < 0) return std::nullopt;
    buffer = (buffer << 6) | static_cast<unsigned>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xFF);
    }
  }
  return out;
}

bool looksLikeJwt(std::string_view text) {
  // Every JWT header is a JSON object, and base64 of "{"" begins "eyJ"; API keys never do.
  if (text.substr(0, 3) != "eyJ") return false;
  std::size_t dots = 0;
  for (const char c : text) dots += c == '.' ? 1 : 0;
  return dots == 2;
}

std::string JwtCodec::sign(std::string_view signingInput) const {
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int length = 0;
  if (HMAC(EVP_sha256(), secret_.data(), static_cast<int>(secret_.size()),
           reinterpret_cast<const unsigned char*>(signingInput.data()), signingInput.size(), mac.data(),
           &length) == nullptr)
    throw std::runtime_error("HMAC-SHA256 failed");
  return base64UrlEncode(std::string_view(reinterpret_cast<const char*>(mac.data()), length));
}

std::string JwtCodec::encode(const JwtClaims& claims) const {
  std::string token = encodedHeader() + "." + base64UrlEncode(claimsToJson(claims).dump());
  const std::string signature = sign(token);
  return token + "." + signature;
}

JwtVerification JwtCodec::verify(std::string_view token, std::int64_t nowSecs) const {
  const auto firstDot = token.find('.');
  if (firstDot == std::string_view::npos) return failure(JwtError::Malformed);
  const auto secondDot = token.find('.', firstDot + 1);
  if (secondDot == std::string_view::npos || token.find('.', secondDot + 1) != std::string_view::npos)
    return failure(JwtError::Malformed);

  const auto header = base64UrlDecode(token.substr(0, firstDot));
  const auto payload = base64UrlDecode(token.substr(firstDot + 1, secondDot - firstDot - 1));
  if (!header || !payload) return failure(JwtError::Malformed);
  const json headerJson = parseTokenPart(*header);
  if (!headerJson.is_object() || !headerJson.contains("alg") || !headerJson["alg"].is_string())
    return failure(JwtError::Malformed);
  // Pinned: the verifier decides the algorithm, never the token.
  if (headerJson["alg"].get<std::string>() != "HS256") return failure(JwtError::UnsupportedAlgorithm);

  const std::string expected = sign(token.substr(0, secondDot));
  const std::string_view given = token.substr(secondDot + 1);
  if (given.size() != expected.size() || CRYPTO_memcmp(given.data(), expected.data(), expected.size()) != 0)
    return failure(JwtError::BadSignature);

  const json payloadJson = parseTokenPart(*payload);
  if (!payloadJson.is_object()) return failure(JwtError::Malformed);
  JwtClaims claims;
  try {
    claims = claimsFromJson(payloadJson);
  } catch (const json::exception&) {
    return failure(JwtError::Malformed);
  }
  // No leeway: one server signs and checks, so there is no clock skew to allow for.
  if (claims.exp <= nowSecs) return failure(JwtError::Expired);
  if (claims.nbf > nowSecs) return failure(JwtError::NotYetValid);
  return JwtVerification{std::move(claims), JwtError::Malformed};
}

}  // namespace spooled::server
