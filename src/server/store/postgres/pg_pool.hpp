#pragma once
// Connections to one database, handed to one user at a time. Opened on demand up to a limit; beyond
// it, a caller waits for one to come back. A connection found broken (the server restarted, the
// network dropped) is connected again when next checked out, so the pool recovers by itself.
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "server/store/postgres/pg_connection.hpp"

namespace spooled::server {

class PgPool {
 public:
  PgPool(std::string url, std::size_t maxConnections);

  class Lease {
   public:
    Lease(PgPool& pool, std::unique_ptr<PgConnection> conn) : pool_(pool), conn_(std::move(conn)) {}
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease() { pool_.giveBack(std::move(conn_)); }
    PgConnection& connection() { return *conn_; }

   private:
    PgPool& pool_;
    std::unique_ptr<PgConnection> conn_;
  };

  // A working connection; throws PgError (connectionLost) when the database cannot be reached.
  Lease checkout();

 private:
  void giveBack(std::unique_ptr<PgConnection> conn);

  const std::string url_;
  const std::size_t maxConnections_;
  std::mutex mutex_;
  std::condition_variable returned_;
  std::vector<std::unique_ptr<PgConnection>> idle_;
  std::size_t opened_ = 0;
};

}  // namespace spooled::server
