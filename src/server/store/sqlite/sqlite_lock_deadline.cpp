#include "server/store/sqlite/sqlite_lock_deadline.hpp"

#include <sqlite3.h>

#include <array>
#include <mutex>
#include <stdexcept>
#include <type_traits>

namespace spooled::server {

namespace {

// Steady-clock nanoseconds; 0 means no deadline.
thread_local std::int64_t lockDeadline = 0;

std::int64_t steadyNowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// The default VFS's file methods with xShmLock replaced. `wrapped` comes first, so a file's pMethods
// pointer (which points at it) is also a pointer to its entry.
struct MethodsEntry {
  sqlite3_io_methods wrapped;
  const sqlite3_io_methods* base;
};
static_assert(std::is_standard_layout_v<MethodsEntry>);

// The unix VFS gives every file of a kind the same methods table, so a handful of entries is plenty;
// a file whose table does not fit is simply left unwrapped.
std::array<MethodsEntry, 8> entries{};
std::size_t entryCount = 0;
std::mutex entriesMutex;

sqlite3_vfs deadlineVfs{};
const sqlite3_vfs* baseVfs = nullptr;

int shmLockWithDeadline(sqlite3_file* file, int offset, int n, int flags) {
  const sqlite3_io_methods* base = reinterpret_cast<const MethodsEntry*>(file->pMethods)->base;
  const int rc = base->xShmLock(file, offset, n, flags);
  if (rc == SQLITE_BUSY && (flags & SQLITE_SHM_LOCK) != 0 && lockDeadline != 0 && steadyNowNs() >= lockDeadline)
    return SQLITE_BUSY_TIMEOUT;  // not plain BUSY: SQLite's read retry loop gives up instead of spinning
  return rc;
}

const sqlite3_io_methods* wrappedMethods(const sqlite3_io_methods* base) {
  if (base == nullptr || base->iVersion < 2 || base->xShmLock == nullptr) return base;
  std::lock_guard lock(entriesMutex);
  for (std::size_t i = 0; i < entryCount; ++i)
    if (entries[i].base == base) return &entries[i].wrapped;
  if (entryCount == entries.size()) return base;
  MethodsEntry& entry = entries[entryCount++];
  entry.wrapped = *base;
  entry.wrapped.xShmLock = shmLockWithDeadline;
  entry.base = base;
  return &entry.wrapped;
}

int openWithDeadline(sqlite3_vfs* vfs, sqlite3_filename name, sqlite3_file* file, int flags, int* outFlags) {
  const int rc = baseVfs->xOpen(vfs, name, file, flags, outFlags);
  if (rc == SQLITE_OK) file->pMethods = wrappedMethods(file->pMethods);
  return rc;
}

}  // namespace

const char* deadlineVfsName() {
  static const char* name = [] {
    baseVfs = sqlite3_vfs_find(nullptr);
    if (baseVfs == nullptr) throw std::runtime_error("SQLite has no default VFS");
    deadlineVfs = *baseVfs;  // same file size, same pAppData: the unix VFS underneath does the work
    deadlineVfs.zName = "spooled-deadline";
    deadlineVfs.pNext = nullptr;
    deadlineVfs.xOpen = openWithDeadline;
    if (sqlite3_vfs_register(&deadlineVfs, 0) != SQLITE_OK) throw std::runtime_error("cannot register a SQLite VFS");
    return deadlineVfs.zName;
  }();
  return name;
}

ScopedLockDeadline::ScopedLockDeadline(std::chrono::milliseconds timeout) : previous_(lockDeadline) {
  lockDeadline = steadyNowNs() + std::chrono::duration_cast<std::chrono::nanoseconds>(timeout).count();
  if (lockDeadline == 0) lockDeadline = 1;
}

ScopedLockDeadline::~ScopedLockDeadline() { lockDeadline = previous_; }

}  // namespace spooled::server
