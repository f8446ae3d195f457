#include "server/store/postgres/pg_pool.hpp"

namespace spooled::server {

PgPool::PgPool(std::string url, std::size_t maxConnections)
    : url_(std::move(url)), maxConnections_(maxConnections < 1 ? 1 : maxConnections) {}

PgPool::Lease PgPool::checkout() {
  std::unique_ptr<PgConnection> conn;
  {
    std::unique_lock lock(mutex_);
    returned_.wait(lock, [&] { return !idle_.empty() || opened_ < maxConnections_; });
    if (!idle_.empty()) {
      conn = std::move(idle_.back());
      idle_.pop_back();
    } else {
      ++opened_;
    }
  }
  try {
    if (!conn) {
      conn = std::make_unique<PgConnection>(url_);
    } else if (conn->broken()) {
      conn->reconnect();
    }
  } catch (...) {
    // Keep the slot: a broken connection goes back to be reconnected by the next caller.
    if (conn) {
      giveBack(std::move(conn));
    } else {
      std::lock_guard lock(mutex_);
      --opened_;
      returned_.notify_one();
    }
    throw;
  }
  return Lease(*this, std::move(conn));
}

void PgPool::giveBack(std::unique_ptr<PgConnection> conn) {
  if (!conn) return;
  {
    std::lock_guard lock(mutex_);
    idle_.push_back(std::move(conn));
  }
  returned_.notify_one();
}

}  // namespace spooled::server
