#pragma once
// What every `spooled` command shares: the global flags (server, key, output mode), the SDK client
// made from them on first use, and how to print (colour only on a terminal, --json everywhere).
#include <functional>
#include <iosfwd>
#include <memory>
#include <stdexcept>
#include <string>

#include "spooled/client.hpp"
#include "spooled/json.hpp"

namespace spooled::cli {

// The client cannot be made from the flags and environment (no API key, bad URL): exit 2.
struct ConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct GlobalOptions {
  std::string apiUrl;      // --api-url, else $SPOOLED_API_URL, else http://localhost:8080
  std::string apiKey;      // --api-key, else $SPOOLED_API_KEY
  bool json = false;       // --json: machine output on stdout
  std::string color = "auto";  // --color auto|always|never ($NO_COLOR disables "auto")
  int timeoutMs = 30000;   // --timeout: per request
};

class CliContext {
 public:
  CliContext(std::ostream& out, std::ostream& err) : out_(out), err_(err) {}

  GlobalOptions options;
  // The command chosen on the command line; set by its CLI11 callback, run after parsing so that
  // errors are mapped to exit codes in one place (apps/spooled_cli.cpp). Returns the exit code.
  std::function<int()> action;

  // The client for --api-url/--api-key, created on first use. Throws ConfigError without a key.
  SpooledClient& client();
  ClientOptions clientOptions() const;

  std::ostream& out() { return out_; }
  std::ostream& err() { return err_; }
  bool json() const { return options.json; }
  // True when stdout is a terminal (tables, redraws) and colour is allowed.
  bool colorEnabled() const;
  bool stdoutIsTerminal() const;
  bool stderrIsTerminal() const;

  // Colours a word for a terminal: "\x1b[32mcompleted\x1b[0m", or the word unchanged when plain.
  std::string paint(const std::string& text, const char* ansi) const;
  // Colour of a job/worker status (green completed, red failed/deadletter, ...).
  std::string paintStatus(const std::string& status) const;

  // --json: the value on one line. Otherwise nothing (callers print their human form).
  void printJson(const spooled::json& value);

 private:
  std::ostream& out_;
  std::ostream& err_;
  std::unique_ptr<SpooledClient> client_;
};

namespace ansi {
inline constexpr const char* bold = "1";
inline constexpr const char* dim = "2";
inline constexpr const char* red = "31";
inline constexpr const char* green = "32";
inline constexpr const char* yellow = "33";
inline constexpr const char* blue = "34";
inline constexpr const char* cyan = "36";
}  // namespace ansi

}  // namespace spooled::cli
