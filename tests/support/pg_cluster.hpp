#pragma once
// A throwaway PostgreSQL cluster for tests: initdb in a temporary folder, a server on a free port of
// 127.0.0.1, trust authentication, removed afterwards. Tests run as root, which PostgreSQL refuses, so
// as root the folder belongs to and the server runs as the `postgres` user. Durability settings are
// relaxed (fsync off): these clusters hold nothing worth an fsync, and a clean stop still writes all.
//
// One cluster serves a whole `ctest` run (a CTest fixture starts it with `pg_test_cluster start` and
// writes its folder and port to a state file that SPOOLED_TEST_PG_STATE names); each test takes a
// fresh database of its own. A test binary run by hand starts a cluster of its own instead.
#include <memory>
#include <string>
#include <vector>

namespace spooled::test {

class PgCluster {
 public:
  // initdb in a new temporary folder and start the server. Throws std::runtime_error with the tools'
  // output when that fails.
  static std::unique_ptr<PgCluster> create();
  // The cluster a state file describes (written by writeState); it is not stopped by the destructor.
  static std::unique_ptr<PgCluster> attach(const std::string& stateFile);
  ~PgCluster();  // an owned cluster is stopped and its folder removed
  PgCluster(const PgCluster&) = delete;
  PgCluster& operator=(const PgCluster&) = delete;

  int port() const { return port_; }
  const std::string& directory() const { return dir_; }
  std::string url(const std::string& database = "postgres") const;
  // CREATE DATABASE with a fresh name; returns its URL.
  std::string createDatabase() const;

  // pg_ctl stop -m fast / start (same port): what a database restart looks like to its clients.
  void stop();
  void start();
  bool running() const { return running_; }

  void writeState(const std::string& stateFile) const;
  // Stops and removes the cluster even though it is attached (the fixture's clean-up).
  void destroy();

 private:
  PgCluster() = default;
  void runTool(const std::string& tool, const std::vector<std::string>& args) const;

  std::string dir_;
  int port_ = 0;
  bool owned_ = false;
  bool running_ = false;
};

// The cluster of this test process: the CTest fixture's (SPOOLED_TEST_PG_STATE) if there is one,
// else one started on first use and removed when the process exits.
PgCluster& sharedPgCluster();

// A new empty database on the shared cluster; its postgres:// URL.
std::string freshPgDatabaseUrl();

// True when SPOOLED_TEST_STORE=postgres: server processes of integration tests use PostgreSQL.
bool postgresSelected();

}  // namespace spooled::test
