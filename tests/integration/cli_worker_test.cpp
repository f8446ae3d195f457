// `spooled worker -- CMD`: shell scripts as job handlers against a real server. Completion with a
// JSON result, the retry and dead-letter exit codes, stderr's tail as the error, progress lines,
// 10 MB of stdout, a program that never reads stdin, and a graceful stop on SIGTERM.
#include <signal.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "support/child_process.hpp"
#include "support/worker_fixture.hpp"

namespace spooled::test {
namespace {

class CliWorkerTest : public WorkerFixture {
 protected:
  // Writes an executable shell script into the test's folder and returns its path.
  std::string script(const std::string& name, const std::string& body) {
    const std::string path = server_.directory() + "/" + name;
    {
      std::ofstream file(path);
      file << "#!/bin/sh\n" << body << "\n";
    }
    ::chmod(path.c_str(), 0755);
    return path;
  }

  std::string marker(const std::string& name) const { return server_.directory() + "/" + name; }

  // `spooled worker` on `queue` with short intervals, running `command`.
  std::unique_ptr<ChildProcess> startWorker(const std::string& queue, const std::vector<std::string>& command,
                                            const std::vector<std::string>& extra = {}) {
    std::vector<std::string> argv = {SPOOLED_CLI_BIN, "worker", "--queue", queue, "--poll-interval", "100ms",
                                     "--lease", "5s", "--heartbeat-interval", "500ms", "--kill-timeout", "1s"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    argv.push_back("--");
    argv.insert(argv.end(), command.begin(), command.end());
    return std::make_unique<ChildProcess>(
        argv, std::map<std::string, std::string>{{"SPOOLED_API_URL", server_.baseUrl()}, {"SPOOLED_API_KEY", server_.apiKey()}});
  }

  void expectCleanExit(ChildProcess& worker, std::chrono::milliseconds within = 20s) {
    worker.signal(SIGTERM);
    const auto code = worker.waitExit(within);
    ASSERT_TRUE(code.has_value()) << "still running after SIGTERM:\n" << worker.output();
    EXPECT_EQ(*code, 0) << worker.output();
  }
};

TEST_F(CliWorkerTest, ExitZeroCompletesWithStdoutAsJsonResult) {
  const std::string handler = script("handler.sh",
                                     "payload=$(cat)\n"
                                     "printf '{\"id\":\"%s\",\"queue\":\"%s\",\"retry\":%s,\"max\":%s,\"payload\":%s}\\n' "
                                     "\"$SPOOLED_JOB_ID\" \"$SPOOLED_QUEUE\" \"$SPOOLED_RETRY_COUNT\" \"$SPOOLED_MAX_RETRIES\" \"$payload\"");
  const std::string text = script("text.sh", "cat >/dev/null; echo 'not json, just words'");
  auto worker = startWorker("exec", {handler});
  auto textWorker = startWorker("exec-text", {text});
  const std::string id = createJob("exec", {{"to", "ada"}}, 2);
  const Job done = waitForStatus(id, "completed", 20s);
  EXPECT_EQ(done.result.value_or(json()),
            (json{{"id", id}, {"queue", "exec"}, {"retry", 0}, {"max", 2}, {"payload", {{"to", "ada"}}}}))
      << worker->output();
  const std::string textId = createJob("exec-text");
  EXPECT_EQ(waitForStatus(textId, "completed", 20s).result.value_or(json()), json("not json, just words\n"));
  expectCleanExit(*worker);
  expectCleanExit(*textWorker);
}

TEST_F(CliWorkerTest, RetryExitCodeRunsTheJobAgain) {
  const std::string handler = script("flaky.sh",
                                     "if [ \"$SPOOLED_RETRY_COUNT\" = 0 ]; then echo 'upstream busy' >&2; exit 75; fi\n"
                                     "echo '\"second try\"'");
  auto worker = startWorker("flaky", {handler});
  const std::string id = createJob("flaky", json::object(), 3);
  const Job done = waitForStatus(id, "completed", 30s);
  EXPECT_EQ(done.retryCount, 1) << worker->output();
  EXPECT_EQ(done.result.value_or(json()), json("second try"));
  EXPECT_TRUE(worker->waitForOutput("retry later", 5s)) << worker->output();
  expectCleanExit(*worker);
}

TEST_F(CliWorkerTest, DeadLetterExitCodeSkipsTheRetries) {
  const std::string handler = script("reject.sh", "echo 'payload has no email address' >&2; exit 65");
  auto worker = startWorker("reject", {handler});
  const std::string id = createJob("reject", json::object(), 5);
  const Job dead = waitForStatus(id, "deadletter", 20s);
  EXPECT_EQ(dead.retryCount, 1) << "dead-lettered on its first failure";
  EXPECT_NE(dead.lastError.value_or("").find("payload has no email address"), std::string::npos) << dead.lastError.value_or("");
  expectCleanExit(*worker);
}

TEST_F(CliWorkerTest, OtherExitCodesFailWithTheTailOfStderr) {
  // 20 KB of noise, then the line that matters: the error keeps the tail.
  const std::string handler = script("crash.sh",
                                     "i=0; while [ $i -lt 400 ]; do echo \"noise line $i ..........................................\" >&2; i=$((i+1)); done\n"
                                     "echo 'fatal: disk full' >&2; exit 3");
  auto worker = startWorker("crash", {handler});
  const std::string id = createJob("crash", json::object(), 0);
  const Job failed = waitForStatus(id, "deadletter", 20s);
  const std::string error = failed.lastError.value_or("");
  EXPECT_EQ(error.rfind("exit 3: ", 0), 0u) << error;
  EXPECT_NE(error.find("fatal: disk full"), std::string::npos) << error;
  EXPECT_LT(error.size(), 2048u);
  expectCleanExit(*worker);
}

TEST_F(CliWorkerTest, ProgressLinesOnStderrReportProgress) {
  const std::string go = marker("go");
  const std::string handler = script("progress.sh",
                                     "echo 'progress: 40 resizing' >&2\n"
                                     "while [ ! -e '" + go + "' ]; do sleep 0.05; done\n"
                                     "echo 'progress: 100 done' >&2; echo '{\"ok\":true}'");
  auto worker = startWorker("progress", {handler});
  const std::string id = createJob("progress");
  const Job running = waitForJob(id, [](const Job& j) { return j.progress.value_or(0) == 40; }, 20s, "at 40%");
  EXPECT_EQ(running.progressMessage.value_or(""), "resizing") << worker->output();
  EXPECT_EQ(running.status, "processing");
  std::ofstream(go) << "go";
  const Job done = waitForStatus(id, "completed", 20s);
  EXPECT_DOUBLE_EQ(done.progress.value_or(0), 100.0);
  EXPECT_EQ(done.result.value_or(json()), (json{{"ok", true}}));
  expectCleanExit(*worker);
}

TEST_F(CliWorkerTest, TenMegabytesOfStdoutDoNotWedgeTheWorker) {
  const std::string handler = script("loud.sh",
                                     "cat >/dev/null\n"
                                     "head -c 10485760 /dev/zero | tr '\\000' x\n"
                                     "head -c 1048576 /dev/zero | tr '\\000' e >&2");
  auto worker = startWorker("loud", {handler}, {"--max-output", "1000", "--concurrency", "2"});
  const std::string first = createJob("loud");
  const std::string second = createJob("loud");
  const Job done = waitForStatus(first, "completed", 30s);
  EXPECT_EQ(done.result.value_or(json()), json(std::string(1000, 'x'))) << "the result keeps the first --max-output bytes";
  waitForStatus(second, "completed", 30s);
  EXPECT_TRUE(worker->waitForOutput("stdout was 10485760 bytes", 5s)) << worker->output().substr(0, 2000);
  expectCleanExit(*worker);
}

TEST_F(CliWorkerTest, OutputThatIsNotUtf8StillSettlesTheJob) {
  const std::string binary = script("binary.sh", "cat >/dev/null; printf 'caf\\303\\251 \\377\\376'");
  const std::string binaryError = script("binary-error.sh", "printf 'bad \\377 byte' >&2; exit 3");
  auto worker = startWorker("binary", {binary});
  auto failing = startWorker("binary-error", {binaryError});
  const std::string ok = createJob("binary");
  EXPECT_EQ(waitForStatus(ok, "completed", 20s).result.value_or(json()), json("caf\xc3\xa9 \xEF\xBF\xBD\xEF\xBF\xBD"))
      << worker->output();
  const std::string bad = createJob("binary-error", json::object(), 0);
  EXPECT_EQ(waitForStatus(bad, "deadletter", 20s).lastError.value_or(""), "exit 3: bad \xEF\xBF\xBD byte") << failing->output();
  expectCleanExit(*worker);
  expectCleanExit(*failing);
}

TEST_F(CliWorkerTest, AProgramThatNeverReadsStdinStillCompletes) {
  const std::string go = marker("quiet-go");
  // 900 KB of payload is far more than a pipe holds; the program never reads it.
  const std::string handler = script("deaf.sh", "while [ ! -e '" + go + "' ]; do sleep 0.05; done; echo '\"ignored stdin\"'");
  auto worker = startWorker("deaf", {handler}, {"--concurrency", "2"});
  const std::string big = createJob("deaf", {{"blob", std::string(900 * 1024, 'p')}});
  const std::string small = createJob("deaf");
  // The worker still serves other jobs and its lease renewals while the first program blocks.
  waitForStatus(big, "processing", 20s);
  waitForStatus(small, "processing", 20s);
  std::ofstream(go) << "go";
  EXPECT_EQ(waitForStatus(big, "completed", 20s).result.value_or(json()), json("ignored stdin"));
  EXPECT_EQ(waitForStatus(small, "completed", 20s).result.value_or(json()), json("ignored stdin"));
  expectCleanExit(*worker);
}

TEST_F(CliWorkerTest, SigtermLetsARunningProgramFinishPastItsLease) {
  const std::string started = marker("slow.started");
  // Runs 7 s, longer than the 5 s lease: only renewals keep the job this worker's.
  const std::string handler = script("slow.sh", "cat >/dev/null; touch '" + started + "'; sleep 7; echo '{\"slow\":\"done\"}'");
  auto worker = startWorker("slow", {handler}, {"--shutdown-timeout", "20s", "--concurrency", "1"});
  const std::string id = createJob("slow");
  ASSERT_TRUE(waitUntil([&] { return std::filesystem::exists(started); }, 20s)) << worker->output();
  const std::string waiting = createJob("slow");  // no room for it now, and no claims after SIGTERM
  worker->signal(SIGTERM);
  const auto code = worker->waitExit(30s);
  ASSERT_TRUE(code.has_value()) << worker->output();
  EXPECT_EQ(*code, 0) << worker->output();
  const Job done = job(id);
  EXPECT_EQ(done.status, "completed") << worker->output();
  EXPECT_EQ(done.result.value_or(json()), (json{{"slow", "done"}}));
  EXPECT_EQ(job(waiting).status, "pending") << "no claims after SIGTERM";
}

TEST_F(CliWorkerTest, ShutdownTimeoutStopsTheProgramAndHandsTheJobBack) {
  const std::string pidFile = marker("stuck.pid");
  const std::string handler = script("stuck.sh", "echo $$ > '" + pidFile + "'; trap '' TERM; while :; do sleep 0.1; done");
  auto worker = startWorker("stuck", {handler}, {"--shutdown-timeout", "1000"});
  const std::string id = createJob("stuck", json::object(), 3);
  ASSERT_TRUE(waitUntil([&] { return std::filesystem::exists(pidFile) && std::filesystem::file_size(pidFile) > 0; }, 20s))
      << worker->output();
  pid_t child = 0;
  std::ifstream(pidFile) >> child;
  ASSERT_GT(child, 0);
  const auto before = std::chrono::steady_clock::now();
  worker->signal(SIGTERM);
  const auto code = worker->waitExit(20s);
  ASSERT_TRUE(code.has_value()) << worker->output();
  EXPECT_EQ(*code, 0) << worker->output();
  // 1 s shutdown timeout, then SIGTERM (ignored by the script), SIGKILL 1 s later.
  EXPECT_LT(std::chrono::steady_clock::now() - before, 10s);
  EXPECT_NE(::kill(child, 0), 0) << "the program must be gone";
  const Job j = job(id);
  EXPECT_EQ(j.retryCount, 1) << worker->output();
  EXPECT_TRUE(j.status == "pending" || j.status == "scheduled") << j.status << " (failed for a retry)";
  EXPECT_NE(j.lastError.value_or("").find("shutdown"), std::string::npos) << j.lastError.value_or("");
}

TEST_F(CliWorkerTest, CancellingTheJobStopsItsProgram) {
  const std::string pidFile = marker("cancel.pid");
  const std::string handler = script("forever.sh", "echo $$ > '" + pidFile + "'; while :; do sleep 0.1; done");
  auto worker = startWorker("cancel", {handler});
  const std::string id = createJob("cancel");
  ASSERT_TRUE(waitUntil([&] { return std::filesystem::exists(pidFile) && std::filesystem::file_size(pidFile) > 0; }, 20s))
      << worker->output();
  pid_t child = 0;
  std::ifstream(pidFile) >> child;
  client_->jobs().cancel(id);
  // The worker learns of the cancel within a heartbeat (500 ms) and sends SIGTERM to the program.
  EXPECT_TRUE(waitUntil([&] { return ::kill(child, 0) != 0; }, 10s)) << worker->output();
  EXPECT_EQ(job(id).status, "cancelled");
  expectCleanExit(*worker);
}

TEST_F(CliWorkerTest, JobTimeoutStopsAProgramThatRunsTooLong) {
  const std::string handler = script("sleepy.sh", "sleep 30");
  auto worker = startWorker("sleepy", {handler}, {"--job-timeout", "1s"});
  const std::string id = createJob("sleepy", json::object(), 0);
  const Job dead = waitForStatus(id, "deadletter", 20s);
  EXPECT_NE(dead.lastError.value_or("").find("timed out after 1 s"), std::string::npos) << dead.lastError.value_or("");
  expectCleanExit(*worker);
}

TEST_F(CliWorkerTest, RefusesAMissingProgram) {
  auto worker = startWorker("x", {"/nonexistent/program"});
  const auto code = worker->waitExit(10s);
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 2) << worker->output();
  EXPECT_NE(worker->output().find("cannot find the program"), std::string::npos) << worker->output();
}

}  // namespace
}  // namespace spooled::test
