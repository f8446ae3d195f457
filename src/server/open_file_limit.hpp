#pragma once
// File descriptors are what connections cost. At start the soft RLIMIT_NOFILE is raised to the hard
// limit (the soft default, often 1024, is far below what a queue server with many idle workers
// needs), and the connection limit is kept below it with a reserve for the store's files, logs, the
// event loop and refusals in flight, so the server refuses a connection with a 503 long before accept
// fails for want of a descriptor.
#include <cstdint>

namespace spooled::server {

// Raises the soft limit to the hard one; returns the soft limit now in force (0 when unknown).
std::uint64_t raiseOpenFileLimit();

// The soft limit in force (0 when unknown).
std::uint64_t openFileLimit();

// The connections the server may hold: `requested`, but at most fileLimit minus a reserve of a quarter
// of it (at least 16, at most 256). fileLimit 0 (unknown) leaves requested as is. Never below 1.
int connectionCapacity(int requested, std::uint64_t fileLimit);

}  // namespace spooled::server
