#pragma once
// Store on a PostgreSQL database that several spooled-server processes may share.
//
// Writes: a few writer threads, each with its own connection, take requests from one queue. A writer
// takes every request waiting (up to kMaxGroup) and runs them in one transaction, each inside its own
// SAVEPOINT, with one COMMIT (group commit: one WAL flush and one round trip of BEGIN/COMMIT serve
// the group); while it commits, the next writer takes what arrived meanwhile (docs/architecture.md). A request that throws
// is rolled back to its savepoint and answered at once; the others commit. Each `done` of a request
// that ran cleanly runs after the COMMIT. Request threads never wait: submitWrite only queues.
// A request undone by a deadlock or serialization failure runs again in a later transaction (the
// group's own locks are released by then); a lost connection fails the whole group with 503 (the
// outcome of an interrupted COMMIT is unknown, so nothing runs twice) and is re-established.
//
// Reads: a pool of connections, each read one REPEATABLE READ, READ ONLY transaction (one snapshot).
#include <atomic>
#include <condition_variable>
#include <cstdint>
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
  std::chrono::milliseconds clusterPresence{10000};   // listener announcements (PgClusterSignals)
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
  // The settings of every writer connection. Besides the lock timeout: no sort where an index gives
  // the order. A queue filled faster than autovacuum analyzes it looks nearly empty to the planner,
  // which then claims by reading and sorting the whole queue (idx_jobs_org_queue_status) instead of
  // walking idx_jobs_ready to the first `limit` rows; writes only sort when nothing else can order.
  static std::string writerSessionSql(int lockTimeoutMs);
  // Requests in one transaction at most. PostgreSQL tracks up to 64 subtransactions of a transaction
  // in shared memory; past that every other snapshot has to look them up on disk (pg_subtrans).
  static constexpr std::size_t kMaxGroup = 64;

  // Requests waiting for a writer (not counting the groups being run). For tests and metrics.
  std::size_t queuedWrites() const;
  // Transactions the writers have committed since open (probes included). For tests and metrics.
  std::uint64_t commitCount() const { return commits_.load(); }

 private:
  struct WriteRequest {
    WriteFn fn;
    WriteDone done;
    int conflicts = 0;  // times a deadlock or serialization failure undid it
  };
  enum class RequestOutcome { Ran, Answered, Undone, TransactionLost };

  void writerLoop(std::size_t index);
  // The writer's connection, connected (again) if it is not (throws PgError when that fails).
  PgConnection& writerConnection(std::unique_ptr<PgConnection>& conn);
  // Runs the group (pg_group_commit.cpp) and calls every request's done exactly once.
  void commitGroup(std::unique_ptr<PgConnection>& conn, std::vector<WriteRequest>& group);
  // BEGIN; a connection found stale there (the database restarted while it idled) is connected
  // again once, since nothing has run on it yet.
  void begin(std::unique_ptr<PgConnection>& conn);
  // Runs one request of a group inside its savepoint. `error` gets what went wrong unless Ran.
  RequestOutcome runInSavepoint(PgConnection& conn, WriteRequest& request, bool first, std::exception_ptr& error);
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
  std::atomic<std::uint64_t> commits_ = 0;
  std::vector<std::thread> writers_;  // last: start after everything they use exists
};

}  // namespace spooled::server
