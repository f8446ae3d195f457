// `spooled jobs ...`, `spooled status` and the CLI's contract (help on every command, --json, exit
// codes, environment) against a real server.
#include <filesystem>

#include "support/child_process.hpp"
#include "support/cli_runner.hpp"
#include "support/worker_fixture.hpp"

namespace spooled::test {
namespace {

class CliJobsTest : public WorkerFixture {
 protected:
  CliEnv env() const { return {server_.baseUrl(), server_.apiKey()}; }
  CliResult cli(const std::vector<std::string>& args, const std::string& stdinText = {}) {
    return runCli(env(), args, stdinText);
  }
};

TEST_F(CliJobsTest, CreateGetListInJsonAndTables) {
  const CliResult created = cli({"jobs", "create", "emails", "--payload", R"({"to":"ada@example.com"})", "--priority", "7"});
  ASSERT_EQ(created.exitCode, 0) << created.describe();
  const std::string id = created.out.substr(0, created.out.find('\n'));
  EXPECT_EQ(job(id).payload, (json{{"to", "ada@example.com"}}));
  EXPECT_EQ(job(id).priority, 7);

  const CliResult got = cli({"jobs", "get", id, "--json"});
  ASSERT_EQ(got.exitCode, 0) << got.describe();
  const json j = got.jsonOut();
  EXPECT_EQ(j["id"], id);
  EXPECT_EQ(j["queue_name"], "emails");
  EXPECT_EQ(j["status"], "pending");
  EXPECT_EQ(j["payload"]["to"], "ada@example.com");

  const CliResult human = cli({"jobs", "get", id});
  ASSERT_EQ(human.exitCode, 0) << human.describe();
  EXPECT_NE(human.out.find("status:"), std::string::npos) << human.out;
  EXPECT_EQ(human.out.find("\x1b["), std::string::npos) << "piped output must be plain";

  createJob("other");
  const CliResult listed = cli({"jobs", "list", "--queue", "emails", "--json"});
  ASSERT_EQ(listed.exitCode, 0) << listed.describe();
  ASSERT_EQ(listed.jsonOut().size(), 1u) << listed.out;
  EXPECT_EQ(listed.jsonOut()[0]["id"], id);

  const CliResult table = cli({"jobs", "list"});
  ASSERT_EQ(table.exitCode, 0) << table.describe();
  EXPECT_EQ(table.out.rfind("ID", 0), 0u) << table.out;
  EXPECT_NE(table.out.find(id), std::string::npos);
  EXPECT_NE(table.out.find("other"), std::string::npos);

  const CliResult coloured = cli({"--color", "always", "jobs", "list"});
  EXPECT_NE(coloured.out.find("\x1b["), std::string::npos) << "--color always paints even when piped";
}

// On a terminal (util-linux `script` gives the CLI a pseudo-terminal) tables are coloured, unless
// NO_COLOR is set; piped output (every other test) is plain.
TEST_F(CliJobsTest, ColourOnATerminalOnly) {
  if (!std::filesystem::exists("/usr/bin/script")) GTEST_SKIP() << "util-linux script is not installed";
  createJob("tty");
  const std::string command = std::string(SPOOLED_CLI_BIN) + " jobs list";
  auto onTerminal = [&](const std::map<std::string, std::string>& extra) {
    std::vector<std::string> argv = {"/usr/bin/script", "-qec", command, "/dev/null"};
    std::map<std::string, std::string> vars = extra;
    vars["SPOOLED_API_URL"] = server_.baseUrl();
    vars["SPOOLED_API_KEY"] = server_.apiKey();
    ChildProcess p(argv, vars);
    EXPECT_EQ(p.waitExit(30s).value_or(-1), 0) << p.output();
    return p.output();
  };
  const std::string coloured = onTerminal({{"NO_COLOR", ""}});
  EXPECT_NE(coloured.find("\x1b[1mID"), std::string::npos) << coloured;
  EXPECT_NE(coloured.find("tty"), std::string::npos) << coloured;
  const std::string plain = onTerminal({{"NO_COLOR", "1"}});
  EXPECT_EQ(plain.find("\x1b["), std::string::npos) << plain;
}

TEST_F(CliJobsTest, CreateReadsThePayloadFromStdin) {
  const CliResult created = cli({"jobs", "create", "q", "--payload-file", "-", "--json"}, R"({"n": 42})");
  ASSERT_EQ(created.exitCode, 0) << created.describe();
  EXPECT_TRUE(created.jsonOut()["created"].get<bool>());
  EXPECT_EQ(job(created.jsonOut()["id"]).payload, (json{{"n", 42}}));
}

TEST_F(CliJobsTest, CancelRetryAndPriority) {
  const std::string id = createJob("q");
  const CliResult priority = cli({"jobs", "priority", id, "50", "--json"});
  ASSERT_EQ(priority.exitCode, 0) << priority.describe();
  EXPECT_EQ(priority.jsonOut()["new_priority"], 50);
  EXPECT_EQ(job(id).priority, 50);

  const CliResult cancel = cli({"jobs", "cancel", id});
  ASSERT_EQ(cancel.exitCode, 0) << cancel.describe();
  EXPECT_EQ(job(id).status, "cancelled");

  // Cancelling it again: the state forbids it -> exit 5 (conflict), message on stderr.
  const CliResult again = cli({"jobs", "cancel", id});
  EXPECT_EQ(again.exitCode, 5) << again.describe();
  EXPECT_NE(again.err.find("error:"), std::string::npos);

  EXPECT_EQ(cli({"jobs", "retry", id}).exitCode, 5) << "a cancelled job is not retried";

  const std::string dead = createJob("q2", json::object(), 0);
  const std::string workerId = api_->registerWorker("q2");
  api_->settle("fail", api_->claim("q2", workerId)[0], workerId, {{"error", "boom"}});
  ASSERT_EQ(job(dead).status, "deadletter");
  const CliResult retry = cli({"jobs", "retry", dead, "--json"});
  ASSERT_EQ(retry.exitCode, 0) << retry.describe();
  EXPECT_EQ(retry.jsonOut()["status"], "pending");
  EXPECT_EQ(job(dead).status, "pending");
}

TEST_F(CliJobsTest, ExitCodesScriptsCanUse) {
  EXPECT_EQ(cli({"jobs", "get", "00000000-0000-0000-0000-000000000000"}).exitCode, 3);  // not found
  EXPECT_EQ(runCli({server_.baseUrl(), "sk_wrong_key_0123456789abcdef"}, {"jobs", "list"}).exitCode, 4);  // auth
  EXPECT_EQ(cli({"jobs", "create", "bad queue name!"}).exitCode, 6);  // the server refused the input
  EXPECT_EQ(cli({"jobs", "create"}).exitCode, 2);                     // usage: missing argument
  EXPECT_EQ(cli({"jobs", "create", "q", "--payload", "{not json"}).exitCode, 2);
  EXPECT_EQ(cli({"nonsense"}).exitCode, 2);
  EXPECT_EQ(runCli({server_.baseUrl(), ""}, {"jobs", "list"}).exitCode, 2);  // no API key anywhere
  const CliResult down = runCli({"http://127.0.0.1:1", server_.apiKey()}, {"jobs", "list"});
  EXPECT_EQ(down.exitCode, 7) << down.describe();  // nothing listening
  // Flags beat the environment.
  const CliResult flags = runCli({"http://127.0.0.1:1", "sk_wrong"},
                                 {"--api-url", server_.baseUrl(), "--api-key", server_.apiKey(), "jobs", "list", "--json"});
  EXPECT_EQ(flags.exitCode, 0) << flags.describe();
}

TEST_F(CliJobsTest, HelpOnEveryCommand) {
  const std::vector<std::vector<std::string>> commands = {
      {},         {"status"},           {"jobs"},           {"jobs", "create"}, {"jobs", "get"},
      {"jobs", "list"}, {"jobs", "cancel"}, {"jobs", "retry"}, {"jobs", "priority"}, {"jobs", "enqueue"},
      {"queues"}, {"queues", "list"},   {"queues", "stats"}, {"queues", "pause"}, {"queues", "resume"},
      {"queues", "config"}, {"dlq"},    {"dlq", "list"},    {"dlq", "retry"},   {"dlq", "purge"},
      {"workers"}, {"workers", "list"}, {"keys"},           {"keys", "list"},   {"keys", "create"},
      {"keys", "revoke"}, {"watch"},    {"worker"}};
  for (auto args : commands) {
    args.push_back("--help");
    const CliResult r = runCli({}, args);
    EXPECT_EQ(r.exitCode, 0) << r.describe();
    EXPECT_NE(r.out.find("Usage:"), std::string::npos) << r.describe();
  }
  const CliResult version = runCli({}, {"--version"});
  EXPECT_EQ(version.exitCode, 0);
  EXPECT_NE(version.out.find("spooled "), std::string::npos) << version.describe();
}

TEST_F(CliJobsTest, StatusShowsQueueCountsAndWorkers) {
  createJob("emails");
  createJob("emails");
  const std::string dead = createJob("emails", json::object(), 0);
  const std::string workerId = api_->registerWorker("emails");
  const json claimed = api_->claim("emails", workerId, {{"limit", 10}});
  ASSERT_EQ(claimed.size(), 3u);
  for (const auto& j : claimed) {
    if (j["id"] == dead) api_->settle("fail", j, workerId, {{"error", "boom"}});
  }
  createJob("emails");
  const CliResult status = cli({"status", "--json"});
  ASSERT_EQ(status.exitCode, 0) << status.describe();
  const json s = status.jsonOut();
  ASSERT_EQ(s["queues"].size(), 1u) << s.dump();
  const json& q = s["queues"][0];
  EXPECT_EQ(q["name"], "emails");
  EXPECT_EQ(q["pending"], 1);
  EXPECT_EQ(q["processing"], 2);
  EXPECT_EQ(q["deadletter"], 1);
  EXPECT_GE(q["failed_24h"].get<int>(), 1);
  EXPECT_EQ(s["workers"]["total"], 1);

  const CliResult human = cli({"status"});
  ASSERT_EQ(human.exitCode, 0) << human.describe();
  EXPECT_NE(human.out.find("DEAD-LETTER"), std::string::npos) << human.out;
  EXPECT_NE(human.out.find("emails"), std::string::npos) << human.out;
}

}  // namespace
}  // namespace spooled::test
