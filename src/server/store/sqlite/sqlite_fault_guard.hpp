#pragma once
// SQLite maps the WAL index (the database's -shm file) into memory. When that file shrinks under the
// process (truncated by someone) or its filesystem cannot back a page (full disk), touching the mapping
// raises SIGBUS, which used to kill the server without a word. Every call into SQLite therefore runs
// through runGuardedSqliteCall: a SIGBUS on that thread during the call jumps back out of SQLite, and the
// caller reports a fault instead of dying. SQLite's state on that connection is then unknown, so the
// caller must never use the connection again (SqliteConnection poisons itself).
//
// Jumping out of SQLite is safe for the rest of the process because SQLite touches the mapping only
// outside its mutexes, and only C frames (no destructors) lie between the guard and the fault.
// A SIGBUS outside a guarded call goes to the handler that was installed before (by default the
// process dies, as it would have), after one line on stderr that says where it came from.

namespace spooled::server {

// Installs the SIGBUS handler (once per process; later calls do nothing).
void installSqliteFaultHandler();

// Calls fn(context) and stores its result in rc. Returns false, leaving rc alone, when a SIGBUS
// interrupted fn. The handler must be installed, or a SIGBUS still ends the process.
bool runGuardedSqliteCall(int (*fn)(void*), void* context, int& rc) noexcept;

}  // namespace spooled::server
