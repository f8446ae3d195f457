// `spooled jobs enqueue`, `queues`, `dlq`, `workers`, `keys` and `watch` against a real server.
#include <fstream>

#include "support/cli_runner.hpp"
#include "support/worker_fixture.hpp"

namespace spooled::test {
namespace {

class CliAdminTest : public WorkerFixture {
 protected:
  CliResult cli(const std::vector<std::string>& args, const std::string& stdinText = {}) {
    return runCli({server_.baseUrl(), server_.apiKey()}, args, stdinText);
  }

  // Dead-letters `n` jobs of `queue` (max_retries 0, one failure each); returns their ids.
  std::vector<std::string> deadLetter(const std::string& queue, int n) {
    std::vector<std::string> ids;
    for (int i = 0; i < n; ++i) ids.push_back(createJob(queue, json::object(), 0));
    const std::string workerId = api_->registerWorker(queue);
    for (const auto& j : api_->claim(queue, workerId, {{"limit", n}})) api_->settle("fail", j, workerId, {{"error", "boom"}});
    for (const auto& id : ids) waitForStatus(id, "deadletter");
    return ids;
  }
};

TEST_F(CliAdminTest, EnqueueNdjsonInBatchesAndListsTheFailedItems) {
  std::string ndjson;
  for (int i = 0; i < 250; ++i) ndjson += json{{"n", i}}.dump() + "\n";
  ndjson += "{broken\n";                                                   // line 251: not JSON
  ndjson += R"({"payload": {"n": "spec"}, "priority": 500})" "\n";          // line 252: priority out of range
  ndjson += R"({"payload": {"n": "ok"}, "priority": 5, "idempotency_key": "k1"})" "\n";
  const CliResult r = cli({"jobs", "enqueue", "--file", "-", "--queue", "bulk", "--json"}, ndjson);
  EXPECT_EQ(r.exitCode, 8) << r.describe();  // some items failed
  const json summary = r.jsonOut();
  EXPECT_EQ(summary["total"], 253);
  EXPECT_EQ(summary["succeeded"], 251);
  ASSERT_EQ(summary["failed"], 2) << summary.dump();
  EXPECT_EQ(summary["failures"][0]["where"], "line 251");
  EXPECT_EQ(summary["failures"][1]["where"], "line 252");
  EXPECT_EQ(client_->queues().stats("bulk").pendingJobs, 251);

  // The human summary names the failed lines too.
  const CliResult human = cli({"jobs", "enqueue", "--file", "-", "--queue", "bulk2"}, "{}\n[1\n");
  EXPECT_EQ(human.exitCode, 8) << human.describe();
  EXPECT_NE(human.out.find("enqueued 1 of 2"), std::string::npos) << human.out;
  EXPECT_NE(human.out.find("line 2: not valid JSON"), std::string::npos) << human.out;
}

TEST_F(CliAdminTest, EnqueueUsesThisServersLargerBatches) {
  std::string ndjson;
  for (int i = 0; i < 1200; ++i) ndjson += json{{"n", i}}.dump() + "\n";
  const CliResult r = cli({"jobs", "enqueue", "-f", "-", "-q", "big", "--batch-size", "1000", "--json"}, ndjson);
  ASSERT_EQ(r.exitCode, 0) << r.describe();
  EXPECT_EQ(r.jsonOut()["succeeded"], 1200);
  EXPECT_EQ(client_->queues().stats("big").pendingJobs, 1200);
  EXPECT_EQ(cli({"jobs", "enqueue", "-f", "-", "-q", "big", "--batch-size", "1001"}, "{}\n").exitCode, 2);
}

TEST_F(CliAdminTest, EnqueueJsonArrayFile) {
  const std::string path = server_.directory() + "/jobs.json";
  {
    std::ofstream file(path);
    file << R"([{"a": 1}, {"payload": {"b": 2}, "priority": 9}, "text payload"])";
  }
  const CliResult r = cli({"jobs", "enqueue", "-f", path, "-q", "arr", "--batch-size", "2"});
  ASSERT_EQ(r.exitCode, 0) << r.describe();
  EXPECT_NE(r.out.find("enqueued 3 of 3"), std::string::npos) << r.out;
  const auto jobs = client_->jobs().list({.queueName = "arr"});
  ASSERT_EQ(jobs.size(), 3u);
  int priority9 = 0;
  for (const auto& j : jobs) priority9 += j.priority == 9 ? 1 : 0;
  EXPECT_EQ(priority9, 1);
  EXPECT_EQ(cli({"jobs", "enqueue", "-f", path + ".missing", "-q", "arr"}).exitCode, 2);
}

TEST_F(CliAdminTest, QueuesListStatsPauseResumeConfig) {
  createJob("q1");
  const CliResult config = cli({"queues", "config", "q1", "--max-retries", "7", "--rate-limit", "50", "--json"});
  ASSERT_EQ(config.exitCode, 0) << config.describe();
  EXPECT_EQ(config.jsonOut()["max_retries"], 7);
  EXPECT_EQ(config.jsonOut()["rate_limit"], 50);
  const CliResult shown = cli({"queues", "config", "q1"});
  ASSERT_EQ(shown.exitCode, 0) << shown.describe();
  EXPECT_NE(shown.out.find("50/s"), std::string::npos) << shown.out;

  const CliResult pause = cli({"queues", "pause", "q1", "--reason", "deploy", "--json"});
  ASSERT_EQ(pause.exitCode, 0) << pause.describe();
  EXPECT_TRUE(client_->queues().get("q1").paused);
  const CliResult list = cli({"queues", "list"});
  ASSERT_EQ(list.exitCode, 0) << list.describe();
  EXPECT_NE(list.out.find("paused"), std::string::npos) << list.out;
  const CliResult resume = cli({"queues", "resume", "q1", "--json"});
  ASSERT_EQ(resume.exitCode, 0) << resume.describe();
  EXPECT_TRUE(resume.jsonOut()["resumed"].get<bool>());
  EXPECT_FALSE(client_->queues().get("q1").paused);

  const CliResult stats = cli({"queues", "stats", "q1", "--json"});
  ASSERT_EQ(stats.exitCode, 0) << stats.describe();
  EXPECT_EQ(stats.jsonOut()["pending_jobs"], 1);
  const CliResult listJson = cli({"queues", "list", "--json"});
  ASSERT_EQ(listJson.exitCode, 0);
  EXPECT_EQ(listJson.jsonOut()[0]["queue_name"], "q1");
}

TEST_F(CliAdminTest, DlqListRetryAndPurgeWithConfirmation) {
  const auto ids = deadLetter("dq", 3);
  const CliResult list = cli({"dlq", "list", "--queue", "dq", "--json"});
  ASSERT_EQ(list.exitCode, 0) << list.describe();
  EXPECT_EQ(list.jsonOut().size(), 3u);

  const CliResult retry = cli({"dlq", "retry", ids[0], "--json"});
  ASSERT_EQ(retry.exitCode, 0) << retry.describe();
  EXPECT_EQ(retry.jsonOut()["retried_count"], 1);
  EXPECT_EQ(job(ids[0]).status, "pending");

  // No terminal and no --yes: refused, nothing deleted, exit 9.
  const CliResult refused = cli({"dlq", "purge", "--queue", "dq"}, "y\n");
  EXPECT_EQ(refused.exitCode, 9) << refused.describe();
  EXPECT_EQ(client_->jobs().dlq().list({.queueName = "dq"}).size(), 2u);

  const CliResult purged = cli({"dlq", "purge", "--queue", "dq", "--yes", "--json"});
  ASSERT_EQ(purged.exitCode, 0) << purged.describe();
  EXPECT_EQ(purged.jsonOut()["purged_count"], 2);
  EXPECT_TRUE(client_->jobs().dlq().list({.queueName = "dq"}).empty());
}

TEST_F(CliAdminTest, WorkersListAndKeysLifecycle) {
  const std::string workerId = api_->registerWorker("wq");
  const CliResult workers = cli({"workers", "list", "--json"});
  ASSERT_EQ(workers.exitCode, 0) << workers.describe();
  ASSERT_EQ(workers.jsonOut().size(), 1u);
  EXPECT_EQ(workers.jsonOut()[0]["id"], workerId);
  EXPECT_NE(cli({"workers", "list"}).out.find(workerId), std::string::npos);

  const CliResult created = cli({"keys", "create", "ci", "--queue", "wq"});
  ASSERT_EQ(created.exitCode, 0) << created.describe();
  const std::string key = created.out.substr(0, created.out.find('\n'));
  // The new key works, restricted to its queue.
  EXPECT_EQ(runCli({server_.baseUrl(), key}, {"jobs", "create", "wq"}).exitCode, 0);

  const CliResult keys = cli({"keys", "list", "--json"});
  ASSERT_EQ(keys.exitCode, 0) << keys.describe();
  std::string keyId;
  for (const auto& k : keys.jsonOut()) {
    if (k["name"] == "ci") keyId = k["id"];
  }
  ASSERT_FALSE(keyId.empty()) << keys.out;
  const CliResult revoked = cli({"keys", "revoke", keyId});
  ASSERT_EQ(revoked.exitCode, 0) << revoked.describe();
  EXPECT_EQ(runCli({server_.baseUrl(), key}, {"jobs", "create", "wq"}).exitCode, 4);
}

TEST_F(CliAdminTest, WatchPrintsFramesWhenPiped) {
  createJob("watched");
  const CliResult json = cli({"watch", "watched", "--interval", "100", "--count", "3", "--json"});
  ASSERT_EQ(json.exitCode, 0) << json.describe();
  int frames = 0;
  std::size_t start = 0;
  while (start < json.out.size()) {
    const auto end = json.out.find('\n', start);
    const auto frame = nlohmann::json::parse(json.out.substr(start, end - start));
    EXPECT_EQ(frame["queues"][0]["name"], "watched");
    EXPECT_EQ(frame["queues"][0]["pending"], 1);
    ++frames;
    start = end + 1;
  }
  EXPECT_EQ(frames, 3);
  const CliResult human = cli({"watch", "--interval", "100", "--count", "2"});
  ASSERT_EQ(human.exitCode, 0) << human.describe();
  EXPECT_EQ(human.out.find("\x1b[2J"), std::string::npos) << "no redraw codes when piped";
  EXPECT_NE(human.out.find("polling every 100 ms"), std::string::npos) << human.out;
}

}  // namespace
}  // namespace spooled::test
