#include "sdk/worker/job_runner.hpp"

#include <exception>
#include <optional>
#include <string>

#include "spooled/errors.hpp"

namespace spooled::detail {

namespace {

// The handler's outcome, captured so settlement happens outside the handler's try block.
struct Outcome {
  json result;
  std::optional<std::string> error;  // set when the handler threw
  bool retryable = true;
};

Outcome callHandler(const JobHandler& handler, JobContext& ctx) {
  Outcome outcome;
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

void complete(ActiveJob& job, json result) {
  JobServices& services = job.services();
  const std::string& id = job.job().id;
  CompleteJobParams params;
  params.workerId = services.workerId;
  params.leaseId = job.job().leaseId;
  if (!result.is_null()) params.result = result;
  try {
    services.jobs.complete(id, params);
  } catch (const PayloadTooLargeError& e) {
    // Retrying would produce the same result again: dead-letter with the reason instead of
    // leaving the job to time out.
    job.failOnServer(std::string("job result too large to store: ") + e.what(), false);
    return;
  } catch (const std::exception& e) {
    services.reportError(id, "could not complete job " + id + ": " + e.what(), std::current_exception());
    return;
  }
  WorkerEvent event = services.event(worker_events::jobCompleted, id);
  event.result = std::move(result);
  services.events.emit(event);
}

}  // namespace

void runJob(const std::shared_ptr<ActiveJob>& job, const JobHandler& handler, LeaseKeeper& keeper) noexcept {
  JobServices& services = job->services();
  const std::string& id = job->job().id;
  try {
    services.events.emit(services.event(worker_events::jobStarted, id));
    Outcome outcome;
    {
      JobContext ctx(job);
      outcome = callHandler(handler, ctx);
    }
    keeper.remove(job.get());
    if (!job->claimSettlement()) {
      services.log.info("job " + id + " finished after shutdown had already failed it; result discarded");
      return;
    }
    if (job->isCancelled()) {
      services.log.info("job " + id + " finished, but " + std::string(cancelWord(job->cancelReason())) +
                        "; result not submitted");
      return;
    }
    if (outcome.error) {
      job->failOnServer(*outcome.error, outcome.retryable);
    } else {
      complete(*job, std::move(outcome.result));
    }
  } catch (...) {
    // Only allocation failures can get here; the job is then left to its lease expiry.
    keeper.remove(job.get());
    services.log.error("job " + id + ": internal error: " + describe(std::current_exception()));
  }
}

}  // namespace spooled::detail
