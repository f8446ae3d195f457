#pragma once
// JobContext: what a job handler gets (see docs/workers.md, "Job Context").
#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "spooled/json.hpp"

namespace spooled {

namespace detail {
class ActiveJob;
}  // namespace detail

// One claimed job, handed by reference to the handler for the duration of one call. Created only
// by SpooledWorker. The data members are plain copies of the claim; changing them changes nothing
// on the server. The member functions are thread-safe: the handler may pass the context to helper
// threads, as long as they are done with it before the handler returns.
class JobContext {
 public:
  std::string jobId;      // unique job id
  std::string queueName;  // the queue it was claimed from
  json payload;           // your data, as enqueued
  int retryCount = 0;     // failed attempts before this one (0 on the first run)
  int maxRetries = 0;     // failures allowed before the job is dead-lettered
  std::string workerId;   // the id the server gave this worker

  // Reports progress (percent is clamped to 0..100) with an optional message; the job shows it as
  // `progress` / `progress_message`. Never throws: returns false when the report was not recorded
  // (the server lacks the endpoint, which is logged once per worker; the lease was lost; the
  // network failed). Blocks for one HTTP round trip.
  bool progress(double percent, std::string_view message = {});

  // True once this job is no longer the handler's to finish: its lease was lost (409), it was
  // cancelled on the server, or shutdown gave up on it. A handler learns of a server-side cancel
  // within one heartbeatInterval. Whatever a cancelled handler returns is discarded, so long
  // handlers should poll this and return early.
  bool isCancelled() const noexcept;

  // Sleeps up to `timeout`, waking early when the job is cancelled. Returns isCancelled().
  // Use it instead of std::this_thread::sleep_for inside handlers.
  bool waitCancelled(std::chrono::milliseconds timeout) const;

  // The fencing token of this claim (empty if the server sent none). Rarely needed.
  const std::string& leaseId() const noexcept;

  // Internal: built by the worker runtime.
  explicit JobContext(std::shared_ptr<detail::ActiveJob> job);
  ~JobContext();
  JobContext(const JobContext&) = delete;
  JobContext& operator=(const JobContext&) = delete;

 private:
  std::shared_ptr<detail::ActiveJob> job_;
};

}  // namespace spooled
