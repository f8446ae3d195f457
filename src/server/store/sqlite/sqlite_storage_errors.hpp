#pragma once
// What SQLite's errors say about the storage, in one place: the words of the 503 a client gets and of
// the log line, and the short cause in the 503's details. Errors that carry a verdict on the request
// itself (constraint violations, ApiError, anything not SQLite's) are not storage problems.
#include <exception>
#include <optional>
#include <string>

#include "common/error_code.hpp"
#include "server/store/storage_problem.hpp"

namespace spooled::server {

std::optional<StorageProblem> storageProblem(const std::exception_ptr& error);

}  // namespace spooled::server
