#pragma once
// A cron expression in the official backend's dialect (six fields, seconds first) bound to a time
// zone, and the one question the scheduler asks of it: when is the next run after a given moment.
// The fields match the wall clock of the zone; daylight-saving rules are in docs/api.md
// ("Cron schedules") and in nextAfter below. Time zones come from the system's tz database
// (Debian tzdata) through Howard Hinnant's date library; its headers stay inside cron_schedule.cpp.
#include <bitset>
#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "common/time.hpp"

namespace date {
class time_zone;
}

namespace spooled::server {

// What is wrong with an expression or a time zone. `field` is the request field to blame
// ("cron_expression" or "timezone"); `part` the cron field ("minute", ...) when there is one.
class CronError : public std::runtime_error {
 public:
  CronError(std::string field, std::string part, const std::string& message)
      : std::runtime_error(message), field_(std::move(field)), part_(std::move(part)) {}
  const std::string& field() const { return field_; }
  const std::string& part() const { return part_; }

 private:
  std::string field_;
  std::string part_;
};

class CronSchedule {
 public:
  // Throws CronError when the expression is malformed, can never fire (e.g. February 30), or the
  // zone is neither an IANA name of the tz database nor a fixed offset "+HH:MM" / "-HH:MM".
  static CronSchedule parse(std::string_view expression, std::string_view timeZone);

  // The first run strictly after `after` (runs fall on whole seconds), or nullopt when none falls in
  // the next 50 years. Daylight saving, for a zone whose clock jumps:
  // - a wall time that does not exist (spring forward) runs once at the first instant after the jump,
  //   unless the hour field is `*`, whose runs follow elapsed time and simply skip the missing hour;
  // - a wall time that happens twice (fall back) runs at its first occurrence only, unless the hour
  //   field is `*`, whose runs continue through the repeated hour.
  std::optional<TimePoint> nextAfter(TimePoint after) const;

 private:
  using Seconds = std::chrono::seconds;
  // The first wall-clock second in [from, limit) the fields match, as seconds since the local epoch.
  std::optional<Seconds> firstMatch(Seconds from, Seconds limit) const;
  std::optional<Seconds> firstInDay(Seconds timeOfDay) const;
  std::optional<Seconds> nextInZone(Seconds after) const;

  std::bitset<60> seconds_;
  std::bitset<60> minutes_;
  std::bitset<24> hours_;
  std::bitset<32> days_;      // 1-31
  std::bitset<13> months_;    // 1-12
  std::bitset<7> weekdays_;   // 0 = Sunday
  bool everyHour_ = false;    // hour field matches every hour: runs follow elapsed time across DST
  const date::time_zone* zone_ = nullptr;  // nullptr: fixedOffset_
  Seconds fixedOffset_{0};
};

// When a schedule runs next after firing the run due at `scheduledFor` at `now`: the next time after
// that run when it is still ahead; otherwise (the server was down or busy for more than one period)
// the next time after `now`, so the missed runs collapse into the one just fired instead of a burst.
std::optional<TimePoint> nextRunAfterFiring(const CronSchedule& cron, TimePoint scheduledFor, TimePoint now);

}  // namespace spooled::server
