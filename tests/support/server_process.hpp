#pragma once
// A real spooled-server process for tests: a temporary SQLite file (or PostgreSQL database), a free port on 127.0.0.1, a
// known API key. start() returns once GET /health answers; stop() sends SIGTERM and returns the exit
// code; kill() sends SIGKILL; restart() starts again on the same database file and port.
// The process's stdout and stderr go to files (appended across restarts); logs() returns both for
// failure messages. Not thread-safe: drive one ServerProcess from one thread.
#include <sys/types.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace spooled::test {

struct ServerProcessOptions {
  std::string apiKey = "sk_test_integration_0123456789abcdef";  // empty: no --api-key flag
  std::string host = "127.0.0.1";               // --host; tests connect through 127.0.0.1 either way
  std::vector<std::string> extraArgs;          // appended to the command line
  std::map<std::string, std::string> env;      // set in the child before exec
  std::string databaseDir;                     // where spooled.db lives; empty: the server's temporary folder
  // --database-url; empty: SQLite (spooled.db in databaseDir), or with SPOOLED_TEST_STORE=postgres a
  // fresh database on the test PostgreSQL cluster (support/pg_cluster.hpp).
  std::string databaseUrl;
  std::chrono::milliseconds startTimeout{20000};
  std::chrono::milliseconds stopTimeout{30000};
};

class ServerProcess {
 public:
  explicit ServerProcess(ServerProcessOptions options = {});
  ~ServerProcess();  // SIGKILL if still running, then removes the temporary folder
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // Spawns the server and waits for /health. Throws std::runtime_error (with the logs) when it exits or
  // does not answer in time.
  void start();
  // SIGTERM, then waits; returns the exit code, or 128+signal when a signal ended it.
  int stop();
  // SIGKILL, then waits: a crash, nothing flushed beyond what was committed.
  void kill();
  // Starts again on the same database file (and the same port when it is still free).
  void restart();
  // Spawns the server on the same database file and port without waiting for it (to kill it during
  // start-up); restart() afterwards starts it for real.
  void launch();

  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  int port() const { return port_; }
  std::string baseUrl() const;
  const std::string& apiKey() const { return options_.apiKey; }
  const std::string& databasePath() const { return dbPath_; }
  const std::string& databaseUrl() const { return dbUrl_; }
  const std::string& directory() const { return dir_; }

  std::string stdoutText() const;
  std::string stderrText() const;
  std::string logs() const;  // "stdout:\n...\nstderr:\n..."

 private:
  void spawn();
  bool waitHealthy();
  int waitExit(std::chrono::milliseconds timeout);

  ServerProcessOptions options_;
  std::string dir_;
  std::string dbPath_;
  std::string dbUrl_;
  std::string stdoutPath_;
  std::string stderrPath_;
  int port_ = 0;
  pid_t pid_ = -1;
};

// Runs spooled-server with these arguments to completion (for --help and bad-flag tests).
struct CommandResult {
  int exitCode = -1;
  std::string stdoutText;
  std::string stderrText;
};
CommandResult runServerCommand(const std::vector<std::string>& args, std::chrono::milliseconds timeout);

}  // namespace spooled::test
