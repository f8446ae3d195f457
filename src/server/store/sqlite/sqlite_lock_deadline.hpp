#pragma once
// A SQLite VFS, "spooled-deadline", identical to the default one (same files, same locks, so other
// processes see nothing different) except that a WAL-index lock a thread cannot get gives up once a
// deadline that thread set has passed.
//
// Why: the busy timeout does not bound every wait. A connection starting a read in WAL mode retries
// inside SQLite for about ten seconds (then fails with SQLITE_PROTOCOL) while another process holds the
// read-mark locks, whatever the busy timeout says. With a deadline set, the lock call answers
// SQLITE_BUSY_TIMEOUT once it has passed, and the statement fails at once with a BUSY error.
#include <chrono>
#include <cstdint>

namespace spooled::server {

// The VFS's name for sqlite3_open_v2; registers it on first use (thread-safe).
const char* deadlineVfsName();

// Sets this thread's deadline for WAL-index locks to now + timeout for the life of the object; the
// previous deadline comes back afterwards. Without one, locks behave as SQLite's own.
class ScopedLockDeadline {
 public:
  explicit ScopedLockDeadline(std::chrono::milliseconds timeout);
  ~ScopedLockDeadline();
  ScopedLockDeadline(const ScopedLockDeadline&) = delete;
  ScopedLockDeadline& operator=(const ScopedLockDeadline&) = delete;

 private:
  std::int64_t previous_;
};

}  // namespace spooled::server
