#include "common/ids.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <array>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <stdexcept>

namespace spooled {

namespace {

constexpr char kHex[] = "0123456789abcdef";

void fillRandom(unsigned char* out, std::size_t n) {
  if (RAND_bytes(out, static_cast<int>(n)) != 1) throw std::runtime_error("secure random source failed");
}

std::string toHex(const unsigned char* data, std::size_t n) {
  std::string s;
  s.reserve(n * 2);
  for (std::size_t i = 0; i < n; ++i) {
    s.push_back(kHex[data[i] >> 4]);
    s.push_back(kHex[data[i] & 0x0f]);
  }
  return s;
}

}  // namespace

namespace {

std::string formatUuid(const std::array<unsigned char, 16>& b) {
  const std::string hex = toHex(b.data(), b.size());
  return hex.substr(0, 8) + '-' + hex.substr(8, 4) + '-' + hex.substr(12, 4) + '-' + hex.substr(16, 4) + '-' +
         hex.substr(20, 12);
}

// The (millisecond, counter) of the latest time-ordered UUID, so ids made in one millisecond still
// sort in the order they were made (RFC 9562, section 6.2, method 1: a 12-bit counter in rand_a).
struct UuidClock {
  std::mutex mutex;
  std::uint64_t millis = 0;
  std::uint32_t counter = 0;

  std::pair<std::uint64_t, std::uint32_t> next() {
    const auto now = static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count());
    const std::lock_guard lock(mutex);
    if (now > millis) {
      millis = now;
      counter = 0;
    } else if (++counter > 0xfff) {  // 4,096 ids in one millisecond: borrow the next millisecond
      ++millis;
      counter = 0;
    }
    return {millis, counter};
  }
};

}  // namespace

std::string newUuid() {
  std::array<unsigned char, 16> b{};
  fillRandom(b.data(), b.size());
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);
  return formatUuid(b);
}

std::string newTimeOrderedUuid() {
  static UuidClock clock;
  const auto [millis, counter] = clock.next();
  std::array<unsigned char, 16> b{};
  fillRandom(b.data() + 8, 8);
  for (int i = 0; i < 6; ++i) b[static_cast<std::size_t>(i)] = static_cast<unsigned char>(millis >> (40 - 8 * i));
  b[6] = static_cast<unsigned char>(0x70 | ((counter >> 8) & 0x0f));
  b[7] = static_cast<unsigned char>(counter & 0xff);
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);
  return formatUuid(b);
}

bool isUuid(std::string_view t) {
  if (t.size() != 36) return false;
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (t[i] != '-') return false;
    } else if (!std::isxdigit(static_cast<unsigned char>(t[i]))) {
      return false;
    }
  }
  return true;
}

std::string randomHex(std::size_t bytes) {
  std::string raw(bytes, '\0');
  fillRandom(reinterpret_cast<unsigned char*>(raw.data()), bytes);
  return toHex(reinterpret_cast<const unsigned char*>(raw.data()), bytes);
}

std::string sha256Hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr) != 1)
    throw std::runtime_error("sha256 failed");
  return toHex(digest, len);
}

std::string hmacSha256Hex(std::string_view key, std::string_view data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
           data.size(), mac, &len) == nullptr)
    throw std::runtime_error("HMAC-SHA256 failed");
  return toHex(mac, len);
}

}  // namespace spooled
