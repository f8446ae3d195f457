// Cron schedules and their runs on SQLite (the StoreReader / StoreTx block "Cron schedules").
#include <stdexcept>

#include "server/store/schedule_columns.hpp"
#include "server/store/sqlite/sqlite_reader.hpp"
#include "server/store/sqlite/sqlite_tx.hpp"

namespace spooled::server {
namespace {

using Schedules = SqliteRows<ScheduleRecord>;
using Runs = SqliteRows<ScheduleRunRecord>;

// The WHERE of the partial index idx_schedules_due, word for word, so SQLite uses it.
constexpr const char* kActiveWithNextRun = "is_active = 1 AND next_run_at IS NOT NULL";

}  // namespace

template <class I>
std::optional<ScheduleRecord> SqliteReaderImpl<I>::findSchedule(const std::string& orgId, const std::string& scheduleId) {
  static const std::string sql = Schedules::select() + "WHERE org_id = ?1 AND id = ?2";
  return fetchOne<ScheduleRecord>(sql, {orgId, scheduleId});
}

template <class I>
std::vector<ScheduleRecord> SqliteReaderImpl<I>::listSchedules(const std::string& orgId, int limit) {
  static const std::string sql = Schedules::select() + "WHERE org_id = ?1 ORDER BY created_at DESC, rowid DESC LIMIT ?2";
  return fetchAll<ScheduleRecord>(sql, {orgId, limit});
}

template <class I>
long long SqliteReaderImpl<I>::countSchedules(const std::string& orgId) {
  SqliteQuery query = conn_.prepare("SELECT COUNT(*) FROM schedules WHERE org_id = ?1");
  bindParams(query, {orgId});
  return query.step() ? query.columnInt(0) : 0;
}

template <class I>
std::vector<ScheduleRunRecord> SqliteReaderImpl<I>::listScheduleRuns(const std::string& orgId,
                                                                     const std::string& scheduleId, int limit) {
  static const std::string sql =
      Runs::select() + "WHERE org_id = ?1 AND schedule_id = ?2 ORDER BY started_at DESC, rowid DESC LIMIT ?3";
  return fetchAll<ScheduleRunRecord>(sql, {orgId, scheduleId, limit});
}

template <class I>
std::optional<TimePoint> SqliteReaderImpl<I>::earliestScheduledRun() {
  static const std::string sql = std::string("SELECT MIN(next_run_at) FROM schedules WHERE ") + kActiveWithNextRun;
  SqliteQuery query = conn_.prepare(sql);
  if (!query.step() || query.isNull(0)) return std::nullopt;
  return fromEpochMs(query.columnInt(0));
}

// The reader's other members are instantiated in sqlite_reader.cpp; these are defined only here.
#define SPOOLED_SQLITE_SCHEDULE_READS(I)                                                                          \
  template std::optional<ScheduleRecord> SqliteReaderImpl<I>::findSchedule(const std::string&, const std::string&); \
  template std::vector<ScheduleRecord> SqliteReaderImpl<I>::listSchedules(const std::string&, int);                \
  template long long SqliteReaderImpl<I>::countSchedules(const std::string&);                                      \
  template std::vector<ScheduleRunRecord> SqliteReaderImpl<I>::listScheduleRuns(const std::string&,                \
                                                                                const std::string&, int);          \
  template std::optional<TimePoint> SqliteReaderImpl<I>::earliestScheduledRun();
SPOOLED_SQLITE_SCHEDULE_READS(StoreReader)
SPOOLED_SQLITE_SCHEDULE_READS(StoreTx)
#undef SPOOLED_SQLITE_SCHEDULE_READS

void SqliteTx::insertSchedule(const ScheduleRecord& schedule) { writeRow(Schedules::insert(), schedule, "insertSchedule"); }

void SqliteTx::updateSchedule(const ScheduleRecord& schedule) { writeRow(Schedules::update(), schedule, "updateSchedule"); }

bool SqliteTx::updateScheduleIfNextRun(const ScheduleRecord& schedule, std::optional<TimePoint> expectedNextRun) {
  // The expected value is the parameter after the columns; IS compares NULL with NULL as equal.
  static const int expectedIndex = static_cast<int>(columns::columnNames<ScheduleRecord>().size()) + 1;
  static const std::string sql = Schedules::update() + " AND next_run_at IS ?" + std::to_string(expectedIndex);
  SqliteQuery query = conn_.prepare(sql);
  Schedules::bind(query, schedule);
  if (expectedNextRun) {
    query.bindInt(expectedIndex, toEpochMs(*expectedNextRun));
  } else {
    query.bindNull(expectedIndex);
  }
  query.run();
  return conn_.changes() > 0;
}

bool SqliteTx::deleteSchedule(const std::string& orgId, const std::string& scheduleId) {
  // Its runs go with it (ON DELETE CASCADE).
  SqliteQuery query = conn_.prepare("DELETE FROM schedules WHERE org_id = ?1 AND id = ?2");
  bindParams(query, {orgId, scheduleId});
  query.run();
  return conn_.changes() > 0;
}

std::vector<ScheduleRecord> SqliteTx::findDueSchedules(TimePoint now, int limit) {
  static const std::string sql = Schedules::select() + "WHERE " + kActiveWithNextRun +
                                 " AND next_run_at <= ?1 ORDER BY next_run_at LIMIT ?2";
  return fetchAll<ScheduleRecord>(sql, {toEpochMs(now), limit});
}

void SqliteTx::insertScheduleRun(const ScheduleRunRecord& run) { writeRow(Runs::insert(), run, "insertScheduleRun"); }

void SqliteTx::pruneScheduleRuns(const std::string& scheduleId, int keep) {
  SqliteQuery query = conn_.prepare(
      "DELETE FROM schedule_runs WHERE schedule_id = ?1 AND rowid NOT IN (SELECT rowid FROM schedule_runs"
      " WHERE schedule_id = ?1 ORDER BY started_at DESC, rowid DESC LIMIT ?2)");
  bindParams(query, {scheduleId, keep});
  query.run();
}

}  // namespace spooled::server
