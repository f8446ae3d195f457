#pragma once
// Store on one SQLite file in WAL mode. One writer thread owns the only write connection and
// commits every request queued since its last commit in one transaction (group commit): one fsync
// serves many callers. Each request runs inside its own SAVEPOINT, so a request that throws is
// undone alone. Callers do not wait on a thread: each write's `done` runs when its fate is known —
// at once when it failed, after the COMMIT when it succeeded. Reads run on a pool of read-only
// connections and never wait for the writer.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "server/store/sqlite/sqlite_connection.hpp"
#include "server/store/sqlite/sqlite_reader_pool.hpp"
#include "server/store/store.hpp"

namespace spooled::server {

struct SqliteStoreOptions {
  int busyTimeoutMs = 5000;  // only another process holding the file locks makes us wait
  std::size_t maxReaders = 8;
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
  // Undoes the current request's savepoint; false when the whole transaction is gone with it.
  bool undoRequest();

  SqliteConnection writer_;
  SqliteReaderPool readers_;

  mutable std::mutex mutex_;
  std::condition_variable queued_;  // writer waits: a request arrived, or stopping
  std::vector<WriteRequest> queue_;
  bool stopping_ = false;
  std::atomic<std::uint64_t> commits_ = 0;
  std::thread writerThread_;  // last: starts after everything it uses exists
};

}  // namespace spooled::server
