#pragma once
// Runs build/bin/spooled (the CLI) to completion for tests: arguments, extra environment, text on
// stdin (a file, so never a terminal), separate stdout and stderr, the exit code.
#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "spooled/json.hpp"

namespace spooled::test {

struct CliResult {
  int exitCode = -1;  // -1: still running at the deadline (then killed)
  std::string out;
  std::string err;

  // stdout parsed as one JSON value; throws std::runtime_error with both streams when it is not.
  json jsonOut() const;
  std::string describe() const;  // "exit N\nstdout:...\nstderr:..." for assertion messages
};

struct CliEnv {
  std::string apiUrl;
  std::string apiKey;
};

// Runs `spooled args...` with SPOOLED_API_URL/SPOOLED_API_KEY from `env` (unset when empty) plus `extra`.
CliResult runCli(const CliEnv& env, const std::vector<std::string>& args, const std::string& stdinText = {},
                 const std::map<std::string, std::string>& extra = {},
                 std::chrono::milliseconds timeout = std::chrono::seconds(30));

}  // namespace spooled::test
