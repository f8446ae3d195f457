#include "server/store/postgres/pg_store.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "common/error_code.hpp"
#include "server/store/postgres/pg_migrate.hpp"
#include "server/store/postgres/pg_storage_errors.hpp"
#include "server/store/postgres/pg_tx.hpp"

namespace spooled::server {

namespace {

thread_local bool tlsWriter = false;

}  // namespace

std::string PgStore::writerSessionSql(int lockTimeoutMs) {
  return "SET lock_timeout = " + std::to_string(lockTimeoutMs) + "; SET enable_sort = off";
}

std::size_t PgStore::writerCount(std::size_t poolSize) { return std::clamp<std::size_t>(poolSize / 2, 1, 8); }

PgStore::PgStore(const std::string& url, PgStoreOptions options)
    : url_(url),
      options_(options),
      readers_(url, std::max<std::size_t>(1, options.poolSize - writerCount(options.poolSize))) {
  try {
    PgConnection conn(url);
    applyPgMigrations(conn, pgMigrations(), nowMs());
  } catch (const PgError& e) {
    throw std::runtime_error(e.what());
  }
  signals_ = std::make_unique<PgClusterSignals>(url, options.clusterPresence);
  const std::size_t writers = writerCount(options.poolSize);
  for (std::size_t i = 0; i < writers; ++i) writers_.emplace_back([this, i] { writerLoop(i); });
}

PgStore::~PgStore() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  queued_.notify_all();
  for (auto& writer : writers_) writer.join();
  signals_.reset();
}

bool PgStore::onWriterThread() const { return tlsWriter; }

void PgStore::submitWrite(WriteFn fn, WriteDone done) {
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

PgConnection& PgStore::writerConnection(std::unique_ptr<PgConnection>& conn) {
  if (!conn || conn->broken()) {
    if (conn) {
      conn->reconnect();
    } else {
      conn = std::make_unique<PgConnection>(url_);
    }
    conn->exec(writerSessionSql(options_.lockTimeoutMs));
  }
  return *conn;
}

void PgStore::writerLoop(std::size_t index) {
  tlsWriter = true;
  std::unique_ptr<PgConnection> conn;
  std::vector<WriteRequest> group;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      const bool woken = queued_.wait_for(lock, options_.idleCheckInterval, [&] { return stopping_ || !queue_.empty(); });
      if (woken) {
        if (queue_.empty()) return;  // stopping, and everything queued before has run
        // Everything that queued while the writers were busy shares the next transaction; what is
        // beyond the group's limit is left for the next writer free.
        const std::size_t take = std::min(queue_.size(), kMaxGroup);
        for (std::size_t i = 0; i < take; ++i) {
          group.push_back(std::move(queue_.front()));
          queue_.pop_front();
        }
        if (!queue_.empty()) queued_.notify_one();
      }
    }
    if (group.empty()) {
      // Idle: while writes fail, the first writer probes so that readiness recovers by itself.
      if (index == 0 && condition_.writeProblem()) {
        try {
          probe(writerConnection(conn));
        } catch (...) {
          noteFailure(std::current_exception());
        }
      }
      continue;
    }
    commitGroup(conn, group);
    group.clear();
  }
}

std::size_t PgStore::queuedWrites() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

void PgStore::probe(PgConnection& conn) {
  conn.exec("BEGIN");
  conn.exec("SELECT 1");
  conn.exec("COMMIT");
  ++commits_;
  condition_.writeSucceeded();
}

std::exception_ptr PgStore::noteFailure(const std::exception_ptr& error) {
  const auto problem = pgStorageProblem(error);
  if (!problem) return error;  // a verdict on the request (ApiError, constraint), not on the storage
  spdlog::error("PostgreSQL write failed: {}", describeError(error));
  condition_.writeFailed(problem->message);
  return std::make_exception_ptr(storageUnavailable(*problem));
}

void PgStore::read(const std::function<void(StoreReader&)>& fn) {
  auto failed = [](const std::exception_ptr& error) {
    const auto problem = pgStorageProblem(error);
    if (!problem) std::rethrow_exception(error);
    spdlog::warn("PostgreSQL read failed: {}", describeError(error));
    throw storageUnavailable(*problem);
  };
  for (int attempt = 1;; ++attempt) {
    bool started = false;
    try {
      auto lease = readers_.checkout();
      PgConnection& conn = lease.connection();
      try {
        conn.exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
        started = true;
        PgReader reader(conn, false);
        fn(reader);
        conn.exec("COMMIT");
        return;
      } catch (...) {
        conn.rollbackQuietly();
        throw;
      }
    } catch (...) {
      // A connection that went stale while idle (the server restarted) fails at BEGIN: once more on a
      // fresh one before the caller hears 503.
      const std::exception_ptr error = std::current_exception();
      if (!started && attempt == 1 && isPgError(error, [](const PgError& e) { return e.connectionLost(); })) continue;
      failed(error);
    }
  }
}

StoreHealth PgStore::health() {
  StoreHealth health;
  health.writeProblem = condition_.writeProblem();
  try {
    read([](StoreReader&) {});
  } catch (const std::exception& e) {
    health.readProblem = e.what();
  }
  return health;
}

}  // namespace spooled::server
