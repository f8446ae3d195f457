#pragma once
// The job state machine: every legal change of a JobRecord's state, as pure functions (no I/O), so it
// is unit-tested on its own and shared by every store. JobEngine loads a row, applies one of these,
// and writes the row back inside one transaction.
//
//   pending/scheduled --claim--> processing --complete--> completed
//                                processing --fail/lease expiry--> pending (retry later) | deadletter
//   pending/scheduled/processing --cancel--> cancelled
//   failed/deadletter --retry (manual)--> pending;  deadletter --DLQ retry--> pending (fresh retries)
//   pending/scheduled --priority change--> same state, new priority
#include <chrono>
#include <optional>
#include <string>

#include "server/store/records.hpp"

namespace spooled::server {

struct LeaseRef;

// Status of a new job: scheduled when it is due later than now, otherwise pending.
JobStatus initialStatus(const std::optional<TimePoint>& scheduledAt, TimePoint now);

// Hands a ready job to a worker under a fresh lease.
void applyClaim(JobRecord& job, const std::string& workerId, const std::string& leaseId, TimePoint now,
                std::chrono::seconds leaseDuration);

// Throws ApiError unless `lease` still holds `job` at `now`:
// JOB_CANCELLED when the job was cancelled while this worker held it, LEASE_EXPIRED when the job is no
// longer processing under this worker and lease id, or its lease ran out.
void requireLease(const JobRecord& job, const LeaseRef& lease, TimePoint now);

void applyComplete(JobRecord& job, const std::optional<json>& result, TimePoint now);

// One failed attempt. With retries left (and retryable), the job waits `retryDelay` and returns to the
// queue; otherwise it is dead-lettered. Returns true when it will be retried.
bool applyFailure(JobRecord& job, const std::string& error, bool retryable, TimePoint now,
                  std::chrono::milliseconds retryDelay);

void applyLeaseRenewal(JobRecord& job, TimePoint now, std::chrono::seconds leaseDuration);

void applyProgress(JobRecord& job, int percent, const std::optional<std::string>& message, TimePoint now);

// Throws CONFLICT when the job has already finished (completed, failed, deadletter, cancelled).
void applyCancel(JobRecord& job, TimePoint now);

// Manual retry (POST /jobs/{id}/retry) of a failed or dead-lettered job: pending and due now, with
// last_error cleared and the retry counted in retry_count, as the official backend does. Any other
// state: CONFLICT.
void applyManualRetry(JobRecord& job, TimePoint now);

// Retry from the dead-letter queue: pending and due now with a fresh retry budget (retry_count 0).
// CONFLICT unless the job is dead-lettered.
void applyDeadLetterRetry(JobRecord& job, TimePoint now);

// Sets the priority of a job that has not started yet and returns the old one. CONFLICT once the job
// is processing or finished, since priority only orders jobs that wait.
int applyPriorityChange(JobRecord& job, int priority, TimePoint now);

// A job waiting for parents, cancelled because a parent was dead-lettered or cancelled and so can never
// complete: cancelled, with `reason` as its last_error. Final jobs are left alone (returns false).
bool applyDependencyCancel(JobRecord& job, const std::string& reason, TimePoint now);

// Workflow retry: a failed, dead-lettered or cancelled job of the workflow back to pending with a fresh
// retry budget; its dependencies are then counted again by the caller. Other states: unchanged (false).
bool applyWorkflowRestart(JobRecord& job, TimePoint now);

bool isFinal(JobStatus status);

}  // namespace spooled::server
