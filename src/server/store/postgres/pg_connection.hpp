#pragma once
// One libpq connection: statements prepared once per connection (by their text), parameters and
// results in text format, errors as PgError carrying the SQLSTATE. Not thread-safe: a connection is
// used by one thread at a time (the store's pool hands each caller its own).
#include <libpq-fe.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

namespace spooled::server {

// A failed statement or connection. sqlstate() is "" when libpq itself failed (no server answer).
class PgError : public std::runtime_error {
 public:
  PgError(const std::string& message, std::string sqlstate, bool connectionLost)
      : std::runtime_error(message), sqlstate_(std::move(sqlstate)), connectionLost_(connectionLost) {}
  const std::string& sqlstate() const { return sqlstate_; }
  // True when the connection is gone (server restarted, network dropped): the statement never ran
  // or its outcome is unknown, and the connection must be re-established.
  bool connectionLost() const { return connectionLost_; }
  bool isUniqueViolation() const { return sqlstate_ == "23505"; }
  bool isConstraintViolation() const { return sqlstate_.rfind("23", 0) == 0; }
  // Deadlock or serialization failure: the transaction was undone and may simply run again.
  bool isRetryable() const { return sqlstate_ == "40P01" || sqlstate_ == "40001"; }

 private:
  std::string sqlstate_;
  bool connectionLost_;
};

using PgParam = std::optional<std::string>;  // text value; nullopt is SQL NULL
using PgParams = std::vector<PgParam>;

// The rows of one statement; values are text (nullopt for NULL).
class PgResult {
 public:
  explicit PgResult(PGresult* result) : result_(result, &PQclear) {}
  int rows() const { return PQntuples(result_.get()); }
  int columns() const { return PQnfields(result_.get()); }
  bool isNull(int row, int column) const { return PQgetisnull(result_.get(), row, column) != 0; }
  std::string text(int row, int column) const {
    return std::string(PQgetvalue(result_.get(), row, column),
                       static_cast<std::size_t>(PQgetlength(result_.get(), row, column)));
  }
  std::int64_t integer(int row, int column) const { return std::stoll(text(row, column)); }
  // Rows the statement changed (UPDATE, DELETE, INSERT).
  long long affected() const;

 private:
  std::unique_ptr<PGresult, void (*)(PGresult*)> result_;
};

class PgConnection {
 public:
  // Connects; throws PgError (connectionLost) when the server cannot be reached.
  explicit PgConnection(std::string url);
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // Runs a statement with parameters $1..$n, prepared on first use on this connection.
  PgResult query(const std::string& sql, const PgParams& params = {});
  // Runs a statement planned for these parameter values each time, never prepared. For statements
  // whose best plan depends on the values: after five runs of a prepared statement PostgreSQL may
  // settle on a generic plan, which for the claim scans and sorts the whole queue.
  PgResult queryPlannedEachTime(const std::string& sql, const PgParams& params);
  // Runs one or more statements without parameters (transaction control, migrations, LISTEN).
  void exec(const std::string& sql);
  // The first column of the first row, or nullopt.
  std::optional<std::string> queryText(const std::string& sql, const PgParams& params = {});

  // True when the last statement found the connection broken; reconnect() before using it again.
  bool broken() const;
  // Drops the connection and connects again; throws PgError when the server cannot be reached.
  void reconnect();
  bool inTransaction() const;
  // True when a statement failed inside the open transaction, which then refuses every statement
  // until ROLLBACK (TO SAVEPOINT).
  bool transactionFailed() const;
  // ROLLBACK of the open transaction, if any, ignoring errors (the caller is already reporting the
  // error that got it here).
  void rollbackQuietly() noexcept;
  PGconn* raw() { return conn_; }

 private:
  PgResult check(PGresult* result, const std::string& sql);
  void connect();

  std::string url_;
  PGconn* conn_ = nullptr;
  std::unordered_map<std::string, std::string> prepared_;  // SQL text -> statement name
};

}  // namespace spooled::server
