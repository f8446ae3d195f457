#pragma once
// What the exit status of the program `spooled worker` runs means for its job (docs/cli.md).
// 75 and 65 are sysexits.h's EX_TEMPFAIL and EX_DATAERR, which programs already use for these.
namespace spooled::cli {

inline constexpr int kExecExitRetry = 75;       // "retry later": fail the job, retried while retries remain
inline constexpr int kExecExitDeadLetter = 65;  // "do not retry": fail the job for good (dead-letter)

}  // namespace spooled::cli
