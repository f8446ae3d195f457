#include "support/server_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "support/free_port.hpp"
#include "support/http_client.hpp"
#include "support/pg_cluster.hpp"

namespace spooled::test {

namespace fs = std::filesystem;

namespace {

std::string readFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string makeTempDir() {
  std::string pattern = (fs::temp_directory_path() / "spooled-test-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  return pattern;
}

// fork + exec with stdout/stderr appended to files. Returns the child's pid.
pid_t spawnProcess(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
                   const std::string& stdoutPath, const std::string& stderrPath) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    const int out = ::open(stdoutPath.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    const int err = ::open(stderrPath.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (out < 0 || err < 0) ::_exit(126);
    ::dup2(out, STDOUT_FILENO);
    ::dup2(err, STDERR_FILENO);
    for (const auto& [k, v] : env) ::setenv(k.c_str(), v.c_str(), 1);
    // The test process may block signals (gtest does not, but a harness might); the server must not inherit that.
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  return pid;
}

// Waits for pid up to timeout; returns the exit code (128+signal for a signal), or -1 on timeout.
int waitForPid(pid_t pid, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int status = 0;
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (r < 0) return -1;
    if (std::chrono::steady_clock::now() >= deadline) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace

ServerProcess::ServerProcess(ServerProcessOptions options) : options_(std::move(options)) {
  dir_ = makeTempDir();
  dbPath_ = (options_.databaseDir.empty() ? dir_ : options_.databaseDir) + "/spooled.db";
  dbUrl_ = options_.databaseUrl;
  if (dbUrl_.empty()) dbUrl_ = postgresSelected() ? freshPgDatabaseUrl() : "sqlite:" + dbPath_;
  stdoutPath_ = dir_ + "/stdout.log";
  stderrPath_ = dir_ + "/stderr.log";
}

ServerProcess::~ServerProcess() {
  if (running()) kill();
  std::error_code ignored;
  // Keep the folder when asked, to read the logs of a failed run.
  if (std::getenv("SPOOLED_KEEP_TEST_DIRS") == nullptr) fs::remove_all(dir_, ignored);
}

std::string ServerProcess::baseUrl() const { return "http://127.0.0.1:" + std::to_string(port_); }

std::string ServerProcess::stdoutText() const { return readFile(stdoutPath_); }
std::string ServerProcess::stderrText() const { return readFile(stderrPath_); }
std::string ServerProcess::logs() const {
  return "--- server stdout (" + stdoutPath_ + "):\n" + stdoutText() + "--- server stderr (" + stderrPath_ + "):\n" +
         stderrText();
}

void ServerProcess::spawn() {
  std::vector<std::string> argv = {SPOOLED_SERVER_BIN, "--host", options_.host, "--port", std::to_string(port_),
                                   "--database-url", databaseUrl()};
  // Debug logs (every request) unless the test chose a level itself.
  const auto& extra = options_.extraArgs;
  if (std::find(extra.begin(), extra.end(), "--log-level") == extra.end())
    argv.insert(argv.end(), {"--log-level", "debug"});
  if (!options_.apiKey.empty()) argv.insert(argv.end(), {"--api-key", options_.apiKey});
  argv.insert(argv.end(), options_.extraArgs.begin(), options_.extraArgs.end());
  pid_ = spawnProcess(argv, options_.env, stdoutPath_, stderrPath_);
}

bool ServerProcess::waitHealthy() {
  HttpClient client(baseUrl(), std::nullopt);
  const auto deadline = std::chrono::steady_clock::now() + options_.startTimeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return false;
    }
    if (client.tryGet("/health") == 200) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

void ServerProcess::start() {
  if (running()) throw std::logic_error("server already running");
  // The free port may be taken between our probe and the server's bind; try a few.
  for (int attempt = 0; attempt < 3; ++attempt) {
    if (port_ == 0 || attempt > 0) port_ = freePort();
    spawn();
    if (waitHealthy()) return;
    if (running()) break;  // alive but not answering: not a port race
  }
  if (running()) kill();
  throw std::runtime_error("spooled-server did not become healthy on port " + std::to_string(port_) + "\n" + logs());
}

int ServerProcess::stop() {
  if (!running()) throw std::logic_error("server not running");
  ::kill(pid_, SIGTERM);
  const int code = waitForPid(pid_, options_.stopTimeout);
  if (code < 0) {
    kill();
    throw std::runtime_error("spooled-server did not exit within the stop timeout after SIGTERM\n" + logs());
  }
  pid_ = -1;
  return code;
}

void ServerProcess::kill() {
  if (!running()) return;
  ::kill(pid_, SIGKILL);
  waitForPid(pid_, std::chrono::milliseconds(10000));
  pid_ = -1;
}

void ServerProcess::launch() {
  if (running()) throw std::logic_error("server already running");
  if (port_ == 0) port_ = freePort();
  spawn();
}

void ServerProcess::restart() {
  if (running()) throw std::logic_error("stop() or kill() the server before restart()");
  spawn();  // same port: clients keep their base URL
  if (waitHealthy()) return;
  if (running()) kill();
  port_ = freePort();  // the old port was taken meanwhile
  spawn();
  if (!waitHealthy()) {
    if (running()) kill();
    throw std::runtime_error("spooled-server did not become healthy after restart\n" + logs());
  }
}

CommandResult runServerCommand(const std::vector<std::string>& args, std::chrono::milliseconds timeout) {
  const std::string dir = makeTempDir();
  std::vector<std::string> argv = {SPOOLED_SERVER_BIN};
  argv.insert(argv.end(), args.begin(), args.end());
  const pid_t pid = spawnProcess(argv, {}, dir + "/out", dir + "/err");
  CommandResult result;
  result.exitCode = waitForPid(pid, timeout);
  if (result.exitCode < 0) {
    ::kill(pid, SIGKILL);
    waitForPid(pid, std::chrono::milliseconds(5000));
  }
  result.stdoutText = readFile(dir + "/out");
  result.stderrText = readFile(dir + "/err");
  std::error_code ignored;
  fs::remove_all(dir, ignored);
  return result;
}

}  // namespace spooled::test
