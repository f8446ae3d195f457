#pragma once
// runJob: one job's life on a pool thread — run the handler, then settle the job on the server
// (complete or fail) unless the job stopped being ours meanwhile.
#include <functional>
#include <memory>

#include "sdk/worker/active_job.hpp"
#include "sdk/worker/lease_keeper.hpp"
#include "spooled/job_context.hpp"

namespace spooled::detail {

using JobHandler = std::function<json(JobContext&)>;

// Never throws. Stops the job's lease renewal before settling, so no renewal races the settlement.
void runJob(const std::shared_ptr<ActiveJob>& job, const JobHandler& handler, LeaseKeeper& keeper) noexcept;

}  // namespace spooled::detail
