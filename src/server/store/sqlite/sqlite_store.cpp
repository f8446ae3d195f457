#include "server/store/sqlite/sqlite_store.hpp"

#include <exception>
#include <stdexcept>

#include "server/store/migrations/migrations.hpp"
#include "server/store/sqlite/sqlite_tx.hpp"

namespace spooled::server {

// Lives on the caller's stack for the duration of write(); the writer touches it only until it
// sets `answered` (under mutex_), after which the caller may return and free it.
struct SqliteStore::WriteRequest {
  const std::function<void(StoreTx&)>& fn;
  std::exception_ptr error;
  bool answered = false;
};

namespace {

void rollbackQuietly(SqliteConnection& conn) noexcept {
  try {
    if (conn.inTransaction()) conn.run("ROLLBACK");
  } catch (...) {  // nothing better to do: the caller is already reporting the error that got us here
  }
}

}  // namespace

SqliteStore::SqliteStore(const std::string& path, SqliteStoreOptions options)
    : writer_(path, SqliteConnection::Mode::ReadWrite, options.busyTimeoutMs),
      readers_(path, options.maxReaders, options.busyTimeoutMs) {
  // WAL lets readers proceed during a write; FULL makes each commit durable (fsync of the WAL).
  auto journal = writer_.queryText("PRAGMA journal_mode = WAL");
  if (journal != "wal")
    throw std::runtime_error("cannot put SQLite database '" + path + "' in WAL mode (journal_mode is " +
                             journal.value_or("unknown") + ")");
  writer_.exec("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;");
  applySqliteMigrations(writer_, sqliteMigrations(), nowMs());
  writerThread_ = std::thread([this] { writerLoop(); });
}

SqliteStore::~SqliteStore() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  queued_.notify_all();
  writerThread_.join();
}

void SqliteStore::write(const std::function<void(StoreTx&)>& fn) {
  // The writer waiting on itself would never wake up.
  if (std::this_thread::get_id() == writerThread_.get_id())
    throw std::logic_error("Store::write called from inside a write transaction");
  WriteRequest request{fn, {}, false};
  std::unique_lock lock(mutex_);
  if (stopping_) throw std::runtime_error("the SQLite store is closing");
  queue_.push_back(&request);
  queued_.notify_one();
  answered_.wait(lock, [&] { return request.answered; });
  if (request.error) std::rethrow_exception(request.error);
}

void SqliteStore::writerLoop() {
  for (;;) {
    std::vector<WriteRequest*> batch;
    {
      std::unique_lock lock(mutex_);
      queued_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything queued before has been committed
      batch.assign(queue_.begin(), queue_.end());
      queue_.clear();
    }
    commitBatch(batch);
  }
}

bool SqliteStore::undoRequest() {
  if (!writer_.inTransaction()) return false;  // SQLite already rolled everything back (I/O error, full disk)
  try {
    writer_.run("ROLLBACK TO request");
    writer_.run("RELEASE request");
    return true;
  } catch (...) {
    rollbackQuietly(writer_);
    return false;
  }
}

void SqliteStore::commitBatch(const std::vector<WriteRequest*>& batch) {
  SqliteTx tx(writer_);
  std::vector<WriteRequest*> uncommitted;  // ran cleanly; their fate is the COMMIT's
  auto failUncommitted = [&](const std::exception_ptr& error) {
    for (WriteRequest* request : uncommitted) request->error = error;
    uncommitted.clear();
  };
  for (WriteRequest* request : batch) {
    try {
      if (!writer_.inTransaction()) writer_.run("BEGIN IMMEDIATE");
      writer_.run("SAVEPOINT request");
      request->fn(tx);
      writer_.run("RELEASE request");
      uncommitted.push_back(request);
    } catch (...) {
      request->error = std::current_exception();
      if (!undoRequest()) failUncommitted(request->error);
    }
  }
  if (writer_.inTransaction()) {
    try {
      writer_.run("COMMIT");
      ++commits_;
    } catch (...) {
      rollbackQuietly(writer_);
      failUncommitted(std::current_exception());
    }
  }
  // Answer only now: a caller must never hear "done" before its change is on disk. One lock and
  // one wake-up for the whole batch; each caller checks its own flag.
  {
    std::lock_guard lock(mutex_);
    for (WriteRequest* request : batch) request->answered = true;
  }
  answered_.notify_all();
}

void SqliteStore::read(const std::function<void(StoreReader&)>& fn) {
  auto lease = readers_.checkout();
  SqliteConnection& conn = lease.connection();
  // One read transaction, so every query fn makes sees the same snapshot.
  conn.run("BEGIN");
  try {
    SqliteReader reader(conn);
    fn(reader);
    conn.run("COMMIT");
  } catch (...) {
    rollbackQuietly(conn);
    throw;
  }
}

bool SqliteStore::ping() {
  try {
    auto lease = readers_.checkout();
    return lease.connection().queryText("SELECT 1") == "1";
  } catch (const std::exception&) {
    return false;
  }
}

std::size_t SqliteStore::queuedWrites() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

std::uint64_t SqliteStore::commitCount() const { return commits_.load(); }

}  // namespace spooled::server
