#pragma once
// Read-only connections handed to one reader at a time. Grows on demand up to a limit; beyond it,
// a reader waits for a connection to come back rather than opening unbounded file handles.
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "server/store/sqlite/sqlite_connection.hpp"

namespace spooled::server {

class SqliteReaderPool {
 public:
  SqliteReaderPool(std::string path, std::size_t maxConnections, int busyTimeoutMs);

  // A checked-out connection; returns itself to the pool when destroyed.
  class Lease {
   public:
    Lease(SqliteReaderPool& pool, std::unique_ptr<SqliteConnection> conn) : pool_(pool), conn_(std::move(conn)) {}
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease() { pool_.giveBack(std::move(conn_)); }
    SqliteConnection& connection() { return *conn_; }

   private:
    SqliteReaderPool& pool_;
    std::unique_ptr<SqliteConnection> conn_;
  };

  Lease checkout();

  // Connections opened so far (idle or in use).
  std::size_t size() const;

 private:
  void giveBack(std::unique_ptr<SqliteConnection> conn);

  const std::string path_;
  const std::size_t maxConnections_;
  const int busyTimeoutMs_;
  mutable std::mutex mutex_;
  std::condition_variable returned_;
  std::vector<std::unique_ptr<SqliteConnection>> idle_;
  std::size_t opened_ = 0;
};

}  // namespace spooled::server
