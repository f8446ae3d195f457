#pragma once
// Store on one SQLite file in WAL mode. One writer thread owns the only write connection and
// commits every request queued since its last commit in one transaction (group commit): one fsync
// serves many callers. Each request runs inside its own SAVEPOINT, so a request that throws is
// undone alone. Callers do not wait on a thread: each write's `done` runs when its fate is known —
// at once when it failed, after the COMMIT when it succeeded. Reads run on a pool of read-only
// connections and never wait for the writer.
//
// Storage faults (docs/reliability.md): waits for another process's locks are bounded (a write by the
// busy timeout, a read by the shorter read timeout) and end in 503; a SIGBUS inside SQLite or database
// files replaced under the server stop the store for good (StoreCondition) instead of killing the
// process or acknowledging writes nobody will read; the latest commit's outcome feeds readiness.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "server/store/sqlite/sqlite_connection.hpp"
#include "server/store/sqlite/sqlite_file_identity.hpp"
#include "server/store/sqlite/sqlite_reader_pool.hpp"
#include "server/store/store.hpp"
#include "server/store/store_condition.hpp"

namespace spooled::server {

struct SqliteStoreOptions {
  int busyTimeoutMs = 2000;  // a write waits this long for another process's lock, then fails
  // A read waits at most this long (or the busy timeout, if shorter): reads hold a handler thread.
  int readTimeoutMs = 250;
  std::size_t maxReaders = 8;
  // While writes fail and none arrive, the writer tries a probe commit this often (so readiness
  // recovers by itself); it also checks that the database files are still the ones it opened.
  std::chrono::milliseconds idleCheckInterval{1000};
};

class SqliteStore final : public Store {
 public:
  // Opens (creating if needed) the database file, applies pending migrations and starts the writer.
  explicit SqliteStore(const std::string& path, SqliteStoreOptions options = {});
  // Commits every request already queued, then stops the writer.
  ~SqliteStore() override;

  void submitWrite(WriteFn fn, WriteDone done) override;
  void read(const std::function<void(StoreReader&)>& fn) override;
  std::string backendName() const override { return "sqlite"; }
  bool ping() override;
  StoreHealth health() override;
  bool onWriterThread() const override { return std::this_thread::get_id() == writerThread_.get_id(); }

  // Requests waiting for the writer (not counting the batch being committed). For tests and metrics.
  std::size_t queuedWrites() const;
  // Transactions the writer has committed since open. For tests and metrics.
  std::uint64_t commitCount() const;

 private:
  struct WriteRequest {
    WriteFn fn;
    WriteDone done;
  };

  void writerLoop();
  void commitBatch(std::vector<WriteRequest>& batch);
  // A write of our own whose commit shows that writes reach the disk again.
  WriteRequest probeRequest();
  void beginTransaction();
  // Undoes the current request's savepoint; false when the whole transaction is gone with it.
  bool undoRequest();
  // The 503 every write gets now without trying, if any: a fault, or database files that changed.
  std::exception_ptr refusal();
  // Records what a failure says about the storage and returns what the request hears.
  std::exception_ptr noteFailure(const std::exception_ptr& error);
  // Fails every request still queued (after BEGIN could not get the database).
  void failQueued(const std::exception_ptr& error);
  // Between batches: checks the files; while writes fail, commits a probe to see whether they work again.
  void idleCheck();
  std::optional<std::string> readProblem();
  std::chrono::milliseconds readTimeout() const;

  const std::string path_;
  const SqliteStoreOptions options_;
  SqliteConnection writer_;
  SqliteReaderPool readers_;
  StoreCondition condition_;
  std::optional<SqliteFileIdentity> files_;  // recorded once the database is open and migrated

  mutable std::mutex mutex_;
  std::condition_variable queued_;  // writer waits: a request arrived, or stopping
  std::vector<WriteRequest> queue_;
  bool stopping_ = false;
  std::atomic<std::uint64_t> commits_ = 0;
  std::thread writerThread_;  // last: starts after everything it uses exists
};

}  // namespace spooled::server
