#include "bench_util.hpp"

#include <cmath>
#include <iostream>
#include <random>

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

}  // namespace spooled::bench
