// The official PHP SDK encodes an empty map as [] (PHP has one array type), so it sends
// "metadata": [] when a worker has no metadata, "payload": [] for an empty payload, "result": [] for a
// handler that returned an empty array. The official backend takes any JSON value there; so do we, and
// an empty array where an object is meant reads back as {}. Tags keep [] (PHP's tags are a list).
#include <gtest/gtest.h>

#include "support/server_test.hpp"

namespace spooled::test {
namespace {

class PhpEmptyArrayTest : public ServerTest {
 protected:
  HttpResult raw(const std::string& method, const std::string& path, const std::string& body) {
    return http_->requestRaw(method, path, body, {{"Content-Type", "application/json"}});
  }
};

TEST_F(PhpEmptyArrayTest, WorkerWithoutMetadataRegistersAndHeartbeats) {
  // The body the PHP SDK's SpooledWorker sends on start, snake-cased, with its default empty metadata.
  HttpResult r = raw("POST", "/api/v1/workers/register",
                           R"({"queue_name":"emails","hostname":"php-worker","max_concurrency":5,)"
                           R"("worker_type":null,"version":"1.0.0","metadata":[]})");
  ASSERT_EQ(r.status, 201) << r.describe();
  const std::string id = r.body["id"];
  EXPECT_EQ(http_->get("/api/v1/workers/" + id).body["metadata"], json::object());

  HttpResult beat = raw("POST", "/api/v1/workers/" + id + "/heartbeat", R"({"current_jobs":0,"metadata":[]})");
  ASSERT_EQ(beat.status, 200) << beat.describe();
  EXPECT_EQ(http_->get("/api/v1/workers/" + id).body["metadata"], json::object());
}

TEST_F(PhpEmptyArrayTest, EmptyPayloadsAndResultsReadBackAsEmptyObjects) {
  HttpResult created = raw("POST", "/api/v1/jobs", R"({"queue_name":"emails","payload":[],"tags":[]})");
  ASSERT_EQ(created.status, 201) << created.describe();
  const std::string id = created.body["id"];
  const json job = api_->getJob(id);
  EXPECT_EQ(job["payload"], json::object());
  EXPECT_EQ(job["tags"], json::array()) << "tags are a list in the PHP SDK; [] stays []";

  HttpResult bulk = raw("POST", "/api/v1/jobs/bulk", R"({"queue_name":"emails","jobs":[{"payload":[]}]})");
  ASSERT_EQ(bulk.status, 200) << bulk.describe();
  ASSERT_EQ(bulk.body["success_count"], 1) << bulk.describe();
  EXPECT_EQ(api_->getJob(bulk.body["succeeded"][0]["job_id"])["payload"], json::object());

  const std::string worker = api_->registerWorker("emails");
  const json claimed = api_->claim("emails", worker, {{"limit", 2}});
  ASSERT_EQ(claimed.size(), 2u);
  for (const json& c : claimed) EXPECT_EQ(c["payload"], json::object()) << c.dump();
  HttpResult done = raw("POST", "/api/v1/jobs/" + id + "/complete",
                              R"({"worker_id":")" + worker + R"(","lease_id":")" +
                                  (claimed[0]["id"] == id ? claimed[0] : claimed[1])["lease_id"].get<std::string>() +
                                  R"(","result":[]})");
  ASSERT_EQ(done.status, 200) << done.describe();
  EXPECT_EQ(api_->getJob(id)["result"], json::object());
}

TEST_F(PhpEmptyArrayTest, EmptySettingsReadBackAsEmptyObjects) {
  HttpResult queue = raw("PUT", "/api/v1/queues/emails/config", R"({"queue_name":"emails","settings":[]})");
  ASSERT_EQ(queue.status, 200) << queue.describe();
  EXPECT_EQ(queue.body["settings"], json::object());
  EXPECT_EQ(http_->get("/api/v1/queues/emails").body["settings"], json::object());

  const std::string orgId = http_->get("/api/v1/organizations").body.at(0).at("id");
  HttpResult org = raw("PUT", "/api/v1/organizations/" + orgId, R"({"settings":[]})");
  ASSERT_EQ(org.status, 200) << org.describe();
  EXPECT_EQ(org.body["settings"], json::object());
}

TEST_F(PhpEmptyArrayTest, AnyJsonValueIsTakenAsTheOfficialBackendTakesIt) {
  // Non-empty arrays and scalars are kept as sent; only [] means "empty object".
  for (const json& payload : {json::array({1, 2}), json("text"), json(7), json(true)}) {
    HttpResult r = http_->post("/api/v1/jobs", {{"queue_name", "any"}, {"payload", payload}});
    ASSERT_EQ(r.status, 201) << payload.dump() << r.describe();
    EXPECT_EQ(api_->getJob(r.body["id"])["payload"], payload);
  }
  HttpResult tagged = http_->post("/api/v1/jobs", {{"queue_name", "any"}, {"payload", json::object()},
                                                         {"tags", json::array({"urgent", "billing"})}});
  ASSERT_EQ(tagged.status, 201) << tagged.describe();
  HttpResult found = http_->get("/api/v1/jobs?tag=billing");
  ASSERT_EQ(found.body.size(), 1u) << found.describe();
  EXPECT_EQ(found.body[0]["id"], tagged.body["id"]);

  HttpResult worker = http_->post("/api/v1/workers/register",
                                        {{"queue_name", "any"}, {"hostname", "h"}, {"metadata", json::array({"a", "b"})}});
  ASSERT_EQ(worker.status, 201) << worker.describe();
  EXPECT_EQ(http_->get("/api/v1/workers/" + worker.body["id"].get<std::string>()).body["metadata"],
            json::array({"a", "b"}));
}

}  // namespace
}  // namespace spooled::test
