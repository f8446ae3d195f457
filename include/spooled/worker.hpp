#pragma once
// SpooledWorker: claims jobs from one queue and runs a handler on each (see docs/workers.md).
//
//   spooled::SpooledClient client;  // $SPOOLED_API_URL, $SPOOLED_API_KEY
//   spooled::SpooledWorker worker(client, spooled::WorkerOptions{.queueName = "emails"});
//   worker.process([](spooled::JobContext& ctx) -> spooled::json { return {{"sent", true}}; });
//   auto signals = spooled::stopOnSignals({&worker});
//   worker.run();  // until SIGTERM / SIGINT, then a graceful shutdown
#include <chrono>
#include <concepts>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "spooled/job_context.hpp"
#include "spooled/json.hpp"
#include "spooled/signal_shutdown.hpp"
#include "spooled/worker_events.hpp"
#include "spooled/worker_options.hpp"

namespace spooled {

class SpooledClient;

namespace detail {
class WorkerCore;
}  // namespace detail

// idle -> starting -> running -> stopping -> stopped; starting -> error when registration fails.
enum class WorkerState { idle, starting, running, stopping, stopped, error };

// "idle", "starting", "running", "stopping", "stopped" or "error".
std::string_view toString(WorkerState state) noexcept;
std::ostream& operator<<(std::ostream& out, WorkerState state);

// Threading: start() spawns a poll thread (claims, worker heartbeat, shutdown), a lease-keeper
// thread (renews the lease of every running job), `concurrency` pool threads that run the handler
// and, with WorkerOptions::batchAcks, an ack-sender thread (sends finished jobs' results together). Every public member function is thread-safe. Neither copyable nor movable. Borrows the
// client, which must outlive the worker.
class SpooledWorker {
 public:
  // Handler signature after adaptation; what it returns is stored as the job's result.
  using Handler = std::function<json(JobContext&)>;

  // Validates the options (WorkerOptions::validate) and throws std::invalid_argument naming the
  // first bad one. Makes no network call.
  SpooledWorker(SpooledClient& client, WorkerOptions options);
  // Stops (as stop()) and waits for shutdown to finish and for every handler to return, including
  // ones that outlived shutdownTimeout (their jobs were already failed; only the threads remain).
  ~SpooledWorker();
  SpooledWorker(const SpooledWorker&) = delete;
  SpooledWorker& operator=(const SpooledWorker&) = delete;

  // Sets the job handler; call once, before start(). `handler(ctx)` may return json (or anything
  // convertible to it), which becomes the job's result, or void (the job completes without a
  // result). Throwing fails the job: NonRetryableError dead-letters it at once, anything else is
  // retried while retries remain. Runs on pool threads, up to `concurrency` at once.
  // Throws std::invalid_argument for an empty handler, std::logic_error after start() or stop().
  template <typename F>
    requires std::invocable<F&, JobContext&>
  void process(F handler) {
    using Result = std::invoke_result_t<F&, JobContext&>;
    if constexpr (std::is_pointer_v<F> || requires(const F& f) { f.operator bool(); }) {
      // An empty std::function or a null function pointer would only fail later, on a pool thread.
      if (!static_cast<bool>(handler)) throw std::invalid_argument("SpooledWorker::process: the handler is empty");
    }
    if constexpr (std::is_same_v<F, Handler>) {
      setHandler(std::move(handler));
    } else if constexpr (std::is_void_v<Result>) {
      setHandler([h = std::move(handler)](JobContext& ctx) mutable -> json {
        h(ctx);
        return nullptr;
      });
    } else {
      static_assert(std::is_constructible_v<json, Result>, "a job handler must return json, void, or a type json can hold");
      setHandler([h = std::move(handler)](JobContext& ctx) mutable -> json { return json(h(ctx)); });
    }
  }

  // Subscribes to an event (see worker_events.hpp for the names). Returns an id for off().
  // Throws std::invalid_argument on an unknown name or an empty callback. Allowed at any time,
  // also from inside a callback. Callbacks may run until the destructor returns, so what they
  // capture by reference must outlive the worker.
  SubscriptionId on(std::string_view event, WorkerEventCallback callback);
  // Removes a subscription. Returns false when the id is unknown (already removed). A callback
  // already running may finish after off() returns.
  bool off(SubscriptionId id);

  // Registers the worker with the server and starts polling, then returns at once. Emits
  // `started`. Throws std::logic_error when there is no handler or the worker was started before;
  // throws the client's SpooledError when registration fails (the state is then `error`).
  void start();
  // start(), then wait(): blocks until the worker has stopped (after stop(), e.g. from a
  // SignalShutdown). Throws what start() throws.
  void run();
  // Asks for a graceful shutdown and returns at once; safe from any thread, including event
  // callbacks and handlers, and idempotent (later calls and their reasons are ignored). Not
  // async-signal-safe: from a signal, use SignalShutdown. Shutdown then runs on the poll thread:
  // stop claiming, stop the worker heartbeat, let running handlers finish (leases still renewed),
  // wait up to shutdownTimeout, fail the jobs still running (retryable, "worker shutdown timeout")
  // and mark their contexts cancelled, deregister, emit `stopped` with `reason`. A worker never
  // started goes straight to `stopped`. A claim already in flight (a long-poll lasts at most
  // min(pollInterval, 5 s)) may still hand over jobs; they run as part of the drain.
  void stop(std::string reason = "stop requested");
  // Blocks until shutdown has finished (state stopped or error). Returns at once if never started.
  void wait();
  // wait() with a deadline: true when the worker has stopped.
  bool waitFor(std::chrono::milliseconds timeout);

  WorkerState getState() const noexcept;
  // The server's id for this worker; empty before registration succeeded.
  std::optional<std::string> getWorkerId() const;
  // Handlers running now (including ones shutdown gave up on that have not returned yet).
  int getActiveJobCount() const noexcept;
  // True from start() until shutdown has finished: also while `stopping`, so a loop
  // `while (worker.isRunning())` lasts until running jobs are drained.
  bool isRunning() const noexcept;
  // The validated options with machine defaults filled in.
  const WorkerOptions& options() const noexcept;

 private:
  void setHandler(Handler handler);

  std::unique_ptr<detail::WorkerCore> core_;
};

}  // namespace spooled
