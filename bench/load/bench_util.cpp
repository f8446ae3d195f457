#include "bench_util.hpp"

#include <unistd.h>

#include <cmath>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>

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

std::optional<double> processCpuMicros(pid_t pid) {
  std::ifstream file(pid == 0 ? std::string("/proc/self/stat") : "/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  if (!std::getline(file, stat)) return std::nullopt;
  // Fields after the command name (which may hold spaces, so start after its closing parenthesis):
  // state is field 3; utime and stime are fields 14 and 15, in clock ticks.
  const auto close = stat.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream fields(stat.substr(close + 2));
  std::string field;
  double utime = 0;
  double stime = 0;
  for (int index = 3; index <= 15 && fields >> field; ++index) {
    if (index == 14) utime = std::stod(field);
    if (index == 15) stime = std::stod(field);
  }
  return (utime + stime) * 1e6 / static_cast<double>(sysconf(_SC_CLK_TCK));
}

std::optional<double> cpuMicrosPer(std::optional<double> before, std::optional<double> after, double count) {
  if (!before || !after || count <= 0) return std::nullopt;
  return std::round((*after - *before) / count * 10.0) / 10.0;
}

}  // namespace spooled::bench
