#include "sdk/worker/worker_log.hpp"

#include <exception>
#include <iostream>
#include <mutex>

namespace spooled::detail {

namespace {

std::string_view levelName(LogLevel level) {
  switch (level) {
    case LogLevel::debug: return "debug";
    case LogLevel::info: return "info";
    case LogLevel::warn: return "warn";
    case LogLevel::error: return "error";
  }
  return "?";
}

}  // namespace

WorkerLog::WorkerLog(WorkerLogger sink, std::string name) : sink_(std::move(sink)), name_(std::move(name)) {}

void WorkerLog::log(LogLevel level, std::string_view message) const noexcept {
  try {
    if (sink_) {
      sink_(level, message);
      return;
    }
    if (level < LogLevel::warn) return;
    // One write per line under a lock, so lines from concurrent jobs never interleave.
    std::string line = "[spooled worker " + name_ + "] " + std::string(levelName(level)) + ": ";
    line.append(message);
    line += '\n';
    static std::mutex streamMutex;
    const std::lock_guard lock(streamMutex);
    std::clog << line << std::flush;
  } catch (...) {
  }
}

std::string describe(const std::exception_ptr& error) {
  if (!error) return "no error";
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "unknown exception";
  }
}

}  // namespace spooled::detail
