#include "server/store/sqlite/sqlite_store.hpp"

#include <spdlog/spdlog.h>

#include <exception>
#include <stdexcept>

#include "common/error_code.hpp"
#include "server/store/migrations/migrations.hpp"
#include "server/store/sqlite/sqlite_tx.hpp"

namespace spooled::server {

namespace {

void rollbackQuietly(SqliteConnection& conn) noexcept {
  try {
    if (conn.inTransaction()) conn.run("ROLLBACK");
  } catch (...) {  // nothing better to do: the caller is already reporting the error that got us here
  }
}

// SQLite's own errors (locked file, full disk, I/O error) become 503s that say what is wrong; errors
// that carry a verdict on the request (ApiError, constraint violations) pass through unchanged.
std::exception_ptr asStorageFailure(std::exception_ptr error) {
  try {
    std::rethrow_exception(error);
  } catch (const SqliteError& e) {
    if (e.isConstraintViolation()) return error;
    const int primary = e.code() & 0xff;
    const char* what = primary == 5 || primary == 6 ? "the database is locked by another process"  // BUSY, LOCKED
                       : primary == 13                ? "the disk is full"                         // FULL
                       : primary == 8                 ? "the database file is read-only"           // READONLY
                                                      : "the database cannot be written";
    spdlog::error("SQLite write failed: {}", e.what());
    return std::make_exception_ptr(
        ApiError(ErrorCode::Unavailable, std::string("Storage unavailable: ") + what + "; try again later"));
  } catch (...) {
    return error;
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

void SqliteStore::submitWrite(WriteFn fn, WriteDone done) {
  {
    std::lock_guard lock(mutex_);
    if (!stopping_) {
      queue_.push_back(WriteRequest{std::move(fn), std::move(done)});
      queued_.notify_one();
      return;
    }
  }
  done(std::make_exception_ptr(ApiError(ErrorCode::Unavailable, "the server is shutting down")));
}

void SqliteStore::writerLoop() {
  std::vector<WriteRequest> batch;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      queued_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything queued before has been committed
      batch.swap(queue_);          // everything that queued during the last commit shares the next one
    }
    commitBatch(batch);
    batch.clear();
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

void SqliteStore::commitBatch(std::vector<WriteRequest>& batch) {
  SqliteTx tx(writer_);
  std::vector<WriteRequest*> uncommitted;  // ran cleanly; their fate is the COMMIT's
  auto failUncommitted = [&](const std::exception_ptr& error) {
    for (WriteRequest* request : uncommitted) request->done(error);
    uncommitted.clear();
  };
  std::exception_ptr cannotBegin;  // once BEGIN fails (locked or broken database), the rest fail alike
  for (WriteRequest& request : batch) {
    if (cannotBegin) {
      request.done(cannotBegin);
      continue;
    }
    try {
      if (!writer_.inTransaction()) writer_.run("BEGIN IMMEDIATE");
    } catch (...) {
      cannotBegin = asStorageFailure(std::current_exception());
      request.done(cannotBegin);
      continue;
    }
    try {
      writer_.run("SAVEPOINT request");
      request.fn(tx);
      writer_.run("RELEASE request");
      uncommitted.push_back(&request);
    } catch (...) {
      // A request that failed alone is answered now; its changes are already undone.
      const std::exception_ptr error = asStorageFailure(std::current_exception());
      if (!undoRequest()) failUncommitted(error);
      request.done(error);
    }
  }
  if (writer_.inTransaction()) {
    try {
      writer_.run("COMMIT");
      ++commits_;
    } catch (...) {
      rollbackQuietly(writer_);
      failUncommitted(asStorageFailure(std::current_exception()));
    }
  }
  // Only now: a caller must never hear "done" before its change is on disk.
  for (WriteRequest* request : uncommitted) request->done(nullptr);
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
