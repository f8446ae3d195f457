#pragma once
// Events a SpooledWorker emits (see docs/workers.md, "Event Handlers").
#include <cstdint>
#include <exception>
#include <functional>
#include <string>
#include <string_view>

#include "spooled/json.hpp"

namespace spooled {

// The event names accepted by SpooledWorker::on(). Any other name throws std::invalid_argument.
namespace worker_events {
inline constexpr std::string_view started = "started";            // registered; polling begins
inline constexpr std::string_view stopped = "stopped";            // shutdown finished (reason)
inline constexpr std::string_view error = "error";                // something failed; the worker goes on
inline constexpr std::string_view jobClaimed = "job:claimed";     // a job was claimed
inline constexpr std::string_view jobStarted = "job:started";     // its handler is about to run
inline constexpr std::string_view jobCompleted = "job:completed"; // completed on the server (result)
inline constexpr std::string_view jobFailed = "job:failed";       // failed on the server (error, willRetry)

// True when `name` is one of the names above.
bool isKnown(std::string_view name) noexcept;
}  // namespace worker_events

// What a callback receives. Fields that do not apply to an event are empty / null / false.
struct WorkerEvent {
  std::string name;       // the event name, e.g. "job:completed"
  std::string workerId;   // every event once the worker is registered
  std::string queueName;  // every event
  std::string jobId;      // job:* events; `error` events about one job
  json result;            // job:completed: what the handler returned (null for void handlers)
  std::string error;      // error and job:failed: the message
  std::exception_ptr exception;  // error: the exception, when one was thrown (rethrow to inspect)
  bool willRetry = false;        // job:failed: the server will run the job again
  std::string reason;            // stopped: why the worker stopped
};

// An event callback. Runs on a worker thread (poll loop, lease keeper, job pool or ack sender), possibly
// concurrently with other callbacks: keep it short and thread-safe. If it throws, the exception is
// logged and swallowed; the worker never stops because of a callback.
using WorkerEventCallback = std::function<void(const WorkerEvent& event)>;

// Identifies one on() subscription, for off(). Never 0.
using SubscriptionId = std::uint64_t;

}  // namespace spooled
