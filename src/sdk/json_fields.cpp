#include "sdk/json_fields.hpp"

#include <string>

namespace spooled::detail {

void throwInvalidResponse(std::string_view key, std::string_view why) {
  throw SpooledError("unexpected response from the Spooled server: field '" + std::string(key) + "': " +
                         std::string(why),
                     0, "INVALID_RESPONSE", json{{"field", key}});
}

const json& requireObject(const json& body, std::string_view what) {
  if (!body.is_object()) throwInvalidResponse(what, "expected a JSON object, got " + std::string(body.type_name()));
  return body;
}

const json& childObject(const json& object, const char* key) {
  static const json kEmpty = json::object();
  const auto it = object.find(key);
  return it == object.end() || it->is_null() ? kEmpty : requireObject(*it, key);
}

}  // namespace spooled::detail
