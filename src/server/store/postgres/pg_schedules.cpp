// Cron schedules and their runs on PostgreSQL (the StoreReader / StoreTx block "Cron schedules").
// Inside a write transaction a schedule looked up by id is locked (FOR UPDATE), so an update, a
// trigger and the firing duty on another server take turns instead of undoing each other; the duty
// picks due schedules FOR UPDATE SKIP LOCKED and advances them with a compare-and-set.
#include <stdexcept>

#include "server/store/postgres/pg_reader.hpp"
#include "server/store/postgres/pg_tx.hpp"
#include "server/store/schedule_columns.hpp"

namespace spooled::server {
namespace {

using Schedules = PgRows<ScheduleRecord>;
using Runs = PgRows<ScheduleRunRecord>;

}  // namespace

template <class I>
std::optional<ScheduleRecord> PgReaderImpl<I>::findSchedule(const std::string& orgId, const std::string& scheduleId) {
  return fetchOne<ScheduleRecord>(Schedules::select() + "WHERE org_id = $1 AND id = $2" + lock_, {orgId, scheduleId});
}

template <class I>
std::vector<ScheduleRecord> PgReaderImpl<I>::listSchedules(const std::string& orgId, int limit) {
  static const std::string sql = Schedules::select() + "WHERE org_id = $1 ORDER BY created_at DESC, seq DESC LIMIT $2";
  return fetchAll<ScheduleRecord>(sql, {orgId, pgInt(limit)});
}

template <class I>
long long PgReaderImpl<I>::countSchedules(const std::string& orgId) {
  return count("SELECT COUNT(*) FROM schedules WHERE org_id = $1", {orgId});
}

template <class I>
std::vector<ScheduleRunRecord> PgReaderImpl<I>::listScheduleRuns(const std::string& orgId, const std::string& scheduleId,
                                                                 int limit) {
  static const std::string sql =
      Runs::select() + "WHERE org_id = $1 AND schedule_id = $2 ORDER BY started_at DESC, seq DESC LIMIT $3";
  return fetchAll<ScheduleRunRecord>(sql, {orgId, scheduleId, pgInt(limit)});
}

template <class I>
std::optional<TimePoint> PgReaderImpl<I>::earliestScheduledRun() {
  const auto text =
      conn_.queryText("SELECT MIN(next_run_at) FROM schedules WHERE is_active AND next_run_at IS NOT NULL");
  if (!text) return std::nullopt;
  return fromEpochMs(std::stoll(*text));
}

// The reader's other members are instantiated in pg_reader.cpp; these are defined only here.
#define SPOOLED_PG_SCHEDULE_READS(I)                                                                              \
  template std::optional<ScheduleRecord> PgReaderImpl<I>::findSchedule(const std::string&, const std::string&);  \
  template std::vector<ScheduleRecord> PgReaderImpl<I>::listSchedules(const std::string&, int);                 \
  template long long PgReaderImpl<I>::countSchedules(const std::string&);                                       \
  template std::vector<ScheduleRunRecord> PgReaderImpl<I>::listScheduleRuns(const std::string&, const std::string&, \
                                                                            int);                              \
  template std::optional<TimePoint> PgReaderImpl<I>::earliestScheduledRun();
SPOOLED_PG_SCHEDULE_READS(StoreReader)
SPOOLED_PG_SCHEDULE_READS(StoreTx)
#undef SPOOLED_PG_SCHEDULE_READS

void PgTx::insertSchedule(const ScheduleRecord& schedule) { writeRow(Schedules::insert(), schedule, "insertSchedule"); }

void PgTx::updateSchedule(const ScheduleRecord& schedule) { writeRow(Schedules::update(), schedule, "updateSchedule"); }

bool PgTx::updateScheduleIfNextRun(const ScheduleRecord& schedule, std::optional<TimePoint> expectedNextRun) {
  PgParams params = Schedules::bind(schedule);
  // The expected value is the parameter after the columns. At READ COMMITTED, an UPDATE that waited
  // for another transaction's change of the row re-checks this condition against the new version.
  static const std::string sql = Schedules::update() + " AND next_run_at IS NOT DISTINCT FROM $" +
                                 std::to_string(params.size() + 1) + "::BIGINT";
  params.push_back(expectedNextRun ? PgParam(pgTime(*expectedNextRun)) : PgParam{});
  return conn_.query(sql, params).affected() > 0;
}

bool PgTx::deleteSchedule(const std::string& orgId, const std::string& scheduleId) {
  // Its runs go with it (ON DELETE CASCADE).
  return conn_.query("DELETE FROM schedules WHERE org_id = $1 AND id = $2", {orgId, scheduleId}).affected() > 0;
}

std::vector<ScheduleRecord> PgTx::findDueSchedules(TimePoint now, int limit) {
  static const std::string sql = Schedules::select() +
                                 "WHERE is_active AND next_run_at IS NOT NULL AND next_run_at <= $1"
                                 " ORDER BY next_run_at LIMIT $2 FOR UPDATE SKIP LOCKED";
  return fetchAll<ScheduleRecord>(sql, {pgTime(now), pgInt(limit)});
}

void PgTx::insertScheduleRun(const ScheduleRunRecord& run) { writeRow(Runs::insert(), run, "insertScheduleRun"); }

void PgTx::pruneScheduleRuns(const std::string& scheduleId, int keep) {
  conn_.query(
      "DELETE FROM schedule_runs WHERE schedule_id = $1 AND seq < (SELECT MIN(seq) FROM (SELECT seq FROM schedule_runs"
      " WHERE schedule_id = $1 ORDER BY started_at DESC, seq DESC LIMIT $2) AS kept)",
      {scheduleId, pgInt(keep)});
}

}  // namespace spooled::server
