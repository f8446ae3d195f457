#include "support/pg_cluster.hpp"

#include <fcntl.h>
#include <grp.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "common/ids.hpp"
#include "support/free_port.hpp"

namespace spooled::test {

namespace fs = std::filesystem;

namespace {

constexpr const char* kBinDir = "/usr/lib/postgresql/15/bin/";

const passwd* postgresUser() {
  if (::geteuid() != 0) return nullptr;  // not root: run the tools as ourselves
  const passwd* user = ::getpwnam("postgres");
  if (!user) throw std::runtime_error("tests run as root need the `postgres` user (apt-get install postgresql)");
  return user;
}

std::string readAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Runs argv as the postgres user (when root), output to logPath; returns the exit code.
int runAs(const std::vector<std::string>& argv, const std::string& logPath) {
  const passwd* user = postgresUser();
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    const int out = ::open(logPath.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0666);
    if (out >= 0) {
      ::dup2(out, STDOUT_FILENO);
      ::dup2(out, STDERR_FILENO);
    }
    const int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) ::dup2(devnull, STDIN_FILENO);
    if (user && (::initgroups(user->pw_name, user->pw_gid) != 0 || ::setgid(user->pw_gid) != 0 ||
                 ::setuid(user->pw_uid) != 0))
      ::_exit(125);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void giveToPostgres(const std::string& path) {
  if (const passwd* user = postgresUser()) {
    if (::chown(path.c_str(), user->pw_uid, user->pw_gid) != 0)
      throw std::runtime_error("cannot hand " + path + " to the postgres user");
  }
}

}  // namespace

std::unique_ptr<PgCluster> PgCluster::create() {
  std::unique_ptr<PgCluster> cluster(new PgCluster());
  std::string pattern = (fs::temp_directory_path() / "spooled-pg-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  cluster->dir_ = pattern;
  cluster->owned_ = true;
  fs::permissions(cluster->dir_, fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
  giveToPostgres(cluster->dir_);
  cluster->runTool("initdb", {"-D", cluster->dir_ + "/data", "-U", "postgres", "--auth=trust", "-E", "UTF8",
                              "--locale=C.UTF-8", "--no-sync"});
  // Settings for tests: reachable on 127.0.0.1 only, room for several servers' pools, no fsync.
  std::ofstream conf(cluster->dir_ + "/data/postgresql.conf", std::ios::app);
  conf << "listen_addresses = '127.0.0.1'\n"
       << "unix_socket_directories = '" << cluster->dir_ << "'\n"
       << "max_connections = 300\nshared_buffers = 64MB\nfsync = off\nfull_page_writes = off\n"
       << "synchronous_commit = off\nlog_min_messages = warning\n";
  conf.close();
  cluster->port_ = freePort();
  cluster->start();
  return cluster;
}

std::unique_ptr<PgCluster> PgCluster::attach(const std::string& stateFile) {
  std::ifstream in(stateFile);
  std::unique_ptr<PgCluster> cluster(new PgCluster());
  if (!(in >> cluster->dir_ >> cluster->port_)) throw std::runtime_error("unreadable state file " + stateFile);
  cluster->running_ = true;
  return cluster;
}

PgCluster::~PgCluster() {
  if (owned_) destroy();
}

void PgCluster::destroy() {
  try {
    if (running_ || owned_) stop();
  } catch (...) {  // removing the folder is all that is left to do
  }
  std::error_code ignored;
  if (!dir_.empty()) fs::remove_all(dir_, ignored);
  dir_.clear();
}

void PgCluster::runTool(const std::string& tool, const std::vector<std::string>& args) const {
  const std::string log = dir_ + "/tools.log";
  std::vector<std::string> argv{kBinDir + tool};
  argv.insert(argv.end(), args.begin(), args.end());
  if (runAs(argv, log) != 0) throw std::runtime_error(tool + " failed:\n" + readAll(log));
}

void PgCluster::start() {
  runTool("pg_ctl", {"-D", dir_ + "/data", "-l", dir_ + "/server.log", "-o", "-p " + std::to_string(port_), "-w",
                     "-t", "60", "start"});
  running_ = true;
}

void PgCluster::stop() {
  runTool("pg_ctl", {"-D", dir_ + "/data", "-m", "fast", "-w", "-t", "60", "stop"});
  running_ = false;
}

std::string PgCluster::url(const std::string& database) const {
  return "postgres://postgres@127.0.0.1:" + std::to_string(port_) + "/" + database;
}

std::string PgCluster::createDatabase() const {
  const std::string name = "t_" + randomHex(8);
  PGconn* conn = PQconnectdb(url().c_str());
  std::string error;
  if (PQstatus(conn) != CONNECTION_OK) {
    error = PQerrorMessage(conn);
  } else {
    PGresult* result = PQexec(conn, ("CREATE DATABASE " + name).c_str());
    if (PQresultStatus(result) != PGRES_COMMAND_OK) error = PQresultErrorMessage(result);
    PQclear(result);
  }
  PQfinish(conn);
  if (!error.empty()) throw std::runtime_error("CREATE DATABASE failed: " + error);
  return url(name);
}

void PgCluster::writeState(const std::string& stateFile) const {
  std::ofstream out(stateFile);
  out << dir_ << " " << port_ << "\n";
}

PgCluster& sharedPgCluster() {
  static std::mutex mutex;
  static std::unique_ptr<PgCluster> cluster;
  std::lock_guard lock(mutex);
  if (!cluster) {
    const char* state = std::getenv("SPOOLED_TEST_PG_STATE");
    if (state && fs::exists(state)) {
      cluster = PgCluster::attach(state);
    } else {
      cluster = PgCluster::create();
    }
  }
  return *cluster;
}

std::string freshPgDatabaseUrl() { return sharedPgCluster().createDatabase(); }

bool postgresSelected() {
  const char* store = std::getenv("SPOOLED_TEST_STORE");
  return store && std::string(store) == "postgres";
}

}  // namespace spooled::test
