#include "server/store/sqlite/sqlite_reader_pool.hpp"

namespace spooled::server {

SqliteReaderPool::SqliteReaderPool(std::string path, std::size_t maxConnections, int busyTimeoutMs)
    : path_(std::move(path)), maxConnections_(maxConnections == 0 ? 1 : maxConnections), busyTimeoutMs_(busyTimeoutMs) {}

SqliteReaderPool::Lease SqliteReaderPool::checkout() {
  {
    std::unique_lock lock(mutex_);
    returned_.wait(lock, [&] { return !idle_.empty() || opened_ < maxConnections_; });
    if (!idle_.empty()) {
      auto conn = std::move(idle_.back());
      idle_.pop_back();
      return Lease(*this, std::move(conn));
    }
    ++opened_;  // reserve the slot, then open without holding the lock
  }
  try {
    return Lease(*this, std::make_unique<SqliteConnection>(path_, SqliteConnection::Mode::ReadOnly, busyTimeoutMs_));
  } catch (...) {
    std::lock_guard lock(mutex_);
    --opened_;
    returned_.notify_one();
    throw;
  }
}

void SqliteReaderPool::giveBack(std::unique_ptr<SqliteConnection> conn) {
  {
    std::lock_guard lock(mutex_);
    idle_.push_back(std::move(conn));
  }
  returned_.notify_one();
}

std::size_t SqliteReaderPool::size() const {
  std::lock_guard lock(mutex_);
  return opened_;
}

}  // namespace spooled::server
