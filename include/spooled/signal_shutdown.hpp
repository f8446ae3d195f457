#pragma once
// SignalShutdown: stop workers gracefully on SIGTERM / SIGINT (see docs/workers.md,
// "Graceful Shutdown").
#include <csignal>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace spooled {

class SpooledWorker;

namespace detail {
class SignalWatcher;
}  // namespace detail

// While alive, catches the given signals. The signal handler only writes the signal number to a
// pipe (async-signal-safe); a watcher thread reads it, calls onSignal(signal), then stop() on each
// worker. Later signals are reported to onSignal again (stop() is idempotent). The destructor
// restores the previous handlers and joins the watcher. Only one SignalShutdown may be alive at a
// time (signal dispositions are process-wide): constructing a second throws std::logic_error.
// The workers must outlive this object. Not copyable or movable.
class SignalShutdown {
 public:
  // Runs on the watcher thread, before the workers are stopped. Must not throw.
  using Callback = std::function<void(int signal)>;

  // Throws std::system_error when the pipe, thread or sigaction cannot be set up.
  explicit SignalShutdown(std::vector<SpooledWorker*> workers, Callback onSignal = {},
                          std::vector<int> signals = {SIGTERM, SIGINT});
  ~SignalShutdown();
  SignalShutdown(const SignalShutdown&) = delete;
  SignalShutdown& operator=(const SignalShutdown&) = delete;

  // True once a signal arrived (and the workers were asked to stop).
  bool triggered() const noexcept;
  // The first signal received, 0 if none.
  int signal() const noexcept;

 private:
  std::unique_ptr<detail::SignalWatcher> watcher_;
};

// Shorthand: `auto guard = spooled::stopOnSignals({&emailWorker, &reportWorker});`
[[nodiscard]] SignalShutdown stopOnSignals(std::vector<SpooledWorker*> workers, SignalShutdown::Callback onSignal = {});

// "SIGTERM", "SIGINT", ... for the common signals; "signal N" otherwise.
std::string signalName(int signal);

}  // namespace spooled
