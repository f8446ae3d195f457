#pragma once
// Long-poll claims (`wait_ms`, our extension): claim now, and when the queue has nothing ready, park
// until a job arrives or the wait ends. A parked claim is a suspended coroutine, not a thread.
#include <atomic>
#include <chrono>
#include <string>
#include <vector>

#include "server/core/job_engine.hpp"
#include "server/core/job_notifier.hpp"

namespace spooled::server {

// Claims as JobEngine::claim does; when that finds nothing and `wait` > 0, waits on the notifier and
// claims again each time the queue is notified (or probed for jobs that came due), until it gets jobs,
// `wait` passes, or `stopping` turns true. All references must outlive the Task.
Task<std::vector<JobRecord>> claimOrWait(JobEngine& jobs, JobNotifier& notifier, const std::string& orgId,
                                         const ClaimInput& input, std::chrono::milliseconds wait,
                                         const std::atomic<bool>& stopping);

}  // namespace spooled::server
