#include "cli/cli_context.hpp"

#include <unistd.h>

#include <cstdlib>
#include <ostream>

#include "spooled/errors.hpp"

namespace spooled::cli {

ClientOptions CliContext::clientOptions() const {
  ClientOptions o;
  o.apiKey = options.apiKey;
  o.baseUrl = options.apiUrl;
  o.requestTimeout = std::chrono::milliseconds(options.timeoutMs);
  // A person at a terminal wants an answer, not 30 s of back-off: two quick retries, and no circuit
  // breaker (a CLI run makes a handful of calls, so it would never help).
  o.retry.maxRetries = 2;
  o.retry.baseDelay = std::chrono::milliseconds(200);
  o.retry.maxDelay = std::chrono::milliseconds(2000);
  o.circuitBreaker.enabled = false;
  o.userAgent = std::string("spooled-cli/") + sdkVersion();
  return o;
}

SpooledClient& CliContext::client() {
  if (!client_) {
    try {
      client_ = std::make_unique<SpooledClient>(clientOptions());
    } catch (const SpooledError& e) {
      throw ConfigError(std::string(e.what()) + " (set SPOOLED_API_URL / SPOOLED_API_KEY or pass --api-url / --api-key)");
    }
  }
  return *client_;
}

bool CliContext::stdoutIsTerminal() const { return ::isatty(STDOUT_FILENO) == 1; }
bool CliContext::stderrIsTerminal() const { return ::isatty(STDERR_FILENO) == 1; }

bool CliContext::colorEnabled() const {
  if (options.color == "always") return true;
  if (options.color == "never") return false;
  const char* noColor = std::getenv("NO_COLOR");
  if (noColor != nullptr && *noColor != '\0') return false;
  return stdoutIsTerminal();
}

std::string CliContext::paint(const std::string& text, const char* code) const {
  if (!colorEnabled()) return text;
  return std::string("\x1b[") + code + "m" + text + "\x1b[0m";
}

std::string CliContext::paintStatus(const std::string& status) const {
  if (status == "completed" || status == "healthy") return paint(status, ansi::green);
  if (status == "failed" || status == "deadletter" || status == "offline" || status == "unhealthy")
    return paint(status, ansi::red);
  if (status == "processing" || status == "draining" || status == "degraded") return paint(status, ansi::yellow);
  if (status == "scheduled" || status == "paused") return paint(status, ansi::blue);
  if (status == "cancelled") return paint(status, ansi::dim);
  return status;
}

void CliContext::printJson(const spooled::json& value) { out_ << value.dump() << "\n"; }

}  // namespace spooled::cli
