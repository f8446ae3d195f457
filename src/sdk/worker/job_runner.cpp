#include "sdk/worker/job_runner.hpp"

#include <exception>
#include <optional>
#include <string>

#include "spooled/errors.hpp"

namespace spooled::detail {

namespace {

JobOutcome callHandler(const JobHandler& handler, JobContext& ctx) {
  JobOutcome outcome;
  try {
    outcome.result = handler(ctx);
  } catch (const NonRetryableError& e) {
    outcome.error = e.what();
    outcome.retryable = false;
  } catch (const std::exception& e) {
    outcome.error = e.what();
  } catch (...) {
    outcome.error = "job handler threw a non-standard exception";
  }
  return outcome;
}

std::string_view cancelWord(CancelReason reason) {
  switch (reason) {
    case CancelReason::leaseLost: return "its lease was lost";
    case CancelReason::cancelledOnServer: return "it was cancelled on the server";
    case CancelReason::shutdown: return "shutdown gave up on it";
    case CancelReason::none: break;
  }
  return "it was cancelled";
}

}  // namespace

void runJob(const std::shared_ptr<ActiveJob>& job, const JobHandler& handler, LeaseKeeper& keeper,
            AckBatcher* acks) noexcept {
  JobServices& services = job->services();
  const std::string& id = job->job().id;
  try {
    services.events.emit(services.event(worker_events::jobStarted, id));
    JobOutcome outcome;
    {
      JobContext ctx(job);
      outcome = callHandler(handler, ctx);
    }
    if (!job->claimSettlement()) {
      keeper.remove(job.get());
      services.log.info("job " + id + " finished after shutdown had already failed it; result discarded");
      return;
    }
    if (!job->startSettling()) {
      keeper.remove(job.get());
      services.log.info("job " + id + " finished, but " + std::string(cancelWord(job->cancelReason())) +
                        "; result not submitted");
      return;
    }
    if (acks != nullptr && acks->submit(job, outcome)) return;
    keeper.remove(job.get());
    job->settleOnServer(std::move(outcome));
  } catch (...) {
    // Only allocation failures can get here; the job is then left to its lease expiry.
    keeper.remove(job.get());
    services.log.error("job " + id + ": internal error: " + describe(std::current_exception()));
  }
}

}  // namespace spooled::detail
