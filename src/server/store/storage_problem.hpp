#pragma once
// What a store's errors say about the storage, in words every store uses: the 503 a client gets,
// the log line, and the short cause in the 503's details.
#include <exception>
#include <string>

#include "common/error_code.hpp"

namespace spooled::server {

struct StorageProblem {
  std::string cause;    // short and stable, for details.cause: "database_locked", "disk_full", ...
  std::string message;  // for people: "the database is locked by another process"
  bool fault = false;   // a fault only a restart clears (SQLite: a SIGBUS); the store stops writing
};

// 503 SERVICE_UNAVAILABLE: "Storage unavailable: <message>; try again later", details {cause}.
inline ApiError storageUnavailable(const std::string& cause, const std::string& message) {
  return ApiError(ErrorCode::Unavailable, "Storage unavailable: " + message + "; try again later",
                  json{{"cause", cause}});
}

inline ApiError storageUnavailable(const StorageProblem& problem) {
  return storageUnavailable(problem.cause, problem.message);
}

// The message of an exception, for log lines.
inline std::string describeError(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "unknown error";
  }
}

}  // namespace spooled::server
