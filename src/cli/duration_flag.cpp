#include "cli/duration_flag.hpp"

#include <cmath>
#include <cstdlib>
#include <stdexcept>

namespace spooled::cli {

std::chrono::milliseconds parseDuration(const std::string& flag, const std::string& text, DurationUnit bareUnit) {
  const char* begin = text.c_str();
  char* end = nullptr;
  const double value = std::strtod(begin, &end);
  const std::string unit(end);
  if (end == begin || !std::isfinite(value) || value < 0)
    throw std::invalid_argument(flag + ": not a duration: '" + text + "' (e.g. 500ms, 30s, 2m)");
  double ms = 0;
  if (unit.empty()) ms = bareUnit == DurationUnit::seconds ? value * 1000 : value;
  else if (unit == "ms") ms = value;
  else if (unit == "s") ms = value * 1000;
  else if (unit == "m") ms = value * 60000;
  else throw std::invalid_argument(flag + ": unknown unit '" + unit + "' in '" + text + "' (use ms, s or m)");
  return std::chrono::milliseconds(static_cast<long long>(std::llround(ms)));
}

}  // namespace spooled::cli
