#include "server/store/postgres/pg_storage_errors.hpp"

#include "server/store/postgres/pg_connection.hpp"

namespace spooled::server {

bool isPgError(const std::exception_ptr& error, bool (*test)(const PgError&)) {
  try {
    std::rethrow_exception(error);
  } catch (const PgError& e) {
    return test(e);
  } catch (...) {
    return false;
  }
}

std::optional<StorageProblem> pgStorageProblem(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const PgError& e) {
    const std::string& state = e.sqlstate();
    if (e.connectionLost()) return StorageProblem{"database_unreachable", "the database cannot be reached"};
    if (state == "55P03") return StorageProblem{"database_locked", "a row is locked by another transaction"};
    if (state == "57014") return StorageProblem{"database_timeout", "the database did not answer in time"};
    if (state.rfind("53", 0) == 0) return StorageProblem{"database_busy", "the database is out of resources"};
    if (state == "25006") return StorageProblem{"read_only", "the database is read-only (a standby?)"};
    if (e.isRetryable()) return StorageProblem{"database_conflict", "transactions kept conflicting"};
    return std::nullopt;
  } catch (...) {
    return std::nullopt;
  }
}

}  // namespace spooled::server
