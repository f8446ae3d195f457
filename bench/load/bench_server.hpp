#pragma once
// The server a benchmark drives: one given by --url/--api-key, or spooled-server processes this
// process starts on free loopback ports, and stops when the BenchServer is destroyed: one on a
// temporary SQLite file (deleted afterwards), or --servers N on one --database-url (PostgreSQL).
#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace spooled::bench {

struct ServerFlags {
  std::string url;        // empty: start our own server
  std::string apiKey;     // with url; empty: $SPOOLED_API_KEY
  std::string serverBin;  // empty: spooled-server next to this executable
  std::string dataDir;    // where the temporary database folder goes; empty: $TMPDIR or /tmp
  bool keepData = false;  // leave the temporary folder (database and server logs) behind
  pid_t serverPid = 0;    // with url: the server's pid, so its RSS can be read; 0: unknown
  std::string databaseUrl;  // the servers we start use this database; empty: a temporary SQLite file
  int servers = 1;          // how many servers to start on databaseUrl (all share it)
  pid_t databasePid = 0;    // the database's main process (postmaster), to report its CPU; 0: unknown
};

class BenchServer {
 public:
  // Starts the server (when flags.url is empty) and returns once it answers /health/ready.
  // Throws std::runtime_error, with the server's log, when it does not start within 30 s.
  explicit BenchServer(const ServerFlags& flags);
  // SIGTERM, then SIGKILL after 30 s; removes the temporary folder unless keepData.
  ~BenchServer();
  BenchServer(const BenchServer&) = delete;
  BenchServer& operator=(const BenchServer&) = delete;

  const std::string& url() const { return url_; }
  // Every server's URL (url() first); workers and producers spread over them.
  const std::vector<std::string>& urls() const { return urls_; }
  const std::string& apiKey() const { return apiKey_; }
  bool startedHere() const { return !dir_.empty(); }
  // The server's resident memory (VmRSS) in MiB, when its pid is known and readable.
  std::optional<double> rssMb() const;
  // CPU time (user + system) the server processes have used so far, in microseconds, when their pids are known.
  std::optional<double> cpuMicros() const;
  // CPU time the database's processes have used so far (the postmaster, its live children and the
  // children it has reaped), in microseconds, when --database-pid was given.
  std::optional<double> databaseCpuMicros() const;
  // A line describing the server for the report ("own spooled-server on /tmp/... (ext4)" or the url).
  const std::string& description() const { return description_; }

 private:
  void spawn(const std::string& binary, const std::string& databaseUrl);
  int waitForPort(std::chrono::steady_clock::time_point deadline);
  std::string logFile(std::size_t index) const;
  void waitReady(std::chrono::steady_clock::time_point deadline);
  std::string logs() const;

  std::string url_;
  std::vector<std::string> urls_;
  std::string apiKey_;
  std::string dir_;
  std::string description_;
  bool keepData_ = false;
  pid_t pid_ = 0;  // the server being started, or the --url server's
  std::vector<pid_t> pids_;  // every server we started
  pid_t databasePid_ = 0;
  bool child_ = false;
};

}  // namespace spooled::bench
