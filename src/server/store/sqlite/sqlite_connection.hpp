#pragma once
// A SQLite connection with RAII ownership and a per-connection cache of prepared statements, so
// each distinct SQL text is compiled once for the life of the connection. Every call that can touch
// the database's files runs under the SIGBUS guard (sqlite_fault_guard.hpp), and connections open
// through the lock-deadline VFS (sqlite_lock_deadline.hpp).
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>

struct sqlite3;
struct sqlite3_stmt;

namespace spooled::server {

// A failure reported by SQLite. `code()` is the extended result code (e.g. SQLITE_CONSTRAINT_UNIQUE).
class SqliteError : public std::runtime_error {
 public:
  SqliteError(int code, const std::string& message) : std::runtime_error(message), code_(code) {}
  int code() const { return code_; }
  bool isConstraintViolation() const;

 private:
  int code_;
};

// A SIGBUS interrupted SQLite on this connection (its -shm mapping lost its backing: the file was
// truncated or the disk could not provide a page). The connection is poisoned from then on: it never
// calls into SQLite again, and its handle is leaked rather than closed.
class SqliteFault : public SqliteError {
 public:
  explicit SqliteFault(const std::string& message);
};

class SqliteConnection;

// One use of a cached statement: bind, step, read columns. Resets the statement and clears its
// bindings when it goes out of scope, so the next use starts clean.
class SqliteQuery {
 public:
  SqliteQuery(SqliteConnection& conn, sqlite3_stmt* stmt, bool& inUse);
  SqliteQuery(const SqliteQuery&) = delete;
  SqliteQuery& operator=(const SqliteQuery&) = delete;
  ~SqliteQuery();

  // Parameters are 1-based, as in SQL ("?1").
  void bindNull(int index);
  void bindInt(int index, std::int64_t value);
  void bindText(int index, std::string_view value);
  // Binds a ":name" parameter; does nothing when the SQL has no such parameter.
  void bindTextByName(const char* name, std::string_view value);
  void bindIntByName(const char* name, std::int64_t value);

  // Advances to the next row; false when there are no more rows.
  bool step();
  // Steps to completion of a statement that returns no rows.
  void run();

  // Columns are 0-based, as in sqlite3_column_*.
  bool isNull(int column) const;
  std::int64_t columnInt(int column) const;
  std::string columnText(int column) const;

  // Virtual-machine steps run so far (SQLITE_STMTSTATUS_VM_STEP): how much work a query did, for
  // tests that check a query's cost does not grow with the table.
  int vmSteps() const;

 private:
  void check(int rc) const;
  int parameterIndex(const char* name) const;

  SqliteConnection& conn_;
  sqlite3_stmt* stmt_;
  bool& inUse_;
};

class SqliteConnection {
 public:
  enum class Mode { ReadWrite, ReadOnly };

  SqliteConnection(const std::string& path, Mode mode, int busyTimeoutMs);
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;
  ~SqliteConnection();

  // Runs a script of one or more statements that return no rows (DDL); compiled on every call.
  void exec(const std::string& sql);
  // Runs one statement that returns no rows (transaction control), prepared once and cached.
  void run(const std::string& sql);
  // The first column of the first row of a one-off statement, or nullopt when it yields no row.
  std::optional<std::string> queryText(const std::string& sql);

  // The cached statement for this SQL text, prepared on first use. Throws std::logic_error if the
  // same statement is already in use (a caller nested two uses of one query).
  SqliteQuery prepare(const std::string& sql);

  // Distinct statements prepared so far: stays flat however often the same queries run.
  std::size_t cachedStatements() const { return statements_.size(); }

  // False once an error or ROLLBACK has ended the transaction (SQLite rolls back by itself on some errors).
  bool inTransaction() const;
  // Rows changed by the most recent INSERT/UPDATE/DELETE.
  int changes() const;
  // Rows changed by every INSERT/UPDATE/DELETE since the connection opened.
  std::int64_t totalChanges() const;
  // True when SQLite opened the database read-only (it does so silently when the file cannot be written).
  bool isReadOnly() const;

  [[noreturn]] void throwError(int rc, std::string_view context) const;

  // True once a SIGBUS interrupted SQLite here: every later use throws SqliteFault.
  bool poisoned() const { return poisoned_; }
  // Runs fn (a call into SQLite returning a result code) under the SIGBUS guard. Throws SqliteFault,
  // and poisons the connection, when a SIGBUS interrupts it or the connection is already poisoned.
  int guarded(int (*fn)(void*), void* context);
  template <class F>
  int guarded(F&& fn) {
    return guarded([](void* f) { return (*static_cast<std::remove_reference_t<F>*>(f))(); }, &fn);
  }

 private:
  struct StatementDeleter {
    void operator()(sqlite3_stmt* stmt) const;
  };
  struct CachedStatement {
    std::unique_ptr<sqlite3_stmt, StatementDeleter> stmt;
    bool inUse = false;
  };

  [[noreturn]] void throwFault() const;

  std::string path_;
  sqlite3* db_ = nullptr;
  bool poisoned_ = false;
  std::unordered_map<std::string, CachedStatement> statements_;  // node-based: inUse flags stay put
};

}  // namespace spooled::server
