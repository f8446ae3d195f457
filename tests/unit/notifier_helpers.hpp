#pragma once
// Test helper: asks a JobNotifier, without blocking, whether a queue was notified since a ticket.
#include <chrono>
#include <string>

#include "common/task.hpp"
#include "server/core/job_notifier.hpp"

namespace spooled::server {

inline Task<bool> notifiedSinceTask(JobNotifier& notifier, std::string org, std::string queue, JobNotifier::Ticket ticket) {
  co_return co_await notifier.wait(org, queue, ticket, std::chrono::milliseconds(0)) == JobNotifier::WakeReason::Notified;
}

inline bool notifiedSince(JobNotifier& notifier, const std::string& org, const std::string& queue,
                          JobNotifier::Ticket ticket) {
  return syncWait(notifiedSinceTask(notifier, org, queue, ticket));
}

}  // namespace spooled::server
