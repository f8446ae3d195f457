#pragma once
// Wall-clock time as the wire sees it: ISO-8601 UTC strings, stored as milliseconds since the epoch.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace spooled {

using Clock = std::chrono::system_clock;
using TimePoint = std::chrono::time_point<Clock, std::chrono::milliseconds>;

// The current time, truncated to milliseconds.
TimePoint nowMs();

// "2026-11-28T17:30:00.123Z". Always UTC, always milliseconds.
std::string formatIso8601(TimePoint t);

// Accepts "YYYY-MM-DDTHH:MM:SS[.fff...][Z|+hh:mm|-hh:mm]" (a space may stand for the T).
// Returns nullopt when the text is not such a time.
std::optional<TimePoint> parseIso8601(std::string_view text);

inline std::int64_t toEpochMs(TimePoint t) { return t.time_since_epoch().count(); }
inline TimePoint fromEpochMs(std::int64_t ms) { return TimePoint(std::chrono::milliseconds(ms)); }

}  // namespace spooled
