#pragma once
// The exit codes of `spooled` (docs/cli.md, "Exit codes"), so scripts can tell "not found" from
// "server down" without parsing text. `spooled worker` has its own contract with the program it runs
// (worker/exec_exit_codes.hpp).
#include <exception>
#include <iosfwd>

namespace spooled::cli {

enum ExitCode : int {
  kExitOk = 0,
  kExitError = 1,          // anything not listed below (server error 5xx, bad response, I/O)
  kExitUsage = 2,          // bad flags or arguments (CLI11 parse errors), unreadable input file
  kExitNotFound = 3,       // 404: no such job, queue, worker or key
  kExitAuth = 4,           // 401/403: missing, wrong or insufficient credentials
  kExitConflict = 5,       // 409: the resource's state forbids it (e.g. cancel a completed job)
  kExitInvalid = 6,        // 400/413: the server refused the input
  kExitUnavailable = 7,    // no answer: connection refused, timeout, 429, circuit open
  kExitPartial = 8,        // some items of a bulk operation failed (the others were done)
  kExitAborted = 9,        // a confirmation was declined (or needed, without a terminal)
};

// Maps an exception from an SDK call to its exit code and writes "error: ..." to `err`.
int reportError(const std::exception& error, std::ostream& err);

}  // namespace spooled::cli
