#include "server/store/sqlite/sqlite_storage_errors.hpp"

#include <sqlite3.h>

#include "server/store/sqlite/sqlite_connection.hpp"

namespace spooled::server {

namespace {

StorageProblem describe(const SqliteError& e) {
  switch (e.code() & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_PROTOCOL:  // another process holds the WAL index's locks
      return {"database_locked", "the database is locked by another process"};
    case SQLITE_FULL:
      return {"disk_full", "the disk is full"};
    case SQLITE_READONLY:
      return {"read_only", "the database file is read-only"};
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return {"database_damaged", "the database file is damaged"};
    case SQLITE_CANTOPEN:
      return {"io_error", "the database file cannot be opened"};
    case SQLITE_IOERR:
      return {"io_error", "the disk reported an I/O error"};
    default:
      return {"database_error", "the database cannot be used"};
  }
}

}  // namespace

std::optional<StorageProblem> storageProblem(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const SqliteFault& e) {
    return StorageProblem{"storage_fault", e.what(), true};
  } catch (const SqliteError& e) {
    if (e.isConstraintViolation()) return std::nullopt;
    return describe(e);
  } catch (...) {
    return std::nullopt;
  }
}

}  // namespace spooled::server
