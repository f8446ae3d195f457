#pragma once
// Typed readers for request fields. Each throws ApiError(Validation) naming the field
// (details: {"field": name}) so a client knows exactly what to fix. A JSON null counts as absent.
// Validation runs before any store call, so a rejected request never changes stored data.
#include <cstddef>
#include <optional>
#include <string>

#include "common/time.hpp"
#include "spooled/json.hpp"

namespace spooled::server {

inline constexpr std::size_t kMaxPayloadBytes = 1024 * 1024;  // as the official backend
inline constexpr std::size_t kMaxTagsBytes = 64 * 1024;
inline constexpr std::size_t kMaxMetadataBytes = 64 * 1024;

// The body as a JSON object, parsed within the limits of common/bounded_json.hpp (nesting depth 64,
// numbers that fit). Malformed JSON is 400 BAD_REQUEST with the byte position; a limit exceeded
// inside a member is 400 VALIDATION_ERROR naming that member (details.field); an empty body or a
// non-object is 400 BAD_REQUEST. Every handler reads its body through this.
json parseJsonObjectBody(const std::string& body);

[[noreturn]] void throwValidation(const std::string& field, const std::string& message);

class FieldReader {
 public:
  explicit FieldReader(const json& object) : object_(object) {}

  bool has(const std::string& field) const;

  std::string requiredString(const std::string& field, std::size_t minLen, std::size_t maxLen) const;
  std::optional<std::string> optionalString(const std::string& field, std::size_t minLen, std::size_t maxLen) const;

  int requiredInt(const std::string& field, int min, int max) const;
  std::optional<int> optionalInt(const std::string& field, int min, int max) const;
  int intOr(const std::string& field, int min, int max, int fallback) const {
    return optionalInt(field, min, max).value_or(fallback);
  }

  std::optional<bool> optionalBool(const std::string& field) const;
  std::optional<TimePoint> optionalTime(const std::string& field) const;

  // Any JSON value (not null) of at most maxBytes serialized; beyond that, 413 PAYLOAD_TOO_LARGE.
  std::optional<json> optionalValue(const std::string& field, std::size_t maxBytes) const;
  // A free-form value (payload, result, metadata, settings): any JSON value, as the official backend
  // takes, except that an empty array reads as an empty object, because PHP encodes an empty map
  // as [] and the official PHP SDK sends that for "nothing".
  json requiredFreeForm(const std::string& field, std::size_t maxBytes) const;
  std::optional<json> optionalFreeForm(const std::string& field, std::size_t maxBytes) const;

 private:
  const json* find(const std::string& field) const;
  const json& object_;
};

// Queue names: 1-100 of [A-Za-z0-9._-], not starting with '.' or '-' (as the official backend).
void requireQueueName(const std::string& field, const std::string& name);
std::string readQueueName(const FieldReader& reader, const std::string& field);

// An integer query parameter; absent gives fallback, out of range or not a number is a validation error.
int queryInt(const std::optional<std::string>& value, const std::string& name, int min, int max, int fallback);

}  // namespace spooled::server
