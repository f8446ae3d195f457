#pragma once
// The JSON type of the public API: nlohmann::json, re-exported as spooled::json.
#include <nlohmann/json.hpp>

namespace spooled {
using json = nlohmann::json;
}  // namespace spooled
