#pragma once
// Configuration of a SpooledWorker (see docs/workers.md, "Configuration Options"). Plain values:
// copy freely; a worker keeps its own copy, validated when the worker is constructed.
#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include "spooled/json.hpp"

namespace spooled {

// Severity of a message the worker runtime logs (never job data, only what the runtime did).
enum class LogLevel { debug, info, warn, error };

// Receives the runtime's log lines. Called from worker threads, possibly concurrently: must be
// thread-safe and must not throw.
using WorkerLogger = std::function<void(LogLevel level, std::string_view message)>;

// Every member has a default member initializer, so designated initialization
// (`WorkerOptions{.queueName = "emails"}`) compiles cleanly under -Wextra.
struct WorkerOptions {
  // Required: the queue this worker claims jobs from (1-100 chars of [A-Za-z0-9._-]).
  std::string queueName{};
  // Handlers that run at once, each on its own pool thread (1..100). Default 5.
  int concurrency = 5;
  // Wait between claims while the queue is empty. Default 1000 ms; at least 10 ms.
  std::chrono::milliseconds pollInterval{1000};
  // Claims long-poll with our server's `wait_ms` extension: an empty queue answers as soon as a job
  // arrives. false sends only what the official Spooled API has (a plain claim every pollInterval),
  // e.g. to measure or mimic an official server. Default true.
  bool longPoll = true;
  // Lease the server grants per claim and per renewal (5..3600 s). Default 30 s.
  std::chrono::seconds leaseDuration{30};
  // How often each running job's lease is renewed and the worker heartbeat is sent; must be
  // shorter than leaseDuration. Default 10 s; sub-second values are allowed (tests use them).
  std::chrono::milliseconds heartbeatInterval{10000};
  // How long stop() lets running handlers finish before it fails their jobs (retryable) and gives
  // up on them. Default 30000 ms; 0 fails running jobs at once.
  std::chrono::milliseconds shutdownTimeout{30000};
  // Our server's batched acknowledgements (POST /api/v1/jobs/ack): finished jobs' results are sent
  // together, with the worker's next claim, in one request. Against a server without the route
  // (404/405) the worker notices once and settles each job with its own complete/fail call.
  // false: always one call per job, only what the official Spooled API has. Default true.
  bool batchAcks = true;
  // How long a finished job's result may wait for others to share its request (0..1000 ms); sent
  // sooner once 100 results wait, or when the worker wants jobs and no handler is running. Default 2 ms.
  std::chrono::milliseconds ackBatchWindow{2};
  // Reported at registration. Empty: this machine's gethostname().
  std::string hostname{};
  // Reported at registration. Default "cpp".
  std::string workerType = "cpp";
  // Your application's version, reported at registration. Empty: the SDK version.
  std::string version{};
  // Free-form JSON object reported at registration (env, region, ...).
  json metadata = json::object();
  // Where runtime log lines go. Empty: warnings and errors go to std::clog.
  WorkerLogger logger{};

  // Reads the guide's camelCase keys: queueName, concurrency, pollInterval (ms), leaseDuration (s),
  // heartbeatInterval (s, may be fractional), shutdownTimeout (ms), batchAcks, ackBatchWindow (ms),
  // hostname, workerType, version, metadata. Absent keys keep their defaults. Throws std::invalid_argument naming the key on an
  // unknown key or a value of the wrong type; ranges are checked by validate().
  static WorkerOptions fromJson(const json& config);

  // Throws std::invalid_argument whose message names the first invalid option (e.g.
  // "WorkerOptions.concurrency must be between 1 and 100, got 0"). SpooledWorker calls it.
  void validate() const;

  // A copy with the defaults that depend on the machine filled in (hostname, version).
  WorkerOptions resolved() const;
};

}  // namespace spooled
