// The job state machine, without a store: what each transition does to a job a user would look at.
#include "server/core/job_transitions.hpp"

#include <gtest/gtest.h>

#include "common/error_code.hpp"
#include "server/core/job_engine.hpp"

using namespace std::chrono_literals;
using namespace spooled;
using namespace spooled::server;

namespace {

const TimePoint kNow = fromEpochMs(1'800'000'000'000);

JobRecord pendingJob(int maxRetries = 3) {
  JobRecord job;
  job.id = "job-1";
  job.orgId = "org-1";
  job.queueName = "emails";
  job.maxRetries = maxRetries;
  job.createdAt = kNow - 10s;
  return job;
}

JobRecord claimedJob(int maxRetries = 3) {
  JobRecord job = pendingJob(maxRetries);
  applyClaim(job, "worker-1", "lease-1", kNow, 30s);
  return job;
}

ErrorCode errorOf(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const ApiError& e) {
    return e.code();
  }
  ADD_FAILURE() << "expected an ApiError";
  return ErrorCode::Internal;
}

}  // namespace

TEST(JobTransitionsTest, FutureScheduledAtMakesAJobScheduled) {
  EXPECT_EQ(initialStatus(kNow + 1s, kNow), JobStatus::Scheduled);
  EXPECT_EQ(initialStatus(kNow - 1s, kNow), JobStatus::Pending);
  EXPECT_EQ(initialStatus(std::nullopt, kNow), JobStatus::Pending);
}

TEST(JobTransitionsTest, ClaimGivesAFreshLease) {
  JobRecord job = claimedJob();
  EXPECT_EQ(job.status, JobStatus::Processing);
  EXPECT_EQ(job.assignedWorkerId, "worker-1");
  EXPECT_EQ(job.leaseId, "lease-1");
  EXPECT_EQ(job.leaseExpiresAt, kNow + 30s);
  EXPECT_EQ(job.startedAt, kNow);
}

TEST(JobTransitionsTest, ClaimOfAProcessingJobIsAConflict) {
  JobRecord job = claimedJob();
  EXPECT_EQ(errorOf([&] { applyClaim(job, "worker-2", "lease-2", kNow, 30s); }), ErrorCode::Conflict);
}

TEST(JobTransitionsTest, TheHolderOfTheLeasePasses) {
  const JobRecord job = claimedJob();
  EXPECT_NO_THROW(requireLease(job, LeaseRef{"worker-1", "lease-1"}, kNow + 1s));
  EXPECT_NO_THROW(requireLease(job, LeaseRef{"worker-1", std::nullopt}, kNow + 1s));
}

TEST(JobTransitionsTest, StaleLeaseOrOtherWorkerIsLeaseExpired) {
  const JobRecord job = claimedJob();
  EXPECT_EQ(errorOf([&] { requireLease(job, LeaseRef{"worker-1", "old-lease"}, kNow); }), ErrorCode::LeaseExpired);
  EXPECT_EQ(errorOf([&] { requireLease(job, LeaseRef{"worker-2", "lease-1"}, kNow); }), ErrorCode::LeaseExpired);
}

TEST(JobTransitionsTest, LeasePastItsExpiryIsRefused) {
  const JobRecord job = claimedJob();
  EXPECT_EQ(errorOf([&] { requireLease(job, LeaseRef{"worker-1", "lease-1"}, kNow + 30s); }),
            ErrorCode::LeaseExpired);
}

TEST(JobTransitionsTest, CompletedJobRefusesFurtherSettlement) {
  JobRecord job = claimedJob();
  applyComplete(job, json{{"sent", true}}, kNow + 1s);
  EXPECT_EQ(job.status, JobStatus::Completed);
  EXPECT_EQ(job.result, (json{{"sent", true}}));
  EXPECT_EQ(job.completedAt, kNow + 1s);
  EXPECT_FALSE(job.leaseId);
  EXPECT_EQ(errorOf([&] { requireLease(job, LeaseRef{"worker-1", "lease-1"}, kNow + 2s); }),
            ErrorCode::LeaseExpired);
}

TEST(JobTransitionsTest, FailureWithRetriesLeftRequeuesAfterTheDelay) {
  JobRecord job = claimedJob(3);
  EXPECT_TRUE(applyFailure(job, "smtp down", true, kNow, 2s));
  EXPECT_EQ(job.status, JobStatus::Pending);
  EXPECT_EQ(job.retryCount, 1);
  EXPECT_EQ(job.lastError, "smtp down");
  EXPECT_EQ(job.scheduledAt, kNow + 2s);
  EXPECT_FALSE(job.leaseId);
}

TEST(JobTransitionsTest, FailureWithoutRetriesLeftDeadLetters) {
  JobRecord job = claimedJob(1);
  EXPECT_TRUE(applyFailure(job, "first", true, kNow, 1s));
  applyClaim(job, "worker-1", "lease-2", kNow + 2s, 30s);
  EXPECT_FALSE(applyFailure(job, "second", true, kNow + 3s, 1s));
  EXPECT_EQ(job.status, JobStatus::Deadletter);
  EXPECT_EQ(job.retryCount, 2);
}

TEST(JobTransitionsTest, MaxRetriesZeroDeadLettersOnFirstFailure) {
  JobRecord job = claimedJob(0);
  EXPECT_FALSE(applyFailure(job, "boom", true, kNow, 1s));
  EXPECT_EQ(job.status, JobStatus::Deadletter);
}

TEST(JobTransitionsTest, NonRetryableFailureDeadLettersAtOnce) {
  JobRecord job = claimedJob(5);
  EXPECT_FALSE(applyFailure(job, "invalid payload", false, kNow, 1s));
  EXPECT_EQ(job.status, JobStatus::Deadletter);
  EXPECT_EQ(job.retryCount, 1);
}

TEST(JobTransitionsTest, CancelOfAProcessingJobTellsItsWorker) {
  JobRecord job = claimedJob();
  applyCancel(job, kNow + 1s);
  EXPECT_EQ(job.status, JobStatus::Cancelled);
  EXPECT_EQ(errorOf([&] { requireLease(job, LeaseRef{"worker-1", "lease-1"}, kNow + 2s); }),
            ErrorCode::JobCancelled);
  EXPECT_EQ(errorOf([&] { requireLease(job, LeaseRef{"worker-2", "lease-1"}, kNow + 2s); }),
            ErrorCode::LeaseExpired);
}

TEST(JobTransitionsTest, CancelOfAFinishedJobIsAConflict) {
  JobRecord job = claimedJob();
  applyComplete(job, std::nullopt, kNow);
  EXPECT_EQ(errorOf([&] { applyCancel(job, kNow); }), ErrorCode::Conflict);
  JobRecord pending = pendingJob();
  applyCancel(pending, kNow);
  EXPECT_EQ(pending.status, JobStatus::Cancelled);
  EXPECT_EQ(errorOf([&] { applyCancel(pending, kNow); }), ErrorCode::Conflict);
}

TEST(JobTransitionsTest, RenewalExtendsTheLeaseFromNow) {
  JobRecord job = claimedJob();
  applyLeaseRenewal(job, kNow + 20s, 30s);
  EXPECT_EQ(job.leaseExpiresAt, kNow + 50s);
  EXPECT_NO_THROW(requireLease(job, LeaseRef{"worker-1", "lease-1"}, kNow + 40s));
}

TEST(JobTransitionsTest, ProgressIsRecorded) {
  JobRecord job = claimedJob();
  applyProgress(job, 50, "halfway", kNow);
  EXPECT_EQ(job.progress, 50);
  EXPECT_EQ(job.progressMessage, "halfway");
}

TEST(JobTransitionsTest, ManualRetryRequeuesADeadLetteredJobAtOnce) {
  JobRecord job = claimedJob(0);
  ASSERT_FALSE(applyFailure(job, "boom", true, kNow, 0ms));
  applyManualRetry(job, kNow + 5s);
  EXPECT_EQ(job.status, JobStatus::Pending);
  EXPECT_EQ(job.retryCount, 2);  // the retry counts, as the official backend counts it
  EXPECT_FALSE(job.lastError);
  EXPECT_FALSE(job.scheduledAt);
  EXPECT_FALSE(job.completedAt);
  EXPECT_FALSE(job.leaseId);
  EXPECT_FALSE(job.assignedWorkerId);
  EXPECT_EQ(job.updatedAt, kNow + 5s);
}

TEST(JobTransitionsTest, ManualRetryOfAJobThatDidNotFailIsAConflict) {
  JobRecord pending = pendingJob();
  JobRecord running = claimedJob();
  JobRecord done = claimedJob();
  applyComplete(done, std::nullopt, kNow);
  for (JobRecord* job : {&pending, &running, &done}) {
    const JobStatus before = job->status;
    EXPECT_EQ(errorOf([&] { applyManualRetry(*job, kNow); }), ErrorCode::Conflict);
    EXPECT_EQ(job->status, before);
  }
  JobRecord failed = pendingJob();
  failed.status = JobStatus::Failed;
  applyManualRetry(failed, kNow);
  EXPECT_EQ(failed.status, JobStatus::Pending);
}

TEST(JobTransitionsTest, DeadLetterRetryGivesAFreshRetryBudget) {
  JobRecord job = claimedJob(1);
  applyFailure(job, "a", false, kNow, 0ms);
  ASSERT_EQ(job.status, JobStatus::Deadletter);
  applyDeadLetterRetry(job, kNow);
  EXPECT_EQ(job.status, JobStatus::Pending);
  EXPECT_EQ(job.retryCount, 0);
  EXPECT_FALSE(job.lastError);
  // With the budget back, the next failure is retried again instead of dead-lettering.
  applyClaim(job, "worker-2", "lease-2", kNow, 30s);
  EXPECT_TRUE(applyFailure(job, "b", true, kNow, 0ms));
}

TEST(JobTransitionsTest, DeadLetterRetryOfAnotherStateIsAConflict) {
  JobRecord job = pendingJob();
  job.status = JobStatus::Failed;
  EXPECT_EQ(errorOf([&] { applyDeadLetterRetry(job, kNow); }), ErrorCode::Conflict);
  EXPECT_EQ(job.status, JobStatus::Failed);
}

TEST(JobTransitionsTest, PriorityChangesOnlyWhileTheJobWaits) {
  JobRecord job = pendingJob();
  job.priority = 3;
  EXPECT_EQ(applyPriorityChange(job, 90, kNow), 3);
  EXPECT_EQ(job.priority, 90);
  job.status = JobStatus::Scheduled;
  EXPECT_EQ(applyPriorityChange(job, -5, kNow), 90);

  JobRecord running = claimedJob();
  EXPECT_EQ(errorOf([&] { applyPriorityChange(running, 50, kNow); }), ErrorCode::Conflict);
  EXPECT_EQ(running.priority, 0);
}
