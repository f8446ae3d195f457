#pragma once
// What SQLite's errors say about the storage, in one place: the words of the 503 a client gets and of
// the log line, and the short cause in the 503's details. Errors that carry a verdict on the request
// itself (constraint violations, ApiError, anything not SQLite's) are not storage problems.
#include <exception>
#include <optional>
#include <string>

#include "common/error_code.hpp"

namespace spooled::server {

struct StorageProblem {
  std::string cause;    // short and stable, for details.cause: "database_locked", "disk_full", ...
  std::string message;  // for people: "the database is locked by another process"
  bool fault = false;   // a SIGBUS in SQLite (SqliteFault): the store must stop using SQLite
};

std::optional<StorageProblem> storageProblem(const std::exception_ptr& error);

// 503 SERVICE_UNAVAILABLE: "Storage unavailable: <message>; <advice>", details {cause}.
ApiError storageUnavailable(const StorageProblem& problem);
ApiError storageUnavailable(const std::string& cause, const std::string& message);

}  // namespace spooled::server
