#include "server/auth/admin_auth.hpp"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <array>

#include "common/error_code.hpp"

namespace spooled::server {

namespace {

std::array<unsigned char, SHA256_DIGEST_LENGTH> digest(std::string_view text) {
  std::array<unsigned char, SHA256_DIGEST_LENGTH> out{};
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), out.data());
  return out;
}

}  // namespace

bool constantTimeEquals(std::string_view a, std::string_view b) {
  const auto da = digest(a);
  const auto db = digest(b);
  return CRYPTO_memcmp(da.data(), db.data(), da.size()) == 0;
}

bool AdminAuth::accepts(const std::optional<std::string>& header) const {
  return adminKey_ && header && constantTimeEquals(*adminKey_, *header);
}

void AdminAuth::require(const std::optional<std::string>& header) const {
  if (!adminKey_) throw ApiError(ErrorCode::Unauthorized, "Admin access is not configured on this server");
  if (!header) throw ApiError(ErrorCode::Unauthorized, "X-Admin-Key header is required for admin endpoints");
  if (!accepts(header)) throw ApiError(ErrorCode::Unauthorized, "Invalid admin API key");
}

}  // namespace spooled::server
