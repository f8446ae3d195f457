#pragma once
// A child process for tests that drive real binaries (the examples, or this test binary in a helper
// role): spawn with extra environment, output to a log file, send signals, wait for the exit with a
// deadline. The destructor SIGKILLs a child still running. Not thread-safe.
#include <sys/types.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace spooled::test {

class ChildProcess {
 public:
  // Starts argv[0] (a path) with argv and the parent's environment plus `env`. stdout and stderr go
  // to one file in a fresh temporary directory. Throws std::runtime_error when it cannot start.
  ChildProcess(std::vector<std::string> argv, std::map<std::string, std::string> env = {});
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  void signal(int signal);
  // Waits up to `timeout`; returns the exit code (128+signal when a signal ended it), or nullopt
  // when it is still running.
  std::optional<int> waitExit(std::chrono::milliseconds timeout);
  // True once `text` appears in the output, polling until `timeout`.
  bool waitForOutput(const std::string& text, std::chrono::milliseconds timeout) const;
  std::string output() const;

 private:
  std::string dir_;
  std::string logPath_;
  pid_t pid_ = -1;
  std::optional<int> exitCode_;
};

// Path of the running executable (to start this test binary again in a helper role).
std::string selfExecutable();

}  // namespace spooled::test
