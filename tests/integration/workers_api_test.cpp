// Worker registration and liveness over HTTP.
#include "common/time.hpp"
#include "support/server_test.hpp"

namespace spooled::test {
namespace {

class WorkersApiTest : public ServerTest {};

TEST_F(WorkersApiTest, RegisterHeartbeatListGetDeregister) {
  const auto reg = http_->post("/api/v1/workers/register", {{"queue_name", "images"},
                                                            {"hostname", "box-1"},
                                                            {"worker_type", "resizer"},
                                                            {"max_concurrency", 4},
                                                            {"metadata", {{"region", "eu"}}},
                                                            {"version", "1.2.3"}});
  ASSERT_EQ(reg.status, 201) << reg.describe();
  const std::string id = reg.body["id"];
  EXPECT_EQ(reg.body["queue_name"], "images");
  EXPECT_EQ(reg.body["lease_duration_secs"], 30);
  EXPECT_EQ(reg.body["heartbeat_interval_secs"], 10);

  const auto got = http_->get("/api/v1/workers/" + id);
  ASSERT_EQ(got.status, 200) << got.describe();
  EXPECT_EQ(got.body["hostname"], "box-1");
  EXPECT_EQ(got.body["worker_type"], "resizer");
  EXPECT_EQ(got.body["max_concurrency"], 4);
  EXPECT_EQ(got.body["current_jobs"], 0);
  EXPECT_EQ(got.body["status"], "healthy");
  EXPECT_EQ(got.body["metadata"]["region"], "eu");
  EXPECT_EQ(got.body["version"], "1.2.3");
  EXPECT_TRUE(parseIso8601(got.body["registered_at"].get<std::string>()).has_value());
  EXPECT_TRUE(parseIso8601(got.body["last_heartbeat"].get<std::string>()).has_value());

  const auto beat = http_->post("/api/v1/workers/" + id + "/heartbeat", {{"current_jobs", 2}, {"status", "degraded"}});
  ASSERT_EQ(beat.status, 200) << beat.describe();
  const auto afterBeat = http_->get("/api/v1/workers/" + id).body;
  EXPECT_EQ(afterBeat["current_jobs"], 2);
  EXPECT_EQ(afterBeat["status"], "degraded");

  const auto list = http_->get("/api/v1/workers");
  ASSERT_EQ(list.status, 200) << list.describe();
  ASSERT_EQ(list.body.size(), 1u);
  EXPECT_EQ(list.body[0]["id"], id);
  for (const char* field : {"queue_name", "hostname", "status", "current_jobs", "max_concurrency", "last_heartbeat"})
    EXPECT_TRUE(list.body[0].contains(field)) << field;

  const auto gone = http_->request("POST", "/api/v1/workers/" + id + "/deregister");
  ASSERT_EQ(gone.status, 204) << gone.describe();
  EXPECT_EQ(http_->get("/api/v1/workers/" + id).body["status"], "offline");
}

TEST_F(WorkersApiTest, UnknownWorkerIs404) {
  const std::string unknown = "6f1d8a2e-3b4c-4d5e-8f90-a1b2c3d4e5f6";
  EXPECT_EQ(http_->post("/api/v1/workers/" + unknown + "/heartbeat", {{"current_jobs", 0}}).status, 404);
  EXPECT_EQ(http_->request("POST", "/api/v1/workers/" + unknown + "/deregister").status, 404);
}

}  // namespace
}  // namespace spooled::test
