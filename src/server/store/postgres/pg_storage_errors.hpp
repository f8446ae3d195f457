#pragma once
// What PostgreSQL's errors say about the storage: a lost connection, a lock waited for too long, a
// server out of connections or shutting down. Errors that carry a verdict on the request itself
// (constraint violations, ApiError, anything not PostgreSQL's) are not storage problems.
#include <exception>
#include <optional>

#include "server/store/storage_problem.hpp"

namespace spooled::server {

class PgError;

std::optional<StorageProblem> pgStorageProblem(const std::exception_ptr& error);
// True when error is a PgError for which test holds.
bool isPgError(const std::exception_ptr& error, bool (*test)(const PgError&));

}  // namespace spooled::server
