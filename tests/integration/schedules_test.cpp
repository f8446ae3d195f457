// Cron schedules against a real server: the official shapes, validation that changes nothing,
// firing once per due second, no duplicate run across a SIGKILL and restart (nor across two servers
// on one PostgreSQL database), trigger, pause and resume, and the C++ SDK's schedules().
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "common/time.hpp"
#include "spooled/client.hpp"
#include "spooled/errors.hpp"
#include "support/pg_cluster.hpp"
#include "support/server_test.hpp"

namespace spooled::test {
namespace {

using namespace std::chrono_literals;

class SchedulesTest : public ServerTest {
 protected:
  json createSchedule(const json& overrides = json::object()) {
    json body{{"name", "nightly"},
              {"cron_expression", "0 30 2 * * *"},
              {"timezone", "Europe/Berlin"},
              {"queue_name", "reports"},
              {"payload_template", {{"type", "report"}}}};
    body.update(overrides);
    auto r = http_->post("/api/v1/schedules", body);
    EXPECT_EQ(r.status, 201) << r.describe();
    return r.body;
  }

  json getSchedule(const std::string& id) {
    auto r = http_->get("/api/v1/schedules/" + id);
    EXPECT_EQ(r.status, 200) << r.describe();
    return r.body;
  }

  json history(const std::string& id) {
    auto r = http_->get("/api/v1/schedules/" + id + "/history?limit=500");
    EXPECT_EQ(r.status, 200) << r.describe();
    return r.body;
  }

  // Polls until the schedule has run at least `runs` times (or the deadline passes); its run_count.
  long long waitForRuns(const std::string& id, long long runs, std::chrono::milliseconds deadline = 15s) {
    const auto until = std::chrono::steady_clock::now() + deadline;
    long long count = 0;
    while (std::chrono::steady_clock::now() < until) {
      count = getSchedule(id)["run_count"].get<long long>();
      if (count >= runs) return count;
      std::this_thread::sleep_for(50ms);
    }
    return count;
  }

  std::set<std::string> jobIdsOfQueue(const std::string& queue) {
    auto r = http_->get("/api/v1/jobs?queue_name=" + queue + "&limit=100");
    EXPECT_EQ(r.status, 200) << r.describe();
    std::set<std::string> ids;
    for (const auto& job : r.body) ids.insert(job["id"].get<std::string>());
    return ids;
  }
};

TimePoint timeOf(const json& value) { return *parseIso8601(value.get<std::string>()); }

// Every run fired for a different cron second, made its own job, and the jobs are exactly the queue's.
void expectOneJobPerRun(const json& runs, const std::set<std::string>& queueJobs) {
  std::set<std::string> seconds;
  std::set<std::string> jobs;
  for (const auto& run : runs) {
    ASSERT_EQ(run["status"], "completed") << run.dump();
    ASSERT_TRUE(run["scheduled_for"].is_string()) << run.dump();
    EXPECT_TRUE(seconds.insert(run["scheduled_for"].get<std::string>()).second) << "second fired twice: " << run.dump();
    EXPECT_TRUE(jobs.insert(run["job_id"].get<std::string>()).second) << run.dump();
  }
  EXPECT_EQ(jobs, queueJobs);
}

TEST_F(SchedulesTest, CrudWithTheOfficialShapes) {
  const json created = createSchedule({{"description", "daily report"}, {"priority", 5}, {"tags", {{"team", "ops"}}}});
  const std::string id = created["id"];
  for (const char* field : {"id", "organization_id", "name", "description", "cron_expression", "timezone", "queue_name",
                            "payload_template", "priority", "max_retries", "timeout_seconds", "is_active", "last_run_at",
                            "next_run_at", "run_count", "tags", "metadata", "created_at", "updated_at"})
    EXPECT_TRUE(created.contains(field)) << field << " missing in " << created.dump();
  EXPECT_EQ(created["cron_expression"], "0 30 2 * * *");
  EXPECT_EQ(created["timezone"], "Europe/Berlin");
  EXPECT_EQ(created["max_retries"], 3);
  EXPECT_EQ(created["timeout_seconds"], 300);
  EXPECT_EQ(created["is_active"], true);
  EXPECT_EQ(created["run_count"], 0);
  EXPECT_TRUE(created["last_run_at"].is_null());
  // 02:30 in Berlin is 00:30 or 01:30 UTC, whatever the season.
  const std::string next = created["next_run_at"];
  EXPECT_TRUE(next.find("T00:30:00") != std::string::npos || next.find("T01:30:00") != std::string::npos) << next;
  EXPECT_GT(timeOf(created["next_run_at"]), nowMs());

  const json defaults = createSchedule({{"name", "utc"}, {"timezone", nullptr}});
  EXPECT_EQ(defaults["timezone"], "UTC");

  auto list = http_->get("/api/v1/schedules");
  ASSERT_EQ(list.status, 200) << list.describe();
  ASSERT_EQ(list.body.size(), 2u);
  EXPECT_EQ(list.body[0]["id"], defaults["id"]);  // newest first

  auto updated = http_->request("PUT", "/api/v1/schedules/" + id,
                                json{{"description", "Updated description"}, {"priority", 10}});
  ASSERT_EQ(updated.status, 200) << updated.describe();
  EXPECT_EQ(getSchedule(id)["description"], "Updated description");
  EXPECT_EQ(getSchedule(id)["priority"], 10);
  EXPECT_EQ(getSchedule(id)["next_run_at"], created["next_run_at"]);  // same time: same plan

  // A new expression plans again from now.
  updated = http_->request("PUT", "/api/v1/schedules/" + id, json{{"cron_expression", "0 0 12 * * *"}, {"timezone", "UTC"}});
  ASSERT_EQ(updated.status, 200) << updated.describe();
  EXPECT_NE(updated.body["next_run_at"].get<std::string>().find("T12:00:00.000Z"), std::string::npos);

  EXPECT_EQ(http_->del("/api/v1/schedules/" + id).status, 204);
  EXPECT_EQ(http_->get("/api/v1/schedules/" + id).status, 404);
  EXPECT_EQ(http_->del("/api/v1/schedules/" + id).status, 404);
  EXPECT_EQ(http_->get("/api/v1/schedules/not-a-uuid").status, 404);
}

TEST_F(SchedulesTest, BadInputIsA400ThatNamesTheProblemAndChangesNothing) {
  struct Case {
    json body;
    std::string field;
    std::string messagePart;
  };
  const std::vector<Case> cases = {
      {{{"cron_expression", "0 30 2 * *"}}, "cron_expression", "expected 6 fields"},
      {{{"cron_expression", "0 61 2 * * *"}}, "cron_expression", "minute field: value 61 is out of range 0-59"},
      {{{"cron_expression", "0 0 0 30 2 *"}}, "cron_expression", "matches no date"},
      {{{"timezone", "Europe/Atlantis"}}, "timezone", "'Europe/Atlantis' is not a time zone"},
      {{{"payload_template", nullptr}}, "payload_template", "payload_template"},
      {{{"priority", 101}}, "priority", "priority"},
      {{{"queue_name", "bad name!"}}, "queue_name", "queue_name"},
  };
  for (const Case& c : cases) {
    json body{{"name", "n"}, {"cron_expression", "0 * * * * *"}, {"queue_name", "q"}, {"payload_template", json::object()}};
    body.update(c.body);
    auto r = http_->post("/api/v1/schedules", body);
    EXPECT_EQ(r.status, 400) << r.describe();
    EXPECT_EQ(r.body["code"], "VALIDATION_ERROR") << r.describe();
    EXPECT_EQ(r.body["details"]["field"], c.field) << r.describe();
    EXPECT_NE(r.body["message"].get<std::string>().find(c.messagePart), std::string::npos) << r.describe();
  }
  EXPECT_EQ(http_->get("/api/v1/schedules").body.size(), 0u);

  // An update with a bad expression or zone leaves the stored schedule exactly as it was.
  const std::string id = createSchedule()["id"];
  const json before = getSchedule(id);
  for (const json& change : {json{{"cron_expression", "* * * * *"}, {"name", "renamed"}},
                             json{{"timezone", "Nowhere/Land"}, {"priority", 9}}}) {
    auto r = http_->request("PUT", "/api/v1/schedules/" + id, change);
    EXPECT_EQ(r.status, 400) << r.describe();
    EXPECT_EQ(getSchedule(id), before);
  }
  const auto r = http_->request("PUT", "/api/v1/schedules/" + id, json{{"cron_expression", "0 0 0 * * 9"}});
  EXPECT_EQ(r.body["details"]["cron_field"], "day-of-week") << r.describe();
}

TEST_F(SchedulesTest, EverySecondFiresExactlyOncePerSecond) {
  const std::string id = createSchedule({{"cron_expression", "* * * * * *"}, {"queue_name", "ticks"}})["id"];
  ASSERT_GE(waitForRuns(id, 5), 5);
  http_->post("/api/v1/schedules/" + id + "/pause", json::object());
  const json runs = history(id);
  ASSERT_GE(runs.size(), 5u);
  expectOneJobPerRun(runs, jobIdsOfQueue("ticks"));
  // Newest first, one second apart with none skipped, each fired within a second of its time.
  for (std::size_t i = 0; i + 1 < runs.size(); ++i)
    EXPECT_EQ(timeOf(runs[i]["scheduled_for"]) - timeOf(runs[i + 1]["scheduled_for"]), 1000ms)
        << runs[i].dump() << "\n" << runs[i + 1].dump();
  for (const auto& run : runs) {
    const auto late = timeOf(run["started_at"]) - timeOf(run["scheduled_for"]);
    EXPECT_GE(late, 0ms);
    EXPECT_LT(late, 1000ms) << run.dump();
  }
  EXPECT_EQ(getSchedule(id)["run_count"].get<std::size_t>(), runs.size());
}

TEST_F(SchedulesTest, NoRunFiresTwiceAcrossAKillAndRestart) {
  const std::string id = createSchedule({{"cron_expression", "* * * * * *"}, {"queue_name", "ticks"}})["id"];
  ASSERT_GE(waitForRuns(id, 3), 3);
  server_.kill();
  const TimePoint killedAt = nowMs();
  std::this_thread::sleep_for(2500ms);  // downtime: at least two due seconds pass unfired
  server_.restart();
  const long long before = static_cast<long long>(history(id).size());
  ASSERT_GE(waitForRuns(id, before + 3), before + 3);
  http_->post("/api/v1/schedules/" + id + "/pause", json::object());
  const json runs = history(id);
  expectOneJobPerRun(runs, jobIdsOfQueue("ticks"));
  EXPECT_EQ(getSchedule(id)["run_count"].get<std::size_t>(), runs.size());
  // The missed seconds collapsed into one run (the first after the restart), not a burst.
  int catchUps = 0;
  for (const auto& run : runs)
    if (timeOf(run["started_at"]) - timeOf(run["scheduled_for"]) >= 1000ms) {
      ++catchUps;
      EXPECT_GE(timeOf(run["started_at"]), killedAt + 2500ms) << run.dump();
    }
  EXPECT_EQ(catchUps, 1) << runs.dump(1);
}

TEST_F(SchedulesTest, TriggerMakesAJobThatLinksBack) {
  const json created = createSchedule({{"priority", 7}, {"max_retries", 1}, {"tags", {{"team", "ops"}}}});
  const std::string id = created["id"];
  auto r = http_->post("/api/v1/schedules/" + id + "/trigger", json::object());
  ASSERT_EQ(r.status, 200) << r.describe();
  const std::string jobId = r.body["job_id"];
  EXPECT_TRUE(r.body["triggered_at"].is_string());
  EXPECT_EQ(r.body["scheduled_at"], r.body["triggered_at"]);

  const json job = api_->getJob(jobId);
  EXPECT_EQ(job["queue_name"], "reports");
  EXPECT_EQ(job["payload"], json({{"type", "report"}}));
  EXPECT_EQ(job["priority"], 7);
  EXPECT_EQ(job["max_retries"], 1);
  EXPECT_EQ(job["tags"]["schedule_id"], id);
  EXPECT_EQ(job["tags"]["team"], "ops");
  auto tagged = http_->get("/api/v1/jobs?tag=schedule_id");
  ASSERT_EQ(tagged.body.size(), 1u) << tagged.describe();

  const json after = getSchedule(id);
  EXPECT_EQ(after["run_count"], 1);
  EXPECT_TRUE(after["last_run_at"].is_string());
  EXPECT_EQ(after["next_run_at"], created["next_run_at"]);  // a trigger does not move the plan
  const json runs = history(id);
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0]["job_id"], jobId);
  EXPECT_EQ(runs[0]["status"], "completed");
  EXPECT_EQ(runs[0]["job_status"], "pending");
  EXPECT_TRUE(runs[0]["scheduled_for"].is_null());

  // The job's outcome shows in the history as it changes.
  const std::string worker = api_->registerWorker("reports");
  const json claimed = api_->claim("reports", worker);
  ASSERT_EQ(claimed.size(), 1u) << claimed.dump();
  ASSERT_EQ(api_->settle("complete", claimed[0], worker).status, 200);
  EXPECT_EQ(history(id)[0]["job_status"], "completed");

  EXPECT_EQ(http_->post("/api/v1/schedules/00000000-0000-4000-8000-000000000000/trigger", json::object()).status, 404);
}

TEST_F(SchedulesTest, PausedFiresNothingAndResumePlansFromNow) {
  const std::string id = createSchedule({{"cron_expression", "* * * * * *"}, {"queue_name", "ticks"}})["id"];
  ASSERT_GE(waitForRuns(id, 1), 1);
  auto paused = http_->post("/api/v1/schedules/" + id + "/pause", json::object());
  ASSERT_EQ(paused.status, 200) << paused.describe();
  EXPECT_EQ(paused.body["is_active"], false);
  const long long runsWhenPaused = getSchedule(id)["run_count"];
  std::this_thread::sleep_for(2200ms);  // two due seconds pass while paused
  EXPECT_EQ(getSchedule(id)["run_count"], runsWhenPaused);

  auto resumed = http_->post("/api/v1/schedules/" + id + "/resume", json::object());
  ASSERT_EQ(resumed.status, 200) << resumed.describe();
  EXPECT_EQ(resumed.body["is_active"], true);
  EXPECT_GT(timeOf(resumed.body["next_run_at"]), timeOf(paused.body["updated_at"]) + 2000ms);
  ASSERT_GE(waitForRuns(id, runsWhenPaused + 2), runsWhenPaused + 2);
  http_->post("/api/v1/schedules/" + id + "/pause", json::object());
  // The seconds missed while paused were not made up: nothing ran late.
  for (const auto& run : history(id))
    EXPECT_LT(timeOf(run["started_at"]) - timeOf(run["scheduled_for"]), 1000ms) << run.dump();
}

TEST_F(SchedulesTest, SdkSchedulesResource) {
  ClientOptions options;
  options.baseUrl = server_.baseUrl();
  options.apiKey = server_.apiKey();
  SpooledClient client(options);
  CreateScheduleParams params;
  params.name = "nightly";
  params.cronExpression = "0 30 2 * * *";
  params.timezone = "Europe/Berlin";
  params.queueName = "reports";
  params.payloadTemplate = json{{"kind", "report"}};
  const Schedule created = client.schedules().create(params);
  EXPECT_EQ(created.timezone, "Europe/Berlin");
  ASSERT_TRUE(created.nextRunAt.has_value());
  EXPECT_EQ(client.schedules().list().size(), 1u);
  UpdateScheduleParams change;
  change.priority = 10;
  EXPECT_EQ(client.schedules().update(created.id, change).priority, 10);
  EXPECT_FALSE(client.schedules().pause(created.id).isActive);
  EXPECT_TRUE(client.schedules().resume(created.id).isActive);
  const TriggerScheduleResult triggered = client.schedules().trigger(created.id);
  const auto runs = client.schedules().history(created.id);
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].jobId, triggered.jobId);
  EXPECT_EQ(runs[0].jobStatus, "pending");
  params.cronExpression = "0 30 2 * *";
  EXPECT_THROW(client.schedules().create(params), ValidationError);
  client.schedules().remove(created.id);
  EXPECT_THROW(client.schedules().get(created.id), NotFoundError);
}

// Two servers on one PostgreSQL database: only the duty holder fires, and each second once; when it
// dies, the other takes over without repeating a run.
TEST_F(SchedulesTest, TwoServersOnOneDatabaseFireEachRunOnce) {
  if (!postgresSelected()) GTEST_SKIP() << "several servers share a database on PostgreSQL only";
  ServerProcessOptions second;
  second.databaseUrl = server_.databaseUrl();
  ServerProcess other(second);
  other.start();
  const std::string id = createSchedule({{"cron_expression", "* * * * * *"}, {"queue_name", "ticks"}})["id"];
  ASSERT_GE(waitForRuns(id, 4), 4);
  server_.kill();  // maybe the duty holder; either way the other server carries on
  http_ = std::make_unique<HttpClient>(other.baseUrl(), other.apiKey());
  const long long before = getSchedule(id)["run_count"];
  ASSERT_GE(waitForRuns(id, before + 3), before + 3);
  http_->post("/api/v1/schedules/" + id + "/pause", json::object());
  const json runs = history(id);
  expectOneJobPerRun(runs, jobIdsOfQueue("ticks"));
  EXPECT_EQ(getSchedule(id)["run_count"].get<std::size_t>(), runs.size());
}

}  // namespace
}  // namespace spooled::test
