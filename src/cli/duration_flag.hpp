#pragma once
// Durations on the command line: "500ms", "30s", "2m", or a bare number in the unit the workers
// guide uses for that option (pollInterval and shutdownTimeout in ms, leaseDuration in s, ...).
#include <chrono>
#include <string>

namespace spooled::cli {

enum class DurationUnit { milliseconds, seconds };

// Throws std::invalid_argument naming `flag` for anything else (negative, unknown suffix).
std::chrono::milliseconds parseDuration(const std::string& flag, const std::string& text, DurationUnit bareUnit);

}  // namespace spooled::cli
