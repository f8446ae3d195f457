#pragma once
// The job handler of `spooled worker -- CMD [ARGS...]`: runs the program once per job (payload JSON
// on stdin, the job's identity in SPOOLED_* environment variables) and turns how it ended into the
// job's outcome: exit 0 completes it with stdout as the result (JSON if it parses, else a string);
// kExecExitRetry fails it for a retry, kExecExitDeadLetter dead-letters it, anything else fails it
// with stderr's tail as the error. Stderr lines "progress: 40 resizing" become progress reports.
#include <chrono>
#include <string>
#include <vector>

#include "spooled/job_context.hpp"
#include "spooled/json.hpp"
#include "spooled/worker_options.hpp"

namespace spooled::cli {

struct ExecOptions {
  std::vector<std::string> command;              // CMD ARGS...
  std::chrono::milliseconds killGrace{10000};    // after SIGTERM, before SIGKILL
  std::chrono::seconds jobTimeout{0};            // 0: no limit of our own
  std::size_t maxOutputBytes = 256 * 1024;       // stdout kept as the result
  int retryExitCode = 75;
  int deadLetterExitCode = 65;
  bool forwardStderr = false;                    // copy the program's stderr lines to ours
  WorkerLogger logger;
};

class ExecHandler {
 public:
  // Snapshots the environment: every run gets it plus the job's SPOOLED_* variables.
  explicit ExecHandler(ExecOptions options);
  // The handler: returns the result or throws (NonRetryableError dead-letters).
  json operator()(JobContext& ctx) const;

 private:
  std::vector<std::string> environmentFor(const JobContext& ctx) const;

  ExecOptions options_;
  std::vector<std::string> baseEnv_;
};

// "progress: 40 resizing" -> {40, "resizing"}; false for any other line.
bool parseProgressLine(const std::string& line, double& percent, std::string& message);

// The job's result from the program's stdout: JSON when it parses (surrounding whitespace ignored),
// null when empty, else the text as a string (invalid UTF-8 replaced by U+FFFD).
json resultFromStdout(const std::string& text);

}  // namespace spooled::cli
