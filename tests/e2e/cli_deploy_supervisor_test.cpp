// deploy/supervisor/spooled-worker.conf, run by Debian's real supervisord against a test server
// (paths, URL and key filled in for a temporary folder; everything else as shipped): numprocs=4
// worker processes share the jobs, `supervisorctl stop` lets a running job finish (stopsignal=TERM,
// stopwaitsecs), and a killed worker is restarted (autorestart).
#include <signal.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "support/child_process.hpp"
#include "support/worker_fixture.hpp"

namespace spooled::test {
namespace {

namespace fs = std::filesystem;

std::string readText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Replaces `from` (which must occur) with `to`.
void replaceRequired(std::string& text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  if (at == std::string::npos) throw std::runtime_error("the shipped file no longer contains: " + from);
  text.replace(at, from.size(), to);
}

class SupervisorTest : public WorkerFixture {
 protected:
  void SetUp() override {
    WorkerFixture::SetUp();
    if (!fs::exists("/usr/bin/supervisord")) GTEST_SKIP() << "supervisor is not installed (scripts/install-deps.sh installs it)";
    dir_ = server_.directory() + "/supervisor";
    fs::create_directories(dir_);
    const std::string handler = dir_ + "/handle-job.sh";
    {
      // The result names the `spooled worker` process that ran it ($PPID); a payload with "slow"
      // takes 3 s and leaves a marker when it starts.
      std::ofstream script(handler);
      script << "#!/bin/sh\npayload=$(cat)\n"
             << "case \"$payload\" in *slow*) touch '" << dir_ << "/slow.started'; sleep 3;; *) sleep 0.2;; esac\n"
             << "echo \"{\\\"worker_pid\\\": $PPID}\"\n";
    }
    ::chmod(handler.c_str(), 0755);
    std::string program = readText(std::string(SPOOLED_SOURCE_DIR) + "/deploy/supervisor/spooled-worker.conf");
    replaceRequired(program, "/usr/local/bin/spooled", SPOOLED_CLI_BIN);
    replaceRequired(program, "/opt/app/handle-job.sh", handler);
    replaceRequired(program, "directory=/opt/app", "directory=" + dir_);
    replaceRequired(program, "user=spooled\n", "");  // the test runs as whoever runs it
    replaceRequired(program, "/var/log/supervisor/spooled-worker.log", dir_ + "/worker.log");
    replaceRequired(program, "/var/log/supervisor/spooled-worker-error.log", dir_ + "/worker-error.log");
    replaceRequired(program, "http://127.0.0.1:8080", server_.baseUrl());
    replaceRequired(program, "sk_live_replace_me", server_.apiKey());
    std::ofstream(dir_ + "/program.conf") << program;
    std::ofstream(dir_ + "/supervisord.conf")
        << "[unix_http_server]\nfile=" << dir_ << "/supervisor.sock\n\n"
        << "[supervisord]\nnodaemon=true\nlogfile=" << dir_ << "/supervisord.log\npidfile=" << dir_
        << "/supervisord.pid\nchildlogdir=" << dir_ << "\n\n"
        << "[rpcinterface:supervisor]\nsupervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n\n"
        << "[supervisorctl]\nserverurl=unix://" << dir_ << "/supervisor.sock\n\n"
        << "[include]\nfiles = " << dir_ << "/program.conf\n";
    supervisord_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{"/usr/bin/supervisord", "-n", "-c", dir_ + "/supervisord.conf"});
  }

  void TearDown() override {
    if (supervisord_) {
      supervisord_->signal(SIGTERM);
      supervisord_->waitExit(60s);
      if (HasFailure()) std::cerr << supervisord_->output() << readText(dir_ + "/worker-error.log");
    }
    WorkerFixture::TearDown();
  }

  // supervisorctl with this test's configuration; returns its output (exit code in `code`).
  std::string ctl(const std::vector<std::string>& args, int* code = nullptr) {
    std::vector<std::string> argv = {"/usr/bin/supervisorctl", "-c", dir_ + "/supervisord.conf"};
    argv.insert(argv.end(), args.begin(), args.end());
    ChildProcess p(argv);
    const auto exit = p.waitExit(90s);
    if (code != nullptr) *code = exit.value_or(-1);
    return p.output();
  }

  pid_t workerPid(int n) {
    const std::string out = ctl({"pid", "spooled-worker:spooled-worker_0" + std::to_string(n)});
    try {
      return static_cast<pid_t>(std::stol(out));
    } catch (...) {
      return 0;
    }
  }

  std::size_t liveWorkers() {
    std::size_t n = 0;
    for (const auto& w : client_->workers().list()) n += w.status != "offline" ? 1 : 0;
    return n;
  }

  std::string dir_;
  std::unique_ptr<ChildProcess> supervisord_;
};

TEST_F(SupervisorTest, FourProcessesShareJobsStopGracefullyAndRestartWhenKilled) {
  ASSERT_TRUE(waitUntil([&] { return liveWorkers() == 4; }, 30s)) << liveWorkers() << " workers\n" << supervisord_->output();

  std::set<pid_t> pids;
  for (int n = 0; n < 4; ++n) pids.insert(workerPid(n));
  ASSERT_EQ(pids.size(), 4u);
  ASSERT_EQ(pids.count(0), 0u);

  // 40 jobs of 0.2 s on 4 processes x 2 slots: every process gets some.
  std::vector<std::string> ids;
  for (int i = 0; i < 40; ++i) ids.push_back(createJob("images", {{"n", i}}));
  std::set<pid_t> ranOn;
  for (const auto& id : ids) ranOn.insert(waitForStatus(id, "completed", 60s).result.value_or(json())["worker_pid"].get<pid_t>());
  EXPECT_EQ(ranOn, pids) << "every one of the 4 processes did jobs";

  // A killed worker is started again (autorestart).
  const pid_t victim = workerPid(0);
  ASSERT_EQ(::kill(victim, SIGKILL), 0);
  EXPECT_TRUE(waitUntil([&] { const pid_t p = workerPid(0); return p != 0 && p != victim; }, 30s))
      << ctl({"status"});

  // `supervisorctl stop` (SIGTERM) lets the running job finish before the process exits.
  const std::string slow = createJob("images", {{"slow", true}});
  ASSERT_TRUE(waitUntil([&] { return fs::exists(dir_ + "/slow.started"); }, 30s));
  int code = -1;
  const std::string stopped = ctl({"stop", "spooled-worker:*"}, &code);
  EXPECT_EQ(code, 0) << stopped;
  const Job j = job(slow);
  EXPECT_EQ(j.status, "completed") << "stop returned before the running job finished: " << stopped;
  // The 4 stopped processes deregistered; only the SIGKILLed one's registration is left, until the
  // server notices its missing heartbeats.
  EXPECT_LE(liveWorkers(), 1u);
}

}  // namespace
}  // namespace spooled::test
