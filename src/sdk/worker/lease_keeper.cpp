#include "sdk/worker/lease_keeper.hpp"

#include <algorithm>
#include <vector>

#include "spooled/errors.hpp"

namespace spooled::detail {

namespace {
// After a failed renewal (network, 5xx), try again sooner than a full interval: the lease is
// running out.
constexpr std::chrono::milliseconds kRetryAfterFailure{1000};
}  // namespace

LeaseKeeper::LeaseKeeper(JobServices& services, std::chrono::milliseconds interval, std::chrono::seconds lease)
    : services_(services), interval_(interval), lease_(lease), thread_([this] { run(); }) {}

LeaseKeeper::~LeaseKeeper() { stop(); }

void LeaseKeeper::add(const std::shared_ptr<ActiveJob>& job, Clock::time_point claimedAt) {
  {
    const std::lock_guard lock(mutex_);
    entries_[job.get()] = Entry{job, claimedAt + interval_, claimedAt + lease_};
  }
  wake_.notify_all();
}

void LeaseKeeper::remove(const ActiveJob* job) {
  const std::lock_guard lock(mutex_);
  entries_.erase(job);
}

void LeaseKeeper::stop() {
  {
    const std::lock_guard lock(mutex_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

void LeaseKeeper::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (entries_.empty()) {
      wake_.wait(lock, [this] { return stopping_ || !entries_.empty(); });
      continue;
    }
    const auto earliest = std::min_element(entries_.begin(), entries_.end(), [](const auto& a, const auto& b) {
      return a.second.nextRenewal < b.second.nextRenewal;
    });
    const Clock::time_point due = earliest->second.nextRenewal;
    if (Clock::now() < due) {
      // Woken early by add()/stop(): recompute, since a new job may be due sooner.
      wake_.wait_until(lock, due);
      continue;
    }
    std::vector<std::shared_ptr<ActiveJob>> dueJobs;
    const Clock::time_point now = Clock::now();
    for (auto& [key, entry] : entries_) {
      if (entry.nextRenewal <= now) {
        dueJobs.push_back(entry.job);
        entry.nextRenewal = now + interval_;
      }
    }
    lock.unlock();
    for (const auto& job : dueJobs) renew(job);
    lock.lock();
  }
}

void LeaseKeeper::renew(const std::shared_ptr<ActiveJob>& job) {
  const ClaimedJob& claimed = job->job();
  JobHeartbeatParams params;
  params.workerId = services_.workerId;
  params.leaseId = claimed.leaseId;
  params.leaseDurationSecs = static_cast<int>(lease_.count());
  const Clock::time_point sentAt = Clock::now();
  try {
    services_.jobs.heartbeat(claimed.id, params);
    const std::lock_guard lock(mutex_);
    if (const auto it = entries_.find(job.get()); it != entries_.end()) it->second.leaseDeadline = sentAt + lease_;
    return;
  } catch (const ConflictError& e) {
    {
      const std::lock_guard lock(mutex_);
      if (!entries_.contains(job.get())) return;  // settled meanwhile: the 409 is about that
    }
    const CancelReason reason = e.isJobCancelled() ? CancelReason::cancelledOnServer : CancelReason::leaseLost;
    if (!job->cancel(reason) && job->isSettling()) return;  // the settlement's answer reports it
    remove(job.get());
    if (reason == CancelReason::cancelledOnServer) {
      services_.log.info("job " + claimed.id + " was cancelled on the server; its context is marked cancelled");
    } else {
      services_.reportError(claimed.id, "lost the lease of job " + claimed.id + " (" + e.code() +
                                            "); its result will not be submitted",
                            std::current_exception());
    }
    return;
  } catch (const NotFoundError& e) {
    if (!job->cancel(CancelReason::leaseLost) && job->isSettling()) return;
    remove(job.get());
    services_.reportError(claimed.id, "job " + claimed.id + " vanished from the server: " + e.what(),
                          std::current_exception());
    return;
  } catch (const std::exception& e) {
    services_.reportError(claimed.id, "could not renew the lease of job " + claimed.id + ": " + e.what(),
                          std::current_exception());
  }
  // A transient failure: retry soon, unless the lease has already run out by our clock.
  bool expired = false;
  {
    const std::lock_guard lock(mutex_);
    const auto it = entries_.find(job.get());
    if (it == entries_.end()) return;
    if (Clock::now() >= it->second.leaseDeadline) {
      expired = true;
    } else {
      it->second.nextRenewal = std::min(it->second.nextRenewal, Clock::now() + kRetryAfterFailure);
    }
  }
  if (expired) {
    if (!job->cancel(CancelReason::leaseLost) && job->isSettling()) return;
    remove(job.get());
    services_.reportError(claimed.id, "the lease of job " + claimed.id +
                                          " ran out while the server could not be reached; its result will not be "
                                          "submitted");
  }
}

}  // namespace spooled::detail
