#pragma once
// The worker runtime's logging seam: one place decides where runtime messages go, so the rest of
// the runtime never writes to a stream directly.
#include <exception>
#include <string>
#include <string_view>

#include "spooled/worker_options.hpp"

namespace spooled::detail {

class WorkerLog {
 public:
  // `sink` empty: warnings and errors go to std::clog, prefixed with `name`.
  WorkerLog(WorkerLogger sink, std::string name);

  // Never throws: a logger that throws is ignored, since logging must not break job processing.
  void log(LogLevel level, std::string_view message) const noexcept;
  void debug(std::string_view message) const noexcept { log(LogLevel::debug, message); }
  void info(std::string_view message) const noexcept { log(LogLevel::info, message); }
  void warn(std::string_view message) const noexcept { log(LogLevel::warn, message); }
  void error(std::string_view message) const noexcept { log(LogLevel::error, message); }

 private:
  WorkerLogger sink_;
  std::string name_;
};

// The message of the exception held by `error` ("unknown exception" for non-std ones).
std::string describe(const std::exception_ptr& error);

}  // namespace spooled::detail
