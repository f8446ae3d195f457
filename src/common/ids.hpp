#pragma once
// Identifiers and secrets: random UUIDs for ids, random tokens for keys, SHA-256 for hashing keys.
#include <string>
#include <string_view>

namespace spooled {

// A random (version 4) UUID in canonical lowercase form, from a cryptographic source.
std::string newUuid();

// A time-ordered (version 7) UUID: 48 bits of Unix milliseconds, a counter, then 62 random bits from a
// cryptographic source. Ids made later sort later, so an index on them grows at its end: inserting
// thousands of jobs dirties a few index pages instead of one page per job, as random ids would.
std::string newTimeOrderedUuid();

// True when text is a canonical 8-4-4-4-12 hex UUID.
bool isUuid(std::string_view text);

// `bytes` random bytes from a cryptographic source, hex-encoded.
std::string randomHex(std::size_t bytes);

// Lowercase hex SHA-256 of data.
std::string sha256Hex(std::string_view data);
// Lower-case hex HMAC-SHA256 of data under key (webhook signatures, both directions).
std::string hmacSha256Hex(std::string_view key, std::string_view data);

}  // namespace spooled
