#pragma once
// One run of the worker's program for one job: started with posix_spawnp in its own process group,
// the payload written to its stdin, its stdout and stderr read, all through non-blocking pipes and
// poll(), so a program that never reads stdin or prints megabytes cannot wedge the worker. stdout is
// kept up to a cap (the rest is read and dropped); stderr is split into lines for the caller (progress
// reports) and only its tail is kept (the error message of a failed job).
#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace spooled::cli {

struct JobProcessSpec {
  std::vector<std::string> argv;   // argv[0] is looked up in PATH
  std::vector<std::string> env;    // the whole environment, "KEY=value"
  std::string stdinData;           // written, then stdin is closed
  std::size_t maxStdoutBytes = 256 * 1024;
  std::size_t stderrTailBytes = 1500;
  std::size_t maxLineBytes = 4096;               // longer stderr lines are not reported as lines
  std::chrono::milliseconds killGrace{10000};    // SIGTERM, then SIGKILL after this long
};

struct JobProcessOutcome {
  std::optional<int> exitCode;     // set when it exited
  int signal = 0;                  // set when a signal ended it
  bool stopped = false;            // we ended it (shouldStop said so)
  std::string stdoutText;          // at most maxStdoutBytes
  std::size_t stdoutBytes = 0;     // everything it printed
  std::string stderrTail;          // the last stderrTailBytes, progress lines left out
};

struct JobProcessHooks {
  // Each complete stderr line (no newline). Return true when the line was consumed (a progress
  // report): it is then left out of the stderr tail.
  std::function<bool(const std::string& line)> onStderrLine;
  // Asked every ~100 ms; true ends the program: SIGTERM to its process group, SIGKILL after killGrace.
  std::function<bool()> shouldStop;
};

// Starts the program and runs it to the end. Throws std::system_error when it cannot be started
// (pipe or spawn failure; a missing program is ENOENT).
JobProcessOutcome runJobProcess(const JobProcessSpec& spec, const JobProcessHooks& hooks);

// Finds a program the way posix_spawnp will: a name with a '/' as is, else through $PATH. Empty when
// not found or not executable.
std::string findProgram(const std::string& name);

}  // namespace spooled::cli
