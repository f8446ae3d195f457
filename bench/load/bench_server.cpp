#include "bench_server.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "bench_util.hpp"
#include "spooled/client.hpp"

namespace spooled::bench {

namespace fs = std::filesystem;

namespace {

constexpr std::chrono::seconds kStartTimeout{30};
constexpr std::chrono::seconds kStopTimeout{30};
constexpr long kTmpfsMagic = 0x01021994;

std::string readFile(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string defaultServerBinary() {
  std::error_code error;
  const fs::path self = fs::read_symlink("/proc/self/exe", error);
  if (error) throw std::runtime_error("cannot find this executable's folder; pass --server-bin");
  return (self.parent_path() / "spooled-server").string();
}

std::string makeTempDir(const std::string& parent) {
  std::string base = parent;
  if (base.empty()) base = std::getenv("TMPDIR") != nullptr ? std::getenv("TMPDIR") : "/tmp";
  std::string pattern = (fs::path(base) / "spooled-bench-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("cannot create a folder under " + base);
  return pattern;
}

// A database on tmpfs never waits for a disk, so its figures would flatter every write.
std::string filesystemNote(const std::string& dir) {
  struct statfs info {};
  if (::statfs(dir.c_str(), &info) != 0) return "";
  return static_cast<long>(info.f_type) == kTmpfsMagic ? " (tmpfs: fsync costs nothing here)" : "";
}

int waitForExit(pid_t pid, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    int status = 0;
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (done < 0 || Clock::now() >= deadline) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace

BenchServer::BenchServer(const ServerFlags& flags) : keepData_(flags.keepData), databasePid_(flags.databasePid) {
  const auto deadline = Clock::now() + kStartTimeout;
  if (!flags.url.empty()) {
    url_ = flags.url;
    urls_ = {url_};
    apiKey_ = flags.apiKey;
    if (apiKey_.empty() && std::getenv("SPOOLED_API_KEY") != nullptr) apiKey_ = std::getenv("SPOOLED_API_KEY");
    if (apiKey_.empty()) throw std::runtime_error("--url needs --api-key (or $SPOOLED_API_KEY)");
    pid_ = flags.serverPid;
    description_ = url_;
    waitReady(deadline);
    return;
  }
  if (flags.servers > 1 && flags.databaseUrl.empty())
    throw std::runtime_error("--servers above 1 needs --database-url (servers share one PostgreSQL database)");
  const std::string binary = flags.serverBin.empty() ? defaultServerBinary() : flags.serverBin;
  if (::access(binary.c_str(), X_OK) != 0) throw std::runtime_error("no spooled-server at " + binary + "; pass --server-bin");
  dir_ = makeTempDir(flags.dataDir);
  apiKey_ = "sk_bench_" + randomHex(16);
  const std::string databaseUrl = flags.databaseUrl.empty() ? "sqlite:" + dir_ + "/bench.db" : flags.databaseUrl;
  // One after the other: the first creates the API key in a new database, the others find it.
  for (int i = 0; i < std::max(1, flags.servers); ++i) {
    spawn(binary, databaseUrl);
    url_ = "http://127.0.0.1:" + std::to_string(waitForPort(deadline));
    waitReady(deadline);
    urls_.push_back(url_);
  }
  url_ = urls_.front();
  if (flags.databaseUrl.empty()) {
    description_ = "spooled-server started by the benchmark, database " + dir_ + "/bench.db" + filesystemNote(dir_);
  } else {
    // The URL may carry a password: name the database by its scheme only.
    description_ = std::to_string(urls_.size()) + " spooled-server process(es) started by the benchmark on one " +
                   flags.databaseUrl.substr(0, flags.databaseUrl.find(':')) + " database";
  }
}

BenchServer::~BenchServer() {
  for (const pid_t pid : pids_) ::kill(pid, SIGTERM);
  for (const pid_t pid : pids_) {
    if (waitForExit(pid, kStopTimeout) < 0) {
      ::kill(pid, SIGKILL);
      waitForExit(pid, std::chrono::seconds(10));
    }
  }
  if (!dir_.empty() && !keepData_) {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }
}

std::string BenchServer::logFile(std::size_t index) const { return dir_ + "/server-" + std::to_string(index) + ".log"; }

void BenchServer::spawn(const std::string& binary, const std::string& databaseUrl) {
  const std::string log = logFile(pids_.size());
  // The server takes a port itself (--port 0) and logs it: no window in which another process can
  // take a port we picked. No rate limit: the benchmark is the only client.
  std::vector<std::string> argv = {binary,          "--host",       "127.0.0.1",
                                   "--port",        "0",            "--database-url",
                                   databaseUrl,     "--api-key",    apiKey_,
                                   "--log-level",   "info",         "--rate-limit-per-second",
                                   "0",             "--max-connections", "100000"};
  std::vector<char*> args;
  for (auto& arg : argv) args.push_back(arg.data());
  args.push_back(nullptr);
  const pid_t parent = ::getpid();
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    // Dies with the benchmark, even when the benchmark is killed.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(125);
    const int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (out < 0) ::_exit(126);
    ::dup2(out, STDOUT_FILENO);
    ::dup2(out, STDERR_FILENO);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  child_ = true;
  pids_.push_back(pid_);
}

int BenchServer::waitForPort(Clock::time_point deadline) {
  static const std::regex kListening(R"(listening on http://127\.0\.0\.1:(\d+))");
  while (Clock::now() < deadline) {
    std::smatch match;
    const std::string log = logs();
    if (std::regex_search(log, match, kListening)) return std::stoi(match[1].str());
    if (waitForExit(pid_, std::chrono::milliseconds(0)) >= 0) {
      pids_.pop_back();
      pid_ = 0;
      throw std::runtime_error("spooled-server exited at start:\n" + log);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  throw std::runtime_error("spooled-server did not log its port within 30 s:\n" + logs());
}

void BenchServer::waitReady(Clock::time_point deadline) {
  ClientOptions options;
  options.baseUrl = url_;
  options.apiKey = apiKey_;
  options.retry.maxRetries = 0;
  SpooledClient client(options);
  while (Clock::now() < deadline) {
    if (client.health().readiness()) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  throw std::runtime_error("the server at " + url_ + " was not ready within 30 s" +
                           (child_ ? ":\n" + logs() : std::string()));
}

std::optional<double> BenchServer::rssMb() const {
  if (pid_ <= 0) return std::nullopt;
  std::ifstream status("/proc/" + std::to_string(pid_) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::round(std::stod(line.substr(6)) / 1.024) / 1000.0;  // "VmRSS: 12345 kB"
  }
  return std::nullopt;
}

std::optional<double> BenchServer::cpuMicros() const {
  if (!child_) return pid_ > 0 ? processCpuMicros(pid_) : std::nullopt;
  double sum = 0;
  for (const pid_t pid : pids_) {
    const auto cpu = processCpuMicros(pid);
    if (!cpu) return std::nullopt;
    sum += *cpu;
  }
  return sum;
}

std::optional<double> BenchServer::databaseCpuMicros() const {
  if (databasePid_ <= 0) return std::nullopt;
  return processTreeCpuMicros(databasePid_);
}

// The log of the server started last.
std::string BenchServer::logs() const {
  return dir_.empty() || pids_.empty() ? std::string() : readFile(logFile(pids_.size() - 1));
}

}  // namespace spooled::bench
