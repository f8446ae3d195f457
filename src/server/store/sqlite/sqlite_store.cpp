#include "server/store/sqlite/sqlite_store.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>
#include <stdexcept>

#include "common/error_code.hpp"
#include "server/store/migrations/migrations.hpp"
#include "server/store/sqlite/sqlite_lock_deadline.hpp"
#include "server/store/sqlite/sqlite_storage_errors.hpp"
#include "server/store/sqlite/sqlite_tx.hpp"

namespace spooled::server {

namespace {

void rollbackQuietly(SqliteConnection& conn) noexcept {
  try {
    if (conn.inTransaction()) conn.run("ROLLBACK");
  } catch (...) {  // nothing better to do: the caller is already reporting the error that got us here
  }
}

}  // namespace

SqliteStore::SqliteStore(const std::string& path, SqliteStoreOptions options)
    : path_(path),
      options_(options),
      writer_(path, SqliteConnection::Mode::ReadWrite, options.busyTimeoutMs),
      readers_(path, options.maxReaders, static_cast<int>(readTimeout().count())) {
  // A file the process may only read opens read-only without complaint, and every write would fail.
  if (writer_.isReadOnly())
    throw std::runtime_error("the SQLite database '" + path +
                             "' can only be read (check the permissions of the file and its folder, and whether "
                             "the filesystem is mounted read-only)");
  // WAL lets readers proceed during a write; FULL makes each commit durable (fsync of the WAL).
  auto journal = writer_.queryText("PRAGMA journal_mode = WAL");
  if (journal != "wal")
    throw std::runtime_error("cannot put SQLite database '" + path + "' in WAL mode (journal_mode is " +
                             journal.value_or("unknown") + ")");
  // temp_store = MEMORY keeps each request's savepoint journal in memory instead of a temporary file.
  writer_.exec("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY;");
  applySqliteMigrations(writer_, sqliteMigrations(), nowMs());
  files_.emplace(path);  // the database, -wal and -shm exist now
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
  std::exception_ptr refused;
  if (auto fault = condition_.writeFault()) {
    refused = std::make_exception_ptr(storageUnavailable("storage_fault", *fault));
  } else {
    std::lock_guard lock(mutex_);
    if (!stopping_) {
      queue_.push_back(WriteRequest{std::move(fn), std::move(done)});
      queued_.notify_one();
      return;
    }
    refused = std::make_exception_ptr(ApiError(ErrorCode::Unavailable, "the server is shutting down"));
  }
  done(refused);
}

void SqliteStore::writerLoop() {
  std::vector<WriteRequest> batch;
  for (;;) {
    bool idle = false;
    {
      std::unique_lock lock(mutex_);
      idle = !queued_.wait_for(lock, options_.idleCheckInterval, [&] { return stopping_ || !queue_.empty(); });
      if (!idle) {
        if (queue_.empty()) return;  // stopping, and everything queued before has been committed
        batch.swap(queue_);          // everything that queued during the last commit shares the next one
      }
    }
    if (idle) {
      idleCheck();
      continue;
    }
    commitBatch(batch);
    batch.clear();
  }
}

void SqliteStore::idleCheck() {
  // While the latest commit failed and nothing else tries, an empty batch carries the probe alone.
  if (!refusal() && condition_.writeProblem()) {
    std::vector<WriteRequest> none;
    commitBatch(none);
  }
}

SqliteStore::WriteRequest SqliteStore::probeRequest() {
  // Rewrites the header's user_version with its own value: a real page write and fsync at commit.
  return WriteRequest{[this](StoreTx&) {
                        const auto version = writer_.queryText("PRAGMA user_version").value_or("0");
                        writer_.exec("PRAGMA user_version = " + std::to_string(std::stoll(version)));
                      },
                      [](std::exception_ptr) {}};
}

std::exception_ptr SqliteStore::refusal() {
  if (!condition_.writeFault())
    if (auto changed = files_->changed()) condition_.fault(*changed, StoreCondition::Reach::Writes);
  if (auto fault = condition_.writeFault())
    return std::make_exception_ptr(storageUnavailable("storage_fault", *fault));
  return nullptr;
}

std::exception_ptr SqliteStore::noteFailure(const std::exception_ptr& error) {
  const auto problem = storageProblem(error);
  if (!problem) return error;  // a verdict on the request (ApiError, constraint), not on the storage
  spdlog::error("SQLite write failed: {}", describeError(error));
  if (problem->fault)
    condition_.fault(problem->message, StoreCondition::Reach::ReadsAndWrites);
  else
    condition_.writeFailed(problem->message);
  return std::make_exception_ptr(storageUnavailable(*problem));
}

void SqliteStore::failQueued(const std::exception_ptr& error) {
  std::vector<WriteRequest> queued;
  {
    std::lock_guard lock(mutex_);
    queued.swap(queue_);
  }
  for (WriteRequest& request : queued) request.done(error);
}

void SqliteStore::beginTransaction() {
  // The busy timeout bounds the wait for the write lock; the deadline bounds the read BEGIN starts,
  // which SQLite would otherwise retry for ten seconds while another process holds the read marks.
  ScopedLockDeadline deadline(std::chrono::milliseconds(options_.busyTimeoutMs));
  writer_.run("BEGIN IMMEDIATE");
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
  if (const std::exception_ptr refused = refusal()) {
    for (WriteRequest& request : batch) request.done(refused);
    return;
  }
  // While writes fail, every batch carries a probe: a batch that changes no row (a claim that found
  // nothing) would otherwise commit without writing and say nothing about the disk.
  const bool proving = condition_.writeProblem().has_value();
  if (proving) batch.push_back(probeRequest());
  SqliteTx tx(writer_);
  std::vector<WriteRequest*> uncommitted;  // ran cleanly; their fate is the COMMIT's
  auto failUncommitted = [&](const std::exception_ptr& error) {
    for (WriteRequest* request : uncommitted) request->done(error);
    uncommitted.clear();
  };
  const std::int64_t changesBefore = writer_.totalChanges();
  for (auto it = batch.begin(); it != batch.end(); ++it) {
    WriteRequest& request = *it;
    if (!writer_.inTransaction()) {  // the first request, or the previous failure undid everything
      try {
        beginTransaction();
      } catch (...) {
        // The database could not be had within the busy timeout (or at all): everything waiting for it,
        // in this batch or queued since, hears so now instead of after one more wait each.
        const std::exception_ptr error = noteFailure(std::current_exception());
        for (; it != batch.end(); ++it) it->done(error);
        failQueued(error);
        return;
      }
    }
    try {
      writer_.run("SAVEPOINT request");
      tx.forgetReads();
      request.fn(tx);
      writer_.run("RELEASE request");
      uncommitted.push_back(&request);
    } catch (...) {
      // A request that failed alone is answered now; its changes are already undone.
      const std::exception_ptr error = noteFailure(std::current_exception());
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
      failUncommitted(noteFailure(std::current_exception()));
    }
  }
  if (uncommitted.empty()) return;
  // Committed into the files we opened: if a path names another file now, nobody will read this commit.
  if (const std::exception_ptr refused = refusal()) return failUncommitted(refused);
  // A commit that changed nothing wrote nothing, so it says nothing about the disk.
  if (proving || writer_.totalChanges() != changesBefore) condition_.writeSucceeded();
  // Only now: a caller must never hear "done" before its change is on disk.
  for (WriteRequest* request : uncommitted) request->done(nullptr);
}

void SqliteStore::read(const std::function<void(StoreReader&)>& fn) {
  if (auto fault = condition_.readFault()) throw storageUnavailable("storage_fault", *fault);
  auto lease = readers_.checkout();
  SqliteConnection& conn = lease.connection();
  // Reads hold a handler thread: another process's locks may delay one by the read timeout at most.
  ScopedLockDeadline deadline(readTimeout());
  try {
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
  } catch (...) {
    const auto problem = storageProblem(std::current_exception());
    if (!problem) throw;
    spdlog::warn("SQLite read failed: {}", describeError(std::current_exception()));
    if (problem->fault) condition_.fault(problem->message, StoreCondition::Reach::ReadsAndWrites);
    throw storageUnavailable(*problem);
  }
}

StoreHealth SqliteStore::health() {
  StoreHealth health;
  static_cast<void>(refusal());  // notices database files that changed since the last commit
  health.writeProblem = condition_.writeProblem();
  health.readProblem = readProblem();
  return health;
}

std::optional<std::string> SqliteStore::readProblem() {
  if (auto fault = condition_.readFault()) return fault;
  try {
    auto lease = readers_.checkout();
    ScopedLockDeadline deadline(readTimeout());
    // A real read of the schema (`SELECT 1` touches no file), bounded like any read.
    lease.connection().queryText("SELECT count(*) FROM sqlite_schema");
    return std::nullopt;
  } catch (...) {
    const auto problem = storageProblem(std::current_exception());
    if (!problem) return "the database does not answer: " + describeError(std::current_exception());
    if (problem->fault) condition_.fault(problem->message, StoreCondition::Reach::ReadsAndWrites);
    return problem->message;
  }
}

std::chrono::milliseconds SqliteStore::readTimeout() const {
  return std::chrono::milliseconds(std::min(options_.readTimeoutMs, options_.busyTimeoutMs));
}

bool SqliteStore::ping() { return health().ok(); }

std::size_t SqliteStore::queuedWrites() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

std::uint64_t SqliteStore::commitCount() const { return commits_.load(); }

}  // namespace spooled::server
