#pragma once
// Optional query parameters of GET calls: an empty value is not sent, so the server applies its default.
#include <optional>
#include <string>

#include "sdk/api_caller.hpp"

namespace spooled::detail {

inline void addQuery(ApiCall& call, const char* name, const std::optional<std::string>& value) {
  if (value) call.query.emplace_back(name, *value);
}

inline void addQuery(ApiCall& call, const char* name, const std::optional<int>& value) {
  if (value) call.query.emplace_back(name, std::to_string(*value));
}

}  // namespace spooled::detail
