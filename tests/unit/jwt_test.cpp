// HS256 tokens: what the server accepts and, above all, what it refuses (forged, expired, malformed,
// unsigned). Users notice the refusals: a token that should be dead must not open the API.
#include <gtest/gtest.h>

#include "server/auth/jwt.hpp"
#include "spooled/json.hpp"

namespace spooled::server {
namespace {

constexpr std::int64_t kNow = 1'800'000'000;
const std::string kSecret = "an-integration-secret-of-32-bytes-or-more";

JwtClaims sampleClaims() {
  JwtClaims c;
  c.sub = "org-1";
  c.apiKeyId = "key-1";
  c.orgId = "org-1";
  c.iat = kNow - 10;
  c.nbf = kNow - 10;
  c.exp = kNow + 3600;
  c.jti = "jti-1";
  c.queues = {"emails", "reports"};
  c.tokenType = "access";
  return c;
}

// A token with this header and claims, signed (or not) as the caller says.
std::string handMade(const json& header, const json& claims, const std::string& signature) {
  return base64UrlEncode(header.dump()) + "." + base64UrlEncode(claims.dump()) + "." + signature;
}

TEST(Jwt, RoundTripKeepsEveryClaim) {
  const JwtCodec codec(kSecret);
  const std::string token = codec.encode(sampleClaims());
  EXPECT_TRUE(looksLikeJwt(token));
  const JwtVerification v = codec.verify(token, kNow);
  ASSERT_TRUE(v.ok()) << describe(v.error);
  EXPECT_EQ(v.claims->sub, "org-1");
  EXPECT_EQ(v.claims->apiKeyId, "key-1");
  EXPECT_EQ(v.claims->orgId, "org-1");
  EXPECT_EQ(v.claims->iat, kNow - 10);
  EXPECT_EQ(v.claims->exp, kNow + 3600);
  EXPECT_EQ(v.claims->jti, "jti-1");
  EXPECT_EQ(v.claims->queues, (std::vector<std::string>{"emails", "reports"}));
  EXPECT_EQ(v.claims->tokenType, "access");
}

TEST(Jwt, ClaimsAreTheOfficialBackendsNames) {
  const std::string token = JwtCodec(kSecret).encode(sampleClaims());
  const auto payload = base64UrlDecode(token.substr(token.find('.') + 1, token.rfind('.') - token.find('.') - 1));
  ASSERT_TRUE(payload);
  const json claims = json::parse(*payload);
  for (const char* name : {"sub", "api_key_id", "org_id", "iat", "exp", "nbf", "jti", "queues", "token_type"})
    EXPECT_TRUE(claims.contains(name)) << name;
}

TEST(Jwt, AnotherSecretsSignatureIsRefused) {
  const std::string token = JwtCodec("some-other-secret-of-at-least-32-bytes").encode(sampleClaims());
  const JwtVerification v = JwtCodec(kSecret).verify(token, kNow);
  EXPECT_FALSE(v.ok());
  EXPECT_EQ(v.error, JwtError::BadSignature);
}

TEST(Jwt, EditedClaimsBreakTheSignature) {
  const JwtCodec codec(kSecret);
  const std::string token = codec.encode(sampleClaims());
  json widened = json::parse(*base64UrlDecode(token.substr(token.find('.') + 1, token.rfind('.') - token.find('.') - 1)));
  widened["org_id"] = "org-2";  // try to read another organization's data
  const std::string forged = token.substr(0, token.find('.') + 1) + base64UrlEncode(widened.dump()) +
                             token.substr(token.rfind('.'));
  EXPECT_EQ(codec.verify(forged, kNow).error, JwtError::BadSignature);
}

TEST(Jwt, ExpiredTokenIsRefusedFromTheSecondOfExpiry) {
  const JwtCodec codec(kSecret);
  JwtClaims c = sampleClaims();
  c.exp = kNow;
  EXPECT_EQ(codec.verify(codec.encode(c), kNow).error, JwtError::Expired);
  EXPECT_TRUE(codec.verify(codec.encode(c), kNow - 1).ok());
}

TEST(Jwt, NotBeforeIsHonoured) {
  const JwtCodec codec(kSecret);
  JwtClaims c = sampleClaims();
  c.nbf = kNow + 60;
  EXPECT_EQ(codec.verify(codec.encode(c), kNow).error, JwtError::NotYetValid);
}

TEST(Jwt, AlgorithmNoneIsRefusedEvenWithoutSignature) {
  const JwtCodec codec(kSecret);
  const json claims = json::parse(*base64UrlDecode([&] {
    const std::string t = codec.encode(sampleClaims());
    return t.substr(t.find('.') + 1, t.rfind('.') - t.find('.') - 1);
  }()));
  EXPECT_EQ(codec.verify(handMade({{"alg", "none"}, {"typ", "JWT"}}, claims, ""), kNow).error,
            JwtError::UnsupportedAlgorithm);
  EXPECT_EQ(codec.verify(handMade({{"alg", "HS512"}}, claims, "abc"), kNow).error, JwtError::UnsupportedAlgorithm);
}

TEST(Jwt, MalformedTokensAreRefused) {
  const JwtCodec codec(kSecret);
  const std::string good = codec.encode(sampleClaims());
  for (const std::string& bad : {std::string(""), std::string("abc"), std::string("a.b"), good + ".extra",
                                 std::string("!!!.???.***"), std::string("eyJ.eyJ.sig")}) {
    const JwtVerification v = codec.verify(bad, kNow);
    EXPECT_FALSE(v.ok()) << bad;
    EXPECT_EQ(v.error, JwtError::Malformed) << bad;
  }
}

TEST(Jwt, Base64UrlRoundTripsEveryLength) {
  std::string bytes;
  for (int i = 0; i < 40; ++i) {
    EXPECT_EQ(base64UrlDecode(base64UrlEncode(bytes)), bytes) << i;
    bytes += static_cast<char>(i * 37 + 250);
  }
  EXPECT_EQ(base64UrlEncode("\xfb\xff"), "-_8");  // the URL-safe alphabet, no padding
  EXPECT_FALSE(base64UrlDecode("ab=c"));
  EXPECT_FALSE(base64UrlDecode("a"));
}

TEST(Jwt, ApiKeysDoNotLookLikeTokens) {
  EXPECT_FALSE(looksLikeJwt("sk_live_0123456789abcdef"));
  EXPECT_FALSE(looksLikeJwt("sp_live_0123456789abcdef"));
  EXPECT_FALSE(looksLikeJwt("eyJonlyone.part"));
}

}  // namespace
}  // namespace spooled::server
