#pragma once
// runJob: one job's life on a pool thread — run the handler, then settle the job on the server
// (complete or fail) unless the job stopped being ours meanwhile.
#include <functional>
#include <memory>

#include "sdk/worker/active_job.hpp"
#include "sdk/worker/ack_batcher.hpp"
#include "sdk/worker/lease_keeper.hpp"
#include "spooled/job_context.hpp"

namespace spooled::detail {

using JobHandler = std::function<json(JobContext&)>;

// Never throws. With a batcher that the server supports, the outcome is queued there (the lease is
// renewed until the server answered); otherwise the job's lease renewal stops and it is settled with
// its own complete/fail call. `acks` may be null (batchAcks off).
void runJob(const std::shared_ptr<ActiveJob>& job, const JobHandler& handler, LeaseKeeper& keeper,
            AckBatcher* acks) noexcept;

}  // namespace spooled::detail
