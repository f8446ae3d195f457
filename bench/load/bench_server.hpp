#pragma once
// The server a benchmark drives: one given by --url/--api-key, or a spooled-server this process
// starts on a temporary SQLite file and a free loopback port, and stops (then deletes the file)
// when the BenchServer is destroyed.
#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>

namespace spooled::bench {

struct ServerFlags {
  std::string url;        // empty: start our own server
  std::string apiKey;     // with url; empty: $SPOOLED_API_KEY
  std::string serverBin;  // empty: spooled-server next to this executable
  std::string dataDir;    // where the temporary database folder goes; empty: $TMPDIR or /tmp
  bool keepData = false;  // leave the temporary folder (database and server logs) behind
  pid_t serverPid = 0;    // with url: the server's pid, so its RSS can be read; 0: unknown
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
  const std::string& apiKey() const { return apiKey_; }
  bool startedHere() const { return !dir_.empty(); }
  // The server's resident memory (VmRSS) in MiB, when its pid is known and readable.
  std::optional<double> rssMb() const;
  // CPU time (user + system) the server process has used so far, in microseconds, when its pid is known.
  std::optional<double> cpuMicros() const;
  // A line describing the server for the report ("own spooled-server on /tmp/... (ext4)" or the url).
  const std::string& description() const { return description_; }

 private:
  void spawn(const std::string& binary);
  int waitForPort(std::chrono::steady_clock::time_point deadline);
  void waitReady(std::chrono::steady_clock::time_point deadline);
  std::string logs() const;

  std::string url_;
  std::string apiKey_;
  std::string dir_;
  std::string description_;
  bool keepData_ = false;
  pid_t pid_ = 0;
  bool child_ = false;
};

}  // namespace spooled::bench
