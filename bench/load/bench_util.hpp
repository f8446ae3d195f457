#pragma once
// Small helpers every benchmark command shares.
#include <chrono>
#include <optional>
#include <string>
#include <sys/types.h>

namespace spooled::bench {

using Clock = std::chrono::steady_clock;

// `bytes` random bytes as lowercase hex (unique queue names and API keys).
std::string randomHex(int bytes);
// "bench-<what>-<random>": a queue no earlier run (or other client of the server) has used.
std::string freshQueueName(const std::string& what);
// One line on stderr, so stdout keeps only the table or the JSON object.
void progress(const std::string& message);
// Seconds since `since`.
double secondsSince(Clock::time_point since);
// Milliseconds between two points of one clock.
double millisBetween(Clock::time_point from, Clock::time_point to);
// Jobs per second, rounded to a whole number (0 when no time passed).
long long perSecond(double count, double seconds);
// Seconds rounded to milliseconds, for reports.
double roundedSeconds(double seconds);
// CPU time (user + system) a process has used, in microseconds, from /proc/PID/stat; nullopt when
// it cannot be read. pid 0: this process.
std::optional<double> processCpuMicros(pid_t pid);
// The same for a process and its children, live and reaped (PostgreSQL: the postmaster and its backends).
std::optional<double> processTreeCpuMicros(pid_t pid);
// (cpu after - cpu before) / count, rounded to a tenth; nullopt when either reading is missing.
std::optional<double> cpuMicrosPer(std::optional<double> before, std::optional<double> after, double count);

}  // namespace spooled::bench
