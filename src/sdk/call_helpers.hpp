#pragma once
// Small pieces of building a call that several resources share: resource paths and optional query
// parameters (an empty value is not sent, so the server applies its default).
#include <optional>
#include <string>

#include "sdk/api_caller.hpp"

namespace spooled::detail {

// base + "/" + the encoded id, plus "/" + action when given: "/api/v1/jobs/ID/retry".
inline std::string resourcePath(const std::string& base, const std::string& id, const char* action = nullptr) {
  std::string path = base + "/" + pathSegment(id);
  if (action != nullptr) path += std::string("/") + action;
  return path;
}

inline void addQuery(ApiCall& call, const char* name, const std::optional<std::string>& value) {
  if (value) call.query.emplace_back(name, *value);
}

inline void addQuery(ApiCall& call, const char* name, const std::optional<int>& value) {
  if (value) call.query.emplace_back(name, std::to_string(*value));
}

}  // namespace spooled::detail
