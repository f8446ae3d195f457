#include "server/store/sqlite/sqlite_connection.hpp"

#include <sqlite3.h>

#include "server/store/sqlite/sqlite_fault_guard.hpp"
#include "server/store/sqlite/sqlite_lock_deadline.hpp"

namespace spooled::server {

bool SqliteError::isConstraintViolation() const { return (code_ & 0xff) == SQLITE_CONSTRAINT; }

SqliteFault::SqliteFault(const std::string& message) : SqliteError(SQLITE_IOERR_SHMMAP, message) {}

// --- SqliteQuery ---

SqliteQuery::SqliteQuery(SqliteConnection& conn, sqlite3_stmt* stmt, bool& inUse)
    : conn_(conn), stmt_(stmt), inUse_(inUse) {
  inUse_ = true;
}

SqliteQuery::~SqliteQuery() {
  inUse_ = false;
  if (conn_.poisoned()) return;  // SQLite must not run on this connection again
  try {
    // Resetting ends the statement's read of the database, which may touch the WAL index.
    conn_.guarded([this] { return sqlite3_reset(stmt_); });
    sqlite3_clear_bindings(stmt_);
  } catch (const SqliteFault&) {  // the connection is poisoned now; whoever uses it next hears so
  }
}

void SqliteQuery::check(int rc) const {
  if (rc != SQLITE_OK) conn_.throwError(rc, sqlite3_sql(stmt_));
}

void SqliteQuery::bindNull(int index) { check(sqlite3_bind_null(stmt_, index)); }

void SqliteQuery::bindInt(int index, std::int64_t value) { check(sqlite3_bind_int64(stmt_, index, value)); }

void SqliteQuery::bindText(int index, std::string_view value) {
  check(sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
}

int SqliteQuery::parameterIndex(const char* name) const { return sqlite3_bind_parameter_index(stmt_, name); }

void SqliteQuery::bindTextByName(const char* name, std::string_view value) {
  if (int index = parameterIndex(name); index > 0) bindText(index, value);
}

void SqliteQuery::bindIntByName(const char* name, std::int64_t value) {
  if (int index = parameterIndex(name); index > 0) bindInt(index, value);
}

bool SqliteQuery::step() {
  const int rc = conn_.guarded([this] { return sqlite3_step(stmt_); });
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  conn_.throwError(rc, sqlite3_sql(stmt_));
}

void SqliteQuery::run() {
  while (step()) {
  }
}

bool SqliteQuery::isNull(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

std::int64_t SqliteQuery::columnInt(int column) const { return sqlite3_column_int64(stmt_, column); }

std::string SqliteQuery::columnText(int column) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  if (text == nullptr) return {};
  return std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
}

int SqliteQuery::vmSteps() const { return sqlite3_stmt_status(stmt_, SQLITE_STMTSTATUS_VM_STEP, 0); }

// --- SqliteConnection ---

void SqliteConnection::StatementDeleter::operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }

SqliteConnection::SqliteConnection(const std::string& path, Mode mode, int busyTimeoutMs) : path_(path) {
  installSqliteFaultHandler();
  // NOMUTEX: a connection is only ever used by one thread at a time (the writer, or a checked-out reader).
  int flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
  flags |= mode == Mode::ReadOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  int rc = sqlite3_open_v2(path.c_str(), &db_, flags, deadlineVfsName());
  if (rc != SQLITE_OK) {
    std::string message = "cannot open SQLite database '" + path + "': " +
                          (db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc));
    sqlite3_close_v2(db_);
    throw SqliteError(rc, message);
  }
  sqlite3_busy_timeout(db_, busyTimeoutMs);
}

SqliteConnection::~SqliteConnection() {
  if (poisoned_) {
    // SQLite's state here is unknown after the SIGBUS: leak the handle rather than run SQLite on it.
    for (auto& entry : statements_) static_cast<void>(entry.second.stmt.release());
    return;
  }
  try {
    // Finalize every statement before closing, or close would fail with SQLITE_BUSY. The last close
    // may checkpoint, which touches the WAL index.
    for (auto& entry : statements_) {
      sqlite3_stmt* stmt = entry.second.stmt.release();
      guarded([stmt] { return sqlite3_finalize(stmt); });
    }
    guarded([this] { return sqlite3_close_v2(db_); });
  } catch (const SqliteFault&) {  // poisoned on the way out: nothing more to do
  }
}

int SqliteConnection::guarded(int (*fn)(void*), void* context) {
  if (poisoned_) throwFault();
  int rc = 0;
  if (!runGuardedSqliteCall(fn, context, rc)) {
    poisoned_ = true;
    throwFault();
  }
  return rc;
}

void SqliteConnection::throwFault() const {
  // The file's name without its folder: this text reaches clients and the public /health.
  const std::string name = path_.substr(path_.find_last_of('/') + 1);
  throw SqliteFault("SIGBUS inside SQLite: the database's shared-memory file " + name +
                    "-shm was truncated, or its disk could not provide a page");
}

void SqliteConnection::throwError(int rc, std::string_view context) const {
  throw SqliteError(rc, std::string(sqlite3_errmsg(db_)) + " (in: " + std::string(context) + ")");
}

void SqliteConnection::exec(const std::string& sql) {
  char* error = nullptr;
  const int rc = guarded([&] { return sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error); });
  if (rc != SQLITE_OK) {
    std::string message = error != nullptr ? error : sqlite3_errstr(rc);
    sqlite3_free(error);
    throw SqliteError(rc, message + " (in: " + sql + ")");
  }
}

void SqliteConnection::run(const std::string& sql) { prepare(sql).run(); }

std::optional<std::string> SqliteConnection::queryText(const std::string& sql) {
  SqliteQuery query = prepare(sql);
  if (!query.step()) return std::nullopt;
  return query.columnText(0);
}

SqliteQuery SqliteConnection::prepare(const std::string& sql) {
  if (poisoned_) throwFault();
  auto it = statements_.find(sql);
  if (it == statements_.end()) {
    sqlite3_stmt* stmt = nullptr;
    // Preparing reads the schema, so it may start a read of the database.
    const int rc = guarded([&] {
      return sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size() + 1), SQLITE_PREPARE_PERSISTENT, &stmt,
                                nullptr);
    });
    if (rc != SQLITE_OK) throwError(rc, sql);
    it = statements_.emplace(sql, CachedStatement{std::unique_ptr<sqlite3_stmt, StatementDeleter>(stmt)}).first;
  }
  if (it->second.inUse) throw std::logic_error("SQLite statement used while already in use: " + sql);
  return SqliteQuery(*this, it->second.stmt.get(), it->second.inUse);
}

bool SqliteConnection::inTransaction() const { return sqlite3_get_autocommit(db_) == 0; }

int SqliteConnection::changes() const { return sqlite3_changes(db_); }

std::int64_t SqliteConnection::totalChanges() const { return sqlite3_total_changes64(db_); }

bool SqliteConnection::isReadOnly() const { return sqlite3_db_readonly(db_, "main") == 1; }

}  // namespace spooled::server
