#include "server/core/claim_wait.hpp"

namespace spooled::server {

Task<std::vector<JobRecord>> claimOrWait(JobEngine& jobs, JobNotifier& notifier, const std::string& orgId,
                                         const ClaimInput& input, std::chrono::milliseconds wait,
                                         const std::atomic<bool>& stopping) {
  using Clock = std::chrono::steady_clock;
  // The ticket is taken before each look, so a job created in between still wakes the wait.
  auto ticket = notifier.ticket(orgId, input.queueName);
  std::vector<JobRecord> claimed = co_await jobs.claim(orgId, input);
  const auto deadline = Clock::now() + wait;
  while (claimed.empty() && !stopping) {
    const auto remaining = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
    if (remaining.count() <= 0) break;
    auto parked = notifier.wait(orgId, input.queueName, ticket, remaining);  // a named awaiter: see Store::write
    const JobNotifier::WakeReason reason = co_await parked;
    if (reason == JobNotifier::WakeReason::Timeout || stopping) break;
    ticket = notifier.ticket(orgId, input.queueName);
    claimed = co_await jobs.claim(orgId, input);
    // A full batch means more may be ready than the notification said (or, for a probe, that jobs
    // came due by the clock, which nothing announces): pass the wake-up on.
    if (!claimed.empty() && static_cast<int>(claimed.size()) == input.limit) notifier.notify(orgId, input.queueName, 1);
  }
  co_return claimed;
}

}  // namespace spooled::server
