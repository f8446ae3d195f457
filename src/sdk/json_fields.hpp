#pragma once
// Reading and writing the snake_case wire fields of the SDK's structs, so each struct's fromJson and
// each request body is a list of field names, not hand-written type checks.
//
// Reading is lenient about absence (the server may omit fields the official backend sends, and
// newer servers may add fields) but strict about types: a field that is present with the wrong type
// means the client and server disagree, and hiding that would corrupt data silently.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "spooled/errors.hpp"
#include "spooled/json.hpp"

namespace spooled::detail {

// Thrown for a response that does not have the shape the wire contract promises.
[[noreturn]] void throwInvalidResponse(std::string_view key, std::string_view why);

// Requires `body` to be a JSON object (what every resource response is).
const json& requireObject(const json& body, std::string_view what);

// The nested object under `key`; an empty object when it is absent or null, so a response with a
// section missing reads as that section's defaults. Present but not an object: INVALID_RESPONSE.
const json& childObject(const json& object, const char* key);

// Absent or null: `out` keeps its default. Present with the wrong type: throws INVALID_RESPONSE.
template <class T>
void readField(const json& object, const char* key, T& out) {
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) return;
  try {
    out = it->template get<T>();
  } catch (const json::exception& e) {
    throwInvalidResponse(key, e.what());
  }
}

// Optional members: absent or null leaves std::nullopt.
template <class T>
void readField(const json& object, const char* key, std::optional<T>& out) {
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) {
    out.reset();
    return;
  }
  T value{};
  readField(object, key, value);
  out = std::move(value);
}

// Like readField, but a missing or null field is an error (used for ids, without which the
// struct is useless).
template <class T>
void requireField(const json& object, const char* key, T& out) {
  if (!object.contains(key) || object.at(key).is_null()) throwInvalidResponse(key, "missing");
  readField(object, key, out);
}

// A response that is a JSON array of T, each read with T::fromJson.
template <class T>
std::vector<T> readArray(const json& body, std::string_view what) {
  if (!body.is_array()) throwInvalidResponse(what, "expected a JSON array");
  std::vector<T> out;
  out.reserve(body.size());
  for (const json& row : body) out.push_back(T::fromJson(row));
  return out;
}

// The rows of the array field `key`, each read by readRow; absent or null gives none, any other
// non-array throws INVALID_RESPONSE.
template <class T, class ReadRow>
std::vector<T> readArrayField(const json& object, const char* key, ReadRow readRow) {
  std::vector<T> out;
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) return out;
  if (!it->is_array()) throwInvalidResponse(key, "expected a JSON array");
  out.reserve(it->size());
  for (const json& row : *it) out.push_back(readRow(row));
  return out;
}

template <class T>
std::vector<T> readArrayField(const json& object, const char* key) {
  return readArrayField<T>(object, key, [](const json& row) { return T::fromJson(row); });
}

// Writes `value` under `key`; an empty optional writes nothing, so the server applies its default.
template <class T>
void putField(json& object, const char* key, const std::optional<T>& value) {
  if (value) object[key] = *value;
}

template <class T>
void putField(json& object, const char* key, const T& value) {
  object[key] = value;
}

}  // namespace spooled::detail
