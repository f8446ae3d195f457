// Cron schedules on both stores: rows round-trip, the compare-and-set that makes each run single,
// due lookups, history order and pruning, cascades; and ScheduleService firing on a fixed clock.
#include <gtest/gtest.h>

#include <atomic>

#include "server/core/job_engine.hpp"
#include "server/core/schedule_service.hpp"
#include "server/store/migrations/migrations.hpp"
#include "server/store/sqlite/sqlite_connection.hpp"
#include "store_fixtures.hpp"

namespace spooled::server {
namespace {

using namespace store_fixtures;
using namespace std::chrono_literals;

json view(const ScheduleRecord& s) {
  return {{"id", s.id}, {"org_id", s.orgId}, {"name", s.name}, {"description", opt(s.description)},
          {"cron_expression", s.cronExpression}, {"timezone", s.timezone}, {"queue_name", s.queueName},
          {"payload_template", s.payloadTemplate}, {"priority", s.priority}, {"max_retries", s.maxRetries},
          {"timeout_seconds", s.timeoutSeconds}, {"is_active", s.isActive}, {"last_run_at", opt(s.lastRunAt)},
          {"next_run_at", opt(s.nextRunAt)}, {"run_count", s.runCount}, {"tags", opt(s.tags)},
          {"metadata", opt(s.metadata)}, {"created_at", toEpochMs(s.createdAt)}, {"updated_at", toEpochMs(s.updatedAt)}};
}

class StoreSchedulesTest : public ::testing::TestWithParam<StoreBackend> {
 protected:
  void SetUp() override {
    store_ = GetParam().open(dir_.path());
    org_ = fullOrganization("acme");
    store_->writeNow([&](StoreTx& tx) { tx.insertOrganization(org_); });
  }

  ScheduleRecord schedule(const std::string& name, std::optional<TimePoint> nextRun, bool active = true) {
    ScheduleRecord s;
    s.id = newUuid();
    s.orgId = org_.id;
    s.name = name;
    s.description = "about " + name;
    s.cronExpression = "* * * * * *";
    s.timezone = "Europe/Berlin";
    s.queueName = "q-" + name;
    s.payloadTemplate = {{"n", name}};
    s.priority = 4;
    s.maxRetries = 2;
    s.timeoutSeconds = 60;
    s.isActive = active;
    s.lastRunAt = at(1);
    s.nextRunAt = nextRun;
    s.runCount = 7;
    s.tags = json{{"team", "ops"}};
    s.metadata = json{{"owner", "me"}};
    s.createdAt = at(0);
    s.updatedAt = at(1);
    return s;
  }

  std::optional<ScheduleRecord> find(const std::string& id) {
    return store_->readResult([&](StoreReader& r) { return r.findSchedule(org_.id, id); });
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
  OrganizationRecord org_;
};

TEST_P(StoreSchedulesTest, RoundTripsEveryColumnAndListsNewestFirst) {
  ScheduleRecord older = schedule("older", at(10));
  ScheduleRecord newer = schedule("newer", std::nullopt);
  newer.createdAt = at(5);
  newer.description.reset();
  newer.tags.reset();
  store_->writeNow([&](StoreTx& tx) {
    tx.insertSchedule(older);
    tx.insertSchedule(newer);
  });
  EXPECT_EQ(view(*find(older.id)), view(older));
  EXPECT_EQ(view(*find(newer.id)), view(newer));
  const auto listed = store_->readResult([&](StoreReader& r) { return r.listSchedules(org_.id, 10); });
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].id, newer.id);
  EXPECT_EQ(store_->readResult([&](StoreReader& r) { return r.countSchedules(org_.id); }), 2);
  EXPECT_FALSE(store_->readResult([&](StoreReader& r) { return r.findSchedule("other-org", older.id); }));
}

TEST_P(StoreSchedulesTest, CompareAndSetMovesTheNextRunOnce) {
  ScheduleRecord s = schedule("cas", at(10));
  store_->writeNow([&](StoreTx& tx) { tx.insertSchedule(s); });
  ScheduleRecord advanced = s;
  advanced.nextRunAt = at(11);
  EXPECT_TRUE(store_->writeNow([&](StoreTx& tx) { return tx.updateScheduleIfNextRun(advanced, at(10)); }));
  // A second transaction that read the old value changes nothing.
  ScheduleRecord stale = s;
  stale.nextRunAt = at(99);
  EXPECT_FALSE(store_->writeNow([&](StoreTx& tx) { return tx.updateScheduleIfNextRun(stale, at(10)); }));
  EXPECT_EQ(find(s.id)->nextRunAt, at(11));
  // NULL compares equal to "none".
  advanced.nextRunAt.reset();
  EXPECT_TRUE(store_->writeNow([&](StoreTx& tx) { return tx.updateScheduleIfNextRun(advanced, at(11)); }));
  advanced.nextRunAt = at(20);
  EXPECT_TRUE(store_->writeNow([&](StoreTx& tx) { return tx.updateScheduleIfNextRun(advanced, std::nullopt); }));
  EXPECT_EQ(find(s.id)->nextRunAt, at(20));
}

TEST_P(StoreSchedulesTest, DueSchedulesAreActiveAndPastTheirTimeEarliestFirst) {
  const ScheduleRecord late = schedule("late", at(8));
  const ScheduleRecord early = schedule("early", at(5));
  const ScheduleRecord future = schedule("future", at(50));
  const ScheduleRecord paused = schedule("paused", at(1), false);
  const ScheduleRecord never = schedule("never", std::nullopt);
  store_->writeNow([&](StoreTx& tx) {
    for (const auto& s : {late, early, future, paused, never}) tx.insertSchedule(s);
  });
  const auto due = store_->writeNow([&](StoreTx& tx) { return tx.findDueSchedules(at(10), 10); });
  ASSERT_EQ(due.size(), 2u);
  EXPECT_EQ(due[0].id, early.id);
  EXPECT_EQ(due[1].id, late.id);
  EXPECT_EQ(store_->writeNow([&](StoreTx& tx) { return tx.findDueSchedules(at(10), 1); }).size(), 1u);
  EXPECT_EQ(store_->readResult([](StoreReader& r) { return r.earliestScheduledRun(); }), at(5));
}

TEST_P(StoreSchedulesTest, RunsNewestFirstPrunedAndDeletedWithTheirSchedule) {
  const ScheduleRecord s = schedule("runs", at(10));
  store_->writeNow([&](StoreTx& tx) {
    tx.insertSchedule(s);
    for (int i = 0; i < 5; ++i) {
      ScheduleRunRecord run;
      run.id = newTimeOrderedUuid();
      run.orgId = org_.id;
      run.scheduleId = s.id;
      run.jobId = "job-" + std::to_string(i);
      run.scheduledFor = at(i);
      run.startedAt = at(i);
      run.completedAt = at(i);
      tx.insertScheduleRun(run);
    }
  });
  auto runs = store_->readResult([&](StoreReader& r) { return r.listScheduleRuns(org_.id, s.id, 10); });
  ASSERT_EQ(runs.size(), 5u);
  EXPECT_EQ(runs[0].jobId, "job-4");
  EXPECT_EQ(runs[0].scheduledFor, at(4));
  EXPECT_EQ(runs[0].status, "completed");
  store_->writeNow([&](StoreTx& tx) { tx.pruneScheduleRuns(s.id, 2); });
  runs = store_->readResult([&](StoreReader& r) { return r.listScheduleRuns(org_.id, s.id, 10); });
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[1].jobId, "job-3");
  EXPECT_TRUE(store_->writeNow([&](StoreTx& tx) { return tx.deleteSchedule(org_.id, s.id); }));
  EXPECT_FALSE(store_->writeNow([&](StoreTx& tx) { return tx.deleteSchedule(org_.id, s.id); }));
  EXPECT_TRUE(store_->readResult([&](StoreReader& r) { return r.listScheduleRuns(org_.id, s.id, 10); }).empty());
}

TEST_P(StoreSchedulesTest, DeletingTheOrganizationDeletesItsSchedules) {
  const ScheduleRecord s = schedule("gone", at(10));
  store_->writeNow([&](StoreTx& tx) { tx.insertSchedule(s); });
  store_->writeNow([&](StoreTx& tx) { tx.deleteOrganization(org_.id); });
  EXPECT_FALSE(find(s.id));
  EXPECT_FALSE(store_->readResult([](StoreReader& r) { return r.earliestScheduledRun(); }));
}

// ScheduleService on a clock the test moves: each due run makes one job, in the run's transaction.
class ScheduleFiringTest : public StoreSchedulesTest {
 protected:
  void SetUp() override {
    StoreSchedulesTest::SetUp();
    engine_ = std::make_unique<JobEngine>(*store_, notifier_, RetryPolicy{}, [this] { return fromEpochMs(nowMs_.load()); });
    service_ = std::make_unique<ScheduleService>(*store_, *engine_);
  }
  void setNow(const char* iso) { nowMs_ = toEpochMs(*parseIso8601(iso)); }
  std::vector<ScheduleRunRecord> runs(const std::string& id) {
    return store_->readResult([&](StoreReader& r) { return r.listScheduleRuns(org_.id, id, 100); });
  }

  std::atomic<long long> nowMs_{0};
  JobNotifier notifier_;
  std::unique_ptr<JobEngine> engine_;
  std::unique_ptr<ScheduleService> service_;
};

TEST_P(ScheduleFiringTest, EachDueRunMakesOneJobAndMissedRunsCollapse) {
  setNow("2024-01-01T10:00:00.500Z");
  ScheduleInput input;
  input.name = "minutely";
  input.cronExpression = "0 * * * * *";
  input.queueName = "ticks";
  input.payloadTemplate = {{"k", 1}};
  const ScheduleRecord s = syncWait(service_->create(org_.id, input));
  EXPECT_EQ(formatIso8601(*s.nextRunAt), "2024-01-01T10:01:00.000Z");

  EXPECT_EQ(syncWait(service_->fireDue()), 0);  // not due yet
  setNow("2024-01-01T10:01:00.020Z");
  EXPECT_EQ(syncWait(service_->fireDue()), 1);
  EXPECT_EQ(syncWait(service_->fireDue()), 0);  // the same second never fires twice
  auto history = runs(s.id);
  ASSERT_EQ(history.size(), 1u);
  ASSERT_TRUE(history[0].jobId);
  const auto job = store_->readResult([&](StoreReader& r) { return r.findJob(org_.id, *history[0].jobId); });
  ASSERT_TRUE(job);
  EXPECT_EQ(job->queueName, "ticks");
  EXPECT_EQ((*job->tags)["schedule_id"], s.id);
  EXPECT_EQ((*job->tags)["schedule_run_id"], history[0].id);

  // Down for an hour: one run for all the missed minutes, then the next minute after now.
  setNow("2024-01-01T11:01:30.000Z");
  EXPECT_EQ(syncWait(service_->fireDue()), 1);
  EXPECT_EQ(syncWait(service_->fireDue()), 0);
  history = runs(s.id);
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(formatIso8601(*history[0].scheduledFor), "2024-01-01T10:02:00.000Z");
  const auto after = store_->readResult([&](StoreReader& r) { return r.findSchedule(org_.id, s.id); });
  EXPECT_EQ(formatIso8601(*after->nextRunAt), "2024-01-01T11:02:00.000Z");
  EXPECT_EQ(after->runCount, 2);
}

// Migration numbers are reserved per feature, so schedules' step 6 can reach a database that already
// has steps 7 and 8: it is applied, not skipped for being below the newest recorded step.
TEST(ScheduleMigration, AStepNumberedBelowTheNewestRecordedIsStillApplied) {
  TempDir dir;
  SqliteConnection conn((dir.path() / "m.db").string(), SqliteConnection::Mode::ReadWrite, 1000);
  static constexpr Migration kOld[] = {{5, "five", "CREATE TABLE five (x INTEGER)"},
                                       {7, "seven", "CREATE TABLE seven (x INTEGER)"}};
  static constexpr Migration kNew[] = {{5, "five", "CREATE TABLE five (x INTEGER)"},
                                       {6, "six", "CREATE TABLE six (x INTEGER)"},
                                       {7, "seven", "CREATE TABLE seven (x INTEGER)"}};
  EXPECT_EQ(applySqliteMigrations(conn, kOld, nowMs()), 2);
  EXPECT_EQ(applySqliteMigrations(conn, kNew, nowMs()), 1);
  EXPECT_EQ(conn.queryText("SELECT COUNT(*) FROM six"), "0");
  EXPECT_EQ(applySqliteMigrations(conn, kNew, nowMs()), 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreSchedulesTest, ::testing::ValuesIn(storeBackends()), backendTestName);
INSTANTIATE_TEST_SUITE_P(Backends, ScheduleFiringTest, ::testing::ValuesIn(storeBackends()), backendTestName);

}  // namespace
}  // namespace spooled::server
