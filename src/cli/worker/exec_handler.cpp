#include "cli/worker/exec_handler.hpp"

#include <string.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <mutex>
#include <optional>
#include <stdexcept>

#include "cli/worker/job_process.hpp"
#include "cli/worker/utf8_text.hpp"
#include "spooled/errors.hpp"
#include "spooled/signal_shutdown.hpp"

namespace spooled::cli {

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kErrorTailChars = 1500;  // the server takes errors up to 2048 characters
constexpr auto kProgressEvery = std::chrono::milliseconds(250);

std::string trimmed(const std::string& text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return {};
  const auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

// Progress reports are an HTTP call each: a program printing thousands of them must not slow its
// own pipes down, so at most one is sent per kProgressEvery and the latest one always goes out.
class ProgressThrottle {
 public:
  explicit ProgressThrottle(JobContext& ctx) : ctx_(ctx) {}
  void report(double percent, std::string message) {
    pending_ = {percent, std::move(message)};
    flush(false);
  }
  void flush(bool force) {
    if (!pending_ || (!force && Clock::now() - lastSent_ < kProgressEvery)) return;
    ctx_.progress(pending_->first, pending_->second);
    lastSent_ = Clock::now();
    pending_.reset();
  }

 private:
  JobContext& ctx_;
  std::optional<std::pair<double, std::string>> pending_;
  Clock::time_point lastSent_{};
};

std::string describeEnd(const JobProcessOutcome& o) {
  if (o.exitCode) return "exit " + std::to_string(*o.exitCode);
  return "killed by " + signalName(o.signal);
}

std::string errorMessage(const std::string& what, const JobProcessOutcome& o) {
  std::string tail = trimmed(o.stderrTail);
  if (tail.size() > kErrorTailChars) tail = "..." + tail.substr(tail.size() - kErrorTailChars);
  tail = toValidUtf8(tail);  // after the cut, which may split a character
  return tail.empty() ? what : what + ": " + tail;
}

}  // namespace

bool parseProgressLine(const std::string& line, double& percent, std::string& message) {
  static constexpr std::string_view kPrefix = "progress:";
  const auto start = line.find_first_not_of(" \t");
  if (start == std::string::npos || line.compare(start, kPrefix.size(), kPrefix) != 0) return false;
  const std::string rest = line.substr(start + kPrefix.size());
  const char* begin = rest.c_str();
  char* end = nullptr;
  const double value = std::strtod(begin, &end);
  if (end == begin) return false;
  percent = value;
  message = trimmed(std::string(end));
  if (!message.empty() && message.front() == '%') message = trimmed(message.substr(1));
  return true;
}

json resultFromStdout(const std::string& text) {
  const std::string body = trimmed(text);
  if (body.empty()) return nullptr;
  json parsed = json::parse(body, nullptr, false);
  if (!parsed.is_discarded()) return parsed;
  return toValidUtf8(text);
}

ExecHandler::ExecHandler(ExecOptions options) : options_(std::move(options)) {
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string line = *entry;
    if (line.rfind("SPOOLED_JOB_", 0) == 0) continue;  // ours to set per job
    baseEnv_.push_back(line);
  }
}

std::vector<std::string> ExecHandler::environmentFor(const JobContext& ctx) const {
  std::vector<std::string> env;
  static constexpr const char* kOurs[] = {"SPOOLED_QUEUE=", "SPOOLED_RETRY_COUNT=", "SPOOLED_MAX_RETRIES=",
                                          "SPOOLED_WORKER_ID="};
  for (const auto& line : baseEnv_) {
    bool ours = false;
    for (const char* prefix : kOurs) ours = ours || line.rfind(prefix, 0) == 0;
    if (!ours) env.push_back(line);
  }
  env.push_back("SPOOLED_JOB_ID=" + ctx.jobId);
  env.push_back("SPOOLED_QUEUE=" + ctx.queueName);
  env.push_back("SPOOLED_RETRY_COUNT=" + std::to_string(ctx.retryCount));
  env.push_back("SPOOLED_MAX_RETRIES=" + std::to_string(ctx.maxRetries));
  env.push_back("SPOOLED_WORKER_ID=" + ctx.workerId);
  return env;
}

json ExecHandler::operator()(JobContext& ctx) const {
  JobProcessSpec spec;
  spec.argv = options_.command;
  spec.env = environmentFor(ctx);
  spec.stdinData = ctx.payload.dump();
  spec.maxStdoutBytes = options_.maxOutputBytes;
  spec.killGrace = options_.killGrace;
  ProgressThrottle progress(ctx);
  const auto started = Clock::now();
  bool timedOut = false;
  JobProcessHooks hooks;
  hooks.onStderrLine = [&](const std::string& line) {
    if (options_.forwardStderr) {
      static std::mutex mutex;  // lines of concurrent jobs must not interleave mid-line
      const std::lock_guard lock(mutex);
      std::cerr << "[" << ctx.jobId.substr(0, 8) << "] " << line << std::endl;
    }
    double percent = 0;
    std::string message;
    if (!parseProgressLine(line, percent, message)) return false;
    progress.report(percent, std::move(message));
    return true;
  };
  hooks.shouldStop = [&] {
    progress.flush(false);
    if (ctx.isCancelled()) return true;  // shutdown gave up on it, its lease was lost, or it was cancelled
    if (options_.jobTimeout.count() > 0 && Clock::now() - started >= options_.jobTimeout) {
      timedOut = true;
      return true;
    }
    return false;
  };
  JobProcessOutcome o;
  try {
    o = runJobProcess(spec, hooks);
  } catch (const std::system_error& e) {
    throw std::runtime_error(e.what());  // retried: the program may be there on the next host or run
  }
  progress.flush(true);
  if (o.stopped && ctx.isCancelled()) throw std::runtime_error("stopped: the job was taken from this worker");
  if (timedOut) throw std::runtime_error(errorMessage("timed out after " + std::to_string(options_.jobTimeout.count()) + " s", o));
  if (o.exitCode && *o.exitCode == 0) {
    if (o.stdoutBytes > o.stdoutText.size() && options_.logger) {
      options_.logger(LogLevel::warn, "job " + ctx.jobId + ": stdout was " + std::to_string(o.stdoutBytes) +
                                          " bytes; the result keeps the first " + std::to_string(o.stdoutText.size()));
    }
    return resultFromStdout(o.stdoutText);
  }
  if (o.exitCode && *o.exitCode == options_.deadLetterExitCode)
    throw NonRetryableError(errorMessage("exit " + std::to_string(*o.exitCode) + " (do not retry)", o));
  if (o.exitCode && *o.exitCode == options_.retryExitCode)
    throw std::runtime_error(errorMessage("exit " + std::to_string(*o.exitCode) + " (retry later)", o));
  throw std::runtime_error(errorMessage(describeEnd(o), o));
}

}  // namespace spooled::cli
