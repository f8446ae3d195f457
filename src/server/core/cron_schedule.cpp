#include "server/core/cron_schedule.hpp"

#include <date/date.h>
#include <date/tz.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <vector>

namespace spooled::server {

namespace {

using std::chrono::seconds;

struct FieldSpec {
  const char* name;
  int min;
  int max;
};

// The official backend's order: second minute hour day-of-month month day-of-week.
constexpr std::array<FieldSpec, 6> kFields{{{"second", 0, 59},
                                            {"minute", 0, 59},
                                            {"hour", 0, 23},
                                            {"day-of-month", 1, 31},
                                            {"month", 1, 12},
                                            {"day-of-week", 0, 6}}};

constexpr std::array<const char*, 12> kMonthNames{"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                                  "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
constexpr std::array<const char*, 7> kDayNames{"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};

// Fifty years of days: far enough for "Monday, February 29" (every 28 years or so).
constexpr auto kSearchHorizon = date::days(366 * 50);

[[noreturn]] void fail(const FieldSpec& spec, const std::string& message) {
  throw CronError("cron_expression", spec.name, std::string("cron_expression: ") + spec.name + " field: " + message);
}

std::string upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// A number, or (months and weekdays) a three-letter English name; 7 is also Sunday.
int parseValue(const FieldSpec& spec, std::string_view text, bool isMonth, bool isWeekday) {
  int value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec == std::errc() && end == text.data() + text.size()) {
    if (isWeekday && value == 7) return 0;
  } else {
    const std::string name = upper(text);
    value = -1;
    if (isMonth)
      for (std::size_t i = 0; i < kMonthNames.size(); ++i)
        if (name == kMonthNames[i]) value = static_cast<int>(i) + 1;
    if (isWeekday)
      for (std::size_t i = 0; i < kDayNames.size(); ++i)
        if (name == kDayNames[i]) value = static_cast<int>(i);
    if (value < 0) fail(spec, "'" + std::string(text) + "' is not a number");
  }
  if (value < spec.min || value > spec.max)
    fail(spec, "value " + std::string(text) + " is out of range " + std::to_string(spec.min) + "-" +
                   std::to_string(spec.max));
  return value;
}

// One field: a comma list of `*`, `?`, `*/n`, `v`, `a-b`, `a-b/n` or `v/n`. As in the official backend,
// `*/n` matches the values divisible by n (so `*/2` in day-of-month is 2, 4, ...); `a-b/n` and `v/n`
// count from a.
std::vector<int> parseField(const FieldSpec& spec, std::string_view text, bool isMonth, bool isWeekday) {
  std::vector<int> values;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = text.find(',', start);
    const std::string_view item = text.substr(start, comma == std::string_view::npos ? text.npos : comma - start);
    if (item.empty()) fail(spec, "empty list item in '" + std::string(text) + "'");
    std::string_view range = item;
    int step = 0;
    if (const std::size_t slash = item.find('/'); slash != std::string_view::npos) {
      range = item.substr(0, slash);
      const std::string_view stepText = item.substr(slash + 1);
      const auto [end, ec] = std::from_chars(stepText.data(), stepText.data() + stepText.size(), step);
      if (ec != std::errc() || end != stepText.data() + stepText.size())
        fail(spec, "step '" + std::string(stepText) + "' is not a number");
      if (step <= 0) fail(spec, "step must be at least 1, got " + std::string(stepText));
      if (step > spec.max) fail(spec, "step " + std::to_string(step) + " exceeds " + std::to_string(spec.max));
    }
    if (range == "*" || range == "?") {
      for (int v = spec.min; v <= spec.max; ++v)
        if (step == 0 || v % step == 0) values.push_back(v);
    } else {
      int low = 0;
      int high = 0;
      if (const std::size_t dash = range.find('-'); dash != std::string_view::npos) {
        low = parseValue(spec, range.substr(0, dash), isMonth, isWeekday);
        high = parseValue(spec, range.substr(dash + 1), isMonth, isWeekday);
        if (low > high) fail(spec, "range " + std::string(range) + " runs backwards");
      } else {
        low = parseValue(spec, range, isMonth, isWeekday);
        high = step > 0 ? spec.max : low;
      }
      for (int v = low; v <= high; v += std::max(step, 1)) values.push_back(v);
    }
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return values;
}

template <std::size_t N>
void setAll(std::bitset<N>& bits, const std::vector<int>& values) {
  for (int v : values) bits.set(static_cast<std::size_t>(v));
}

// "+05:30" / "-08:00", as the official backend accepts besides IANA names.
std::optional<seconds> parseFixedOffset(std::string_view text) {
  if (text.size() != 6 || (text[0] != '+' && text[0] != '-') || text[3] != ':') return std::nullopt;
  for (std::size_t i : {1u, 2u, 4u, 5u})
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return std::nullopt;
  const int hours = (text[1] - '0') * 10 + (text[2] - '0');
  const int minutes = (text[4] - '0') * 10 + (text[5] - '0');
  if (hours > 14 || minutes > 59) return std::nullopt;
  const seconds offset = std::chrono::hours(hours) + std::chrono::minutes(minutes);
  return text[0] == '-' ? -offset : offset;
}

date::sys_seconds asSys(seconds s) { return date::sys_seconds(s); }
date::local_seconds asLocal(seconds s) { return date::local_seconds(s); }

}  // namespace

CronSchedule CronSchedule::parse(std::string_view expression, std::string_view timeZone) {
  std::vector<std::string_view> parts;
  std::size_t i = 0;
  while (i < expression.size()) {
    while (i < expression.size() && std::isspace(static_cast<unsigned char>(expression[i]))) ++i;
    const std::size_t begin = i;
    while (i < expression.size() && !std::isspace(static_cast<unsigned char>(expression[i]))) ++i;
    if (i > begin) parts.push_back(expression.substr(begin, i - begin));
  }
  if (parts.size() != kFields.size()) {
    std::string message = "cron_expression: expected 6 fields (second minute hour day-of-month month day-of-week), got " +
                          std::to_string(parts.size());
    if (parts.size() == 5) message += "; add the seconds first, e.g. '0 " + std::string(expression) + "'";
    throw CronError("cron_expression", "", message);
  }
  CronSchedule cron;
  setAll(cron.seconds_, parseField(kFields[0], parts[0], false, false));
  setAll(cron.minutes_, parseField(kFields[1], parts[1], false, false));
  setAll(cron.hours_, parseField(kFields[2], parts[2], false, false));
  setAll(cron.days_, parseField(kFields[3], parts[3], false, false));
  setAll(cron.months_, parseField(kFields[4], parts[4], true, false));
  setAll(cron.weekdays_, parseField(kFields[5], parts[5], false, true));
  cron.everyHour_ = cron.hours_.all();

  if (timeZone.empty()) throw CronError("timezone", "", "timezone must not be empty (the default is UTC)");
  if (auto offset = parseFixedOffset(timeZone)) {
    cron.fixedOffset_ = *offset;
  } else {
    try {
      cron.zone_ = date::locate_zone(std::string(timeZone));
    } catch (const std::exception&) {
      throw CronError("timezone", "",
                      "timezone '" + std::string(timeZone) +
                          "' is not a time zone of the tz database; use an IANA name such as 'UTC', "
                          "'Europe/Berlin' or 'America/New_York', or a fixed offset such as '+05:30'");
    }
  }
  // Refuse what can never fire (February 30): it would sit in the list forever doing nothing.
  if (!cron.nextAfter(nowMs()))
    throw CronError("cron_expression", "",
                    "cron_expression: '" + std::string(expression) + "' matches no date in the next 50 years");
  return cron;
}

std::optional<std::chrono::seconds> CronSchedule::firstInDay(Seconds timeOfDay) const {
  const int start = static_cast<int>(timeOfDay.count());
  const int h0 = start / 3600;
  const int m0 = start % 3600 / 60;
  const int s0 = start % 60;
  for (int h = h0; h < 24; ++h) {
    if (!hours_[static_cast<std::size_t>(h)]) continue;
    for (int m = h == h0 ? m0 : 0; m < 60; ++m) {
      if (!minutes_[static_cast<std::size_t>(m)]) continue;
      for (int s = h == h0 && m == m0 ? s0 : 0; s < 60; ++s)
        if (seconds_[static_cast<std::size_t>(s)]) return Seconds(h * 3600 + m * 60 + s);
    }
  }
  return std::nullopt;
}

std::optional<std::chrono::seconds> CronSchedule::firstMatch(Seconds from, Seconds limit) const {
  date::local_days day = date::floor<date::days>(asLocal(from));
  Seconds timeOfDay = asLocal(from) - day;
  const date::local_days lastDay = date::floor<date::days>(asLocal(limit));
  while (day <= lastDay) {
    const date::year_month_day ymd{day};
    if (!months_[static_cast<unsigned>(ymd.month())]) {
      day = date::local_days{date::year_month_day{ymd.year(), ymd.month(), date::day{1}} + date::months{1}};
      timeOfDay = Seconds(0);
      continue;
    }
    const date::weekday weekday{day};
    // Both day fields must match, as in the official backend (classic cron would take either).
    if (days_[static_cast<unsigned>(ymd.day())] && weekdays_[weekday.c_encoding()]) {
      if (const auto inDay = firstInDay(timeOfDay)) {
        const Seconds match = (day + *inDay).time_since_epoch();
        if (match >= limit) return std::nullopt;
        return match;
      }
    }
    day += date::days{1};
    timeOfDay = Seconds(0);
  }
  return std::nullopt;
}

std::optional<std::chrono::seconds> CronSchedule::nextInZone(Seconds after) const {
  Seconds t = after + Seconds(1);
  const Seconds horizon = t + kSearchHorizon;
  if (!zone_) {
    const auto local = firstMatch(t + fixedOffset_, horizon + fixedOffset_);
    if (!local) return std::nullopt;
    return *local - fixedOffset_;
  }
  // Walk the zone's periods of constant offset in UTC order, so every instant is considered once.
  while (t < horizon) {
    const date::sys_info period = zone_->get_info(asSys(t));
    const Seconds offset = period.offset;
    const Seconds periodEnd = std::min(period.end.time_since_epoch(), horizon);
    if (const auto local = firstMatch(t + offset, periodEnd + offset)) {
      const Seconds run = *local - offset;
      const date::local_info wall = zone_->get_info(asLocal(*local));
      const bool repeatedWallTime = wall.result == date::local_info::ambiguous && wall.second.offset == offset;
      if (!repeatedWallTime || everyHour_) return run;
      // The second pass through a repeated hour: skip to where its wall times are new again.
      t = std::max(run + Seconds(1),
                   wall.first.end.time_since_epoch() + (wall.first.offset - wall.second.offset));
      continue;
    }
    if (periodEnd >= horizon) return std::nullopt;
    // The clock jumps forward at periodEnd: wall times in the gap never happen. A fixed-time run
    // that falls there runs once, at the first instant after the jump.
    const date::sys_info nextPeriod = zone_->get_info(asSys(periodEnd));
    if (nextPeriod.offset > offset && !everyHour_ &&
        firstMatch(periodEnd + offset, periodEnd + Seconds(nextPeriod.offset)))
      return periodEnd;
    t = periodEnd;
  }
  return std::nullopt;
}

std::optional<TimePoint> CronSchedule::nextAfter(TimePoint after) const {
  const Seconds whole = std::chrono::floor<Seconds>(after.time_since_epoch());
  const auto next = nextInZone(whole);
  if (!next) return std::nullopt;
  return TimePoint(std::chrono::duration_cast<TimePoint::duration>(*next));
}

std::optional<TimePoint> nextRunAfterFiring(const CronSchedule& cron, TimePoint scheduledFor, TimePoint now) {
  if (auto next = cron.nextAfter(scheduledFor); next && *next > now) return next;
  return cron.nextAfter(now);
}

}  // namespace spooled::server
