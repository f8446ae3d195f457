#include "bench_util.hpp"

#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <vector>

namespace spooled::bench {

std::string randomHex(int bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::random_device device;
  std::string out;
  for (int i = 0; i < bytes; ++i) {
    const unsigned value = device() & 0xffU;
    out += kDigits[value >> 4U];
    out += kDigits[value & 0xfU];
  }
  return out;
}

std::string freshQueueName(const std::string& what) { return "bench-" + what + "-" + randomHex(4); }

void progress(const std::string& message) { std::cerr << "spooled-bench: " << message << std::endl; }

double secondsSince(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

double millisBetween(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double, std::milli>(to - from).count();
}

long long perSecond(double count, double seconds) { return seconds > 0 ? std::llround(count / seconds) : 0; }

double roundedSeconds(double seconds) { return std::round(seconds * 1000.0) / 1000.0; }

namespace {

// Fields 4 (ppid) to 17 (cstime) of /proc/PID/stat, indexed by field number; empty when unreadable.
std::vector<double> statFields(const std::string& path) {
  std::ifstream file(path);
  std::string stat;
  if (!std::getline(file, stat)) return {};
  // Fields after the command name (which may hold spaces, so start after its closing parenthesis).
  const auto close = stat.rfind(')');
  if (close == std::string::npos) return {};
  std::istringstream fields(stat.substr(close + 2));
  std::vector<double> values(18, 0);
  std::string field;
  for (int index = 3; index <= 17 && fields >> field; ++index) {
    if (index >= 4) values[index] = std::strtod(field.c_str(), nullptr);
  }
  return values;
}

double ticksToMicros(double ticks) { return ticks * 1e6 / static_cast<double>(sysconf(_SC_CLK_TCK)); }

}  // namespace

std::optional<double> processCpuMicros(pid_t pid) {
  // utime and stime are fields 14 and 15, in clock ticks.
  const auto fields = statFields(pid == 0 ? std::string("/proc/self/stat") : "/proc/" + std::to_string(pid) + "/stat");
  if (fields.empty()) return std::nullopt;
  return ticksToMicros(fields[14] + fields[15]);
}

std::optional<double> processTreeCpuMicros(pid_t pid) {
  // The process itself, what its reaped children used (cutime, cstime: fields 16 and 17), and its
  // live children (a PostgreSQL backend is a child of the postmaster).
  const auto own = statFields("/proc/" + std::to_string(pid) + "/stat");
  if (own.empty()) return std::nullopt;
  double ticks = own[14] + own[15] + own[16] + own[17];
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", error)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    const auto child = statFields(entry.path().string() + "/stat");
    if (!child.empty() && static_cast<pid_t>(child[4]) == pid) ticks += child[14] + child[15];
  }
  return ticksToMicros(ticks);
}

std::optional<double> cpuMicrosPer(std::optional<double> before, std::optional<double> after, double count) {
  if (!before || !after || count <= 0) return std::nullopt;
  return std::round((*after - *before) / count * 10.0) / 10.0;
}

}  // namespace spooled::bench
