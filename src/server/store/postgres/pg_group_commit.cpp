// PgStore's group commit: the requests one writer took run in one transaction, each inside its own
// savepoint, and share one COMMIT (see pg_store.hpp).
#include <spdlog/spdlog.h>

#include "server/store/postgres/pg_storage_errors.hpp"
#include "server/store/postgres/pg_store.hpp"
#include "server/store/postgres/pg_tx.hpp"

namespace spooled::server {

namespace {

// A request undone this many times by deadlocks or serialization failures hears 503.
constexpr int kAttempts = 4;

bool connectionLost(const PgError& e) { return e.connectionLost(); }
bool retryable(const PgError& e) { return e.isRetryable(); }

}  // namespace

void PgStore::begin(std::unique_ptr<PgConnection>& conn) {
  PgConnection& c = writerConnection(conn);  // throws when the database cannot be reached
  try {
    c.exec("BEGIN");
  } catch (...) {
    if (!isPgError(std::current_exception(), connectionLost)) throw;
    c.reconnect();  // throws again when the database is still unreachable
    c.exec(writerSessionSql(options_.lockTimeoutMs));
    c.exec("BEGIN");
  }
}

PgStore::RequestOutcome PgStore::runInSavepoint(PgConnection& conn, WriteRequest& request, bool first,
                                                std::exception_ptr& error) {
  try {
    // One round trip: the previous request's savepoint is released (kept, its changes stay in the
    // transaction) and this one's is set.
    conn.exec(first ? "SAVEPOINT request" : "RELEASE SAVEPOINT request; SAVEPOINT request");
  } catch (...) {
    error = std::current_exception();
    return RequestOutcome::TransactionLost;
  }
  try {
    PgTx tx(conn);
    request.fn(tx);
    // A request that swallowed a statement's error left the transaction refusing everything.
    if (conn.transactionFailed()) throw std::runtime_error("a statement failed inside the write transaction");
    return RequestOutcome::Ran;
  } catch (...) {
    error = std::current_exception();
  }
  if (conn.broken() || isPgError(error, connectionLost)) return RequestOutcome::TransactionLost;
  try {
    // After an error PostgreSQL refuses every statement until this; it also drops the locks the
    // request took, so a deadlock's other party may go on.
    conn.exec("ROLLBACK TO SAVEPOINT request");
  } catch (...) {
    error = std::current_exception();
    return RequestOutcome::TransactionLost;
  }
  if (isPgError(error, retryable) && ++request.conflicts < kAttempts) return RequestOutcome::Undone;
  return RequestOutcome::Answered;
}

void PgStore::commitGroup(std::unique_ptr<PgConnection>& conn, std::vector<WriteRequest>& group) {
  std::vector<WriteRequest> pending = std::move(group);
  group.clear();
  while (!pending.empty()) {
    std::vector<WriteRequest> undone;        // run again in the next transaction, after this one's locks are gone
    std::vector<WriteRequest*> uncommitted;  // ran cleanly; their fate is the COMMIT's
    // The transaction is gone (the connection dropped, or the database refused it): every request
    // of the group not answered yet hears so. None is run again: an interrupted COMMIT may have
    // happened, and a request must never take effect twice.
    auto failRest = [&](const std::exception_ptr& cause, std::size_t next) {
      conn->rollbackQuietly();
      const std::exception_ptr error = noteFailure(cause);
      for (WriteRequest* request : uncommitted) request->done(error);
      for (std::size_t i = next; i < pending.size(); ++i) pending[i].done(error);
      for (WriteRequest& request : undone) request.done(error);
    };
    try {
      begin(conn);
    } catch (...) {
      if (conn) conn->rollbackQuietly();
      const std::exception_ptr error = noteFailure(std::current_exception());
      for (WriteRequest& request : pending) request.done(error);
      return;
    }
    PgConnection& c = *conn;
    bool first = true;
    for (std::size_t i = 0; i < pending.size(); ++i) {
      WriteRequest& request = pending[i];
      std::exception_ptr error;
      switch (runInSavepoint(c, request, first, error)) {
        case RequestOutcome::Ran:
          uncommitted.push_back(&request);
          first = false;
          break;
        case RequestOutcome::Answered:
          // Undone alone (its savepoint is rolled back and still set): answered now, the rest go on.
          first = false;
          request.done(noteFailure(error));
          break;
        case RequestOutcome::Undone:
          first = false;
          undone.push_back(std::move(request));
          break;
        case RequestOutcome::TransactionLost:
          failRest(error, i);
          return;
      }
    }
    try {
      c.exec("COMMIT");
    } catch (...) {
      failRest(std::current_exception(), pending.size());
      return;
    }
    ++commits_;
    condition_.writeSucceeded();
    // Only now: a caller must never hear "done" before its change is committed.
    for (WriteRequest* request : uncommitted) request->done(nullptr);
    if (!undone.empty()) spdlog::debug("{} write(s) undone by a deadlock run again", undone.size());
    pending = std::move(undone);
  }
}

}  // namespace spooled::server
