#pragma once
// LeaseKeeper: renews the lease of every running job of one worker on its own thread, so a
// handler that runs longer than leaseDuration keeps its job, and learns (through its context)
// when the server took the job away or cancelled it.
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "sdk/worker/active_job.hpp"

namespace spooled::detail {

class LeaseKeeper {
 public:
  using Clock = std::chrono::steady_clock;

  // Renews each job every `interval` for `lease` more seconds. Starts its thread.
  LeaseKeeper(JobServices& services, std::chrono::milliseconds interval, std::chrono::seconds lease);
  // stop().
  ~LeaseKeeper();
  LeaseKeeper(const LeaseKeeper&) = delete;
  LeaseKeeper& operator=(const LeaseKeeper&) = delete;

  // Starts renewing `job`, whose lease was granted by a claim sent at `claimedAt`.
  void add(const std::shared_ptr<ActiveJob>& job, Clock::time_point claimedAt);
  // Stops renewing `job` (it was settled, or shutdown gave up on it). A renewal already in flight may
  // still complete; its outcome is then ignored. A job whose settlement has begun
  // (ActiveJob::startSettling) may stay until the server answered it: a 409 about it is then left to
  // that answer.
  void remove(const ActiveJob* job);
  // Stops and joins the thread. Idempotent.
  void stop();

 private:
  struct Entry {
    std::shared_ptr<ActiveJob> job;
    Clock::time_point nextRenewal;
    Clock::time_point leaseDeadline;  // conservative local view of lease_expires_at
  };

  void run();
  void renew(const std::shared_ptr<ActiveJob>& job);

  JobServices& services_;
  const std::chrono::milliseconds interval_;
  const std::chrono::seconds lease_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::map<const ActiveJob*, Entry> entries_;  // guarded by mutex_
  bool stopping_ = false;                      // guarded by mutex_
  std::thread thread_;
};

}  // namespace spooled::detail
