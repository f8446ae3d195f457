#pragma once
// Store on a PostgreSQL database that several spooled-server processes may share.
//
// Writes: a few writer threads, each with its own connection, take requests from one queue; each
// request runs in a transaction of its own and its `done` runs after the COMMIT (PostgreSQL commits
// concurrent transactions with one WAL flush, so there is no batching here). Request threads never
// wait: submitWrite only queues. A deadlock or serialization failure is retried a few times; a lost
// connection is re-established, and meanwhile writes end in 503.
//
// Reads: a pool of connections, each read one REPEATABLE READ, READ ONLY transaction (one snapshot).
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "server/store/postgres/pg_cluster_signals.hpp"
#include "server/store/postgres/pg_pool.hpp"
#include "server/store/store.hpp"
#include "server/store/store_condition.hpp"

namespace spooled::server {

struct PgStoreOptions {
  std::size_t poolSize = 10;  // writer and reader connections together (the listener and duty lock add 3)
  int lockTimeoutMs = 2000;   // a write waits this long for a row another transaction holds, then 503
  std::chrono::milliseconds idleCheckInterval{1000};  // while writes fail, a probe commit this often
};

class PgStore final : public Store {
 public:
  // Connects, applies pending migrations and starts the writers. Throws std::runtime_error when the
  // database cannot be reached or migrated.
  PgStore(const std::string& url, PgStoreOptions options = {});
  // Runs every request already queued, then stops the writers.
  ~PgStore() override;

  void submitWrite(WriteFn fn, WriteDone done) override;
  void read(const std::function<void(StoreReader&)>& fn) override;
  std::string backendName() const override { return "postgres"; }
  bool ping() override { return health().ok(); }
  StoreHealth health() override;
  bool onWriterThread() const override;
  ClusterSignals* cluster() override { return signals_.get(); }

  // How many writer threads (and connections) and reader connections the pool size gives.
  static std::size_t writerCount(std::size_t poolSize);

 private:
  struct WriteRequest {
    WriteFn fn;
    WriteDone done;
  };

  void writerLoop(std::size_t index);
  // Runs one request in its own transaction; returns what `done` hears (nullptr: committed).
  std::exception_ptr runOne(PgConnection& conn, const WriteFn& fn);
  // A commit of nothing, to see whether writes work again.
  void probe(PgConnection& conn);
  std::exception_ptr noteFailure(const std::exception_ptr& error);

  const std::string url_;
  const PgStoreOptions options_;
  PgPool readers_;
  StoreCondition condition_;
  std::unique_ptr<PgClusterSignals> signals_;

  mutable std::mutex mutex_;
  std::condition_variable queued_;
  std::deque<WriteRequest> queue_;
  bool stopping_ = false;
  std::vector<std::thread> writers_;  // last: start after everything they use exists
};

}  // namespace spooled::server
