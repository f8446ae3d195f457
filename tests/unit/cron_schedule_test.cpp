// The cron dialect of schedules and its time-zone rules, on a fixed clock: each test asks for the
// next run after a chosen instant, so daylight-saving nights are checked whatever today is.
#include "server/core/cron_schedule.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace spooled::server {
namespace {

TimePoint at(const char* iso) {
  auto t = parseIso8601(iso);
  if (!t) throw std::runtime_error(std::string("bad test time ") + iso);
  return *t;
}

std::string next(const CronSchedule& cron, const char* after) {
  auto t = cron.nextAfter(at(after));
  return t ? formatIso8601(*t) : std::string("never");
}

// The runs after `from`, in order, until `until`.
std::vector<std::string> runsBetween(const CronSchedule& cron, const char* from, const char* until) {
  std::vector<std::string> out;
  TimePoint t = at(from);
  while (auto n = cron.nextAfter(t)) {
    if (*n >= at(until)) break;
    out.push_back(formatIso8601(*n));
    t = *n;
  }
  return out;
}

std::string errorOf(const char* expression, const char* zone = "UTC") {
  try {
    CronSchedule::parse(expression, zone);
  } catch (const CronError& e) {
    return e.field() + "|" + e.part() + "|" + e.what();
  }
  return "accepted";
}

TEST(CronSchedule, SixFieldsWithSecondsAsTheOfficialBackend) {
  const auto everyHour = CronSchedule::parse("0 0 * * * *", "UTC");
  EXPECT_EQ(next(everyHour, "2024-01-01T12:30:45Z"), "2024-01-01T13:00:00.000Z");
  const auto everySecond = CronSchedule::parse("* * * * * *", "UTC");
  EXPECT_EQ(next(everySecond, "2024-01-01T12:30:45.500Z"), "2024-01-01T12:30:46.000Z");
  const auto everyFive = CronSchedule::parse("0 */5 * * * *", "UTC");
  EXPECT_EQ(next(everyFive, "2024-01-01T12:03:00Z"), "2024-01-01T12:05:00.000Z");
  // A run exactly at `after` is not "after" it.
  EXPECT_EQ(next(everyFive, "2024-01-01T12:05:00Z"), "2024-01-01T12:10:00.000Z");
}

TEST(CronSchedule, ListsRangesStepsAndNames) {
  const auto weekdays = CronSchedule::parse("0 0 9 * * MON-FRI", "UTC");
  EXPECT_EQ(next(weekdays, "2024-01-05T10:00:00Z"), "2024-01-08T09:00:00.000Z");  // Friday -> Monday
  const auto list = CronSchedule::parse("0 0,30 9-10 * * *", "UTC");
  EXPECT_EQ(runsBetween(list, "2024-01-01T08:00:00Z", "2024-01-01T12:00:00Z"),
            (std::vector<std::string>{"2024-01-01T09:00:00.000Z", "2024-01-01T09:30:00.000Z",
                                      "2024-01-01T10:00:00.000Z", "2024-01-01T10:30:00.000Z"}));
  const auto sunday7 = CronSchedule::parse("0 0 0 * * 7", "UTC");
  EXPECT_EQ(next(sunday7, "2024-01-01T00:00:00Z"), "2024-01-07T00:00:00.000Z");
  const auto quarterly = CronSchedule::parse("0 0 0 1 */3 *", "UTC");  // as the backend: months 3, 6, 9, 12
  EXPECT_EQ(next(quarterly, "2024-01-15T00:00:00Z"), "2024-03-01T00:00:00.000Z");
  const auto leap = CronSchedule::parse("0 0 12 29 FEB *", "UTC");
  EXPECT_EQ(next(leap, "2025-01-01T00:00:00Z"), "2028-02-29T12:00:00.000Z");
}

TEST(CronSchedule, ErrorsSayWhatIsWrong) {
  EXPECT_EQ(errorOf("0 30 2 * *"),
            "cron_expression||cron_expression: expected 6 fields (second minute hour day-of-month month "
            "day-of-week), got 5; add the seconds first, e.g. '0 0 30 2 * *'");
  EXPECT_EQ(errorOf("0 60 * * * *"), "cron_expression|minute|cron_expression: minute field: value 60 is out of range 0-59");
  EXPECT_EQ(errorOf("0 * 25 * * *"), "cron_expression|hour|cron_expression: hour field: value 25 is out of range 0-23");
  EXPECT_EQ(errorOf("*/0 * * * * *"), "cron_expression|second|cron_expression: second field: step must be at least 1, got 0");
  EXPECT_EQ(errorOf("0 0 0 * * 5-1"), "cron_expression|day-of-week|cron_expression: day-of-week field: range 5-1 runs backwards");
  EXPECT_EQ(errorOf("0 0 0 * * x"), "cron_expression|day-of-week|cron_expression: day-of-week field: 'x' is not a number");
  EXPECT_EQ(errorOf("0 0 0 30 2 *"), "cron_expression||cron_expression: '0 0 0 30 2 *' matches no date in the next 50 years");
  EXPECT_EQ(errorOf("0 0 0 * * *", "Mars/Olympus"),
            "timezone||timezone 'Mars/Olympus' is not a time zone of the tz database; use an IANA name such as "
            "'UTC', 'Europe/Berlin' or 'America/New_York', or a fixed offset such as '+05:30'");
  EXPECT_EQ(errorOf("0 0 0 * * *", "+05:30"), "accepted");
  EXPECT_EQ(errorOf("0 0 0 * * *", "Asia/Kathmandu"), "accepted");
}

TEST(CronSchedule, WallClockOfTheZone) {
  const auto berlin = CronSchedule::parse("0 30 2 * * *", "Europe/Berlin");
  EXPECT_EQ(next(berlin, "2024-01-10T12:00:00Z"), "2024-01-11T01:30:00.000Z");  // CET, UTC+1
  EXPECT_EQ(next(berlin, "2024-07-10T12:00:00Z"), "2024-07-11T00:30:00.000Z");  // CEST, UTC+2
  const auto india = CronSchedule::parse("0 0 9 * * *", "+05:30");
  EXPECT_EQ(next(india, "2024-01-10T00:00:00Z"), "2024-01-10T03:30:00.000Z");
}

// 31 March 2024 in Berlin: 02:00 CET jumps to 03:00 CEST (01:00 UTC). 02:30 never happens.
TEST(CronSchedule, SpringForwardRunsAMissingWallTimeOnceAfterTheJump) {
  const auto nightly = CronSchedule::parse("0 30 2 * * *", "Europe/Berlin");
  EXPECT_EQ(runsBetween(nightly, "2024-03-29T12:00:00Z", "2024-04-02T00:00:00Z"),
            (std::vector<std::string>{"2024-03-30T01:30:00.000Z",    // 02:30 CET
                                      "2024-03-31T01:00:00.000Z",    // the jump: 03:00 CEST
                                      "2024-04-01T00:30:00.000Z"}));  // 02:30 CEST
  // Several fixed times inside the gap still make one run.
  const auto twice = CronSchedule::parse("0 0,30 2 * * *", "Europe/Berlin");
  EXPECT_EQ(runsBetween(twice, "2024-03-31T00:00:00Z", "2024-03-31T12:00:00Z"),
            (std::vector<std::string>{"2024-03-31T01:00:00.000Z"}));
  // Every hour at :30 follows elapsed time: the missing 02:30 is not made up.
  const auto hourly = CronSchedule::parse("0 30 * * * *", "Europe/Berlin");
  EXPECT_EQ(runsBetween(hourly, "2024-03-30T23:45:00Z", "2024-03-31T02:45:00Z"),
            (std::vector<std::string>{"2024-03-31T00:30:00.000Z",    // 01:30 CET
                                      "2024-03-31T01:30:00.000Z",    // 03:30 CEST
                                      "2024-03-31T02:30:00.000Z"}));  // 04:30 CEST
}

// 27 October 2024 in Berlin: 03:00 CEST falls back to 02:00 CET (01:00 UTC). 02:30 happens twice.
TEST(CronSchedule, FallBackRunsARepeatedWallTimeOnce) {
  const auto nightly = CronSchedule::parse("0 30 2 * * *", "Europe/Berlin");
  EXPECT_EQ(runsBetween(nightly, "2024-10-26T12:00:00Z", "2024-10-29T00:00:00Z"),
            (std::vector<std::string>{"2024-10-27T00:30:00.000Z",    // first 02:30 (CEST)
                                      "2024-10-28T01:30:00.000Z"}));  // next day, CET
  // Asked from inside the repeated hour, the second 02:30 is still not a run.
  EXPECT_EQ(next(nightly, "2024-10-27T00:45:00Z"), "2024-10-28T01:30:00.000Z");
  // Every 20 minutes keeps its rhythm through both passes of the hour.
  const auto often = CronSchedule::parse("0 */20 * * * *", "Europe/Berlin");
  EXPECT_EQ(runsBetween(often, "2024-10-27T00:10:00Z", "2024-10-27T02:10:00Z"),
            (std::vector<std::string>{"2024-10-27T00:20:00.000Z", "2024-10-27T00:40:00.000Z",
                                      "2024-10-27T01:00:00.000Z", "2024-10-27T01:20:00.000Z",
                                      "2024-10-27T01:40:00.000Z", "2024-10-27T02:00:00.000Z"}));
}

TEST(CronSchedule, MissedRunsCollapseIntoOne) {
  const auto minutely = CronSchedule::parse("0 * * * * *", "UTC");
  // On time (or a little late): the next period follows the one just fired.
  EXPECT_EQ(formatIso8601(*nextRunAfterFiring(minutely, at("2024-01-01T10:00:00Z"), at("2024-01-01T10:00:00.300Z"))),
            "2024-01-01T10:01:00.000Z");
  // Three hours down: one run fires for all of them, the next is the next minute after now.
  EXPECT_EQ(formatIso8601(*nextRunAfterFiring(minutely, at("2024-01-01T10:00:00Z"), at("2024-01-01T13:00:20Z"))),
            "2024-01-01T13:01:00.000Z");
}

}  // namespace
}  // namespace spooled::server
