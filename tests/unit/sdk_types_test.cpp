// Reading server JSON into the SDK's job and worker structs: absent fields keep defaults, wrong
// types are reported instead of silently producing garbage.
#include <gtest/gtest.h>

#include "spooled/errors.hpp"
#include "spooled/jobs.hpp"
#include "spooled/workers.hpp"

namespace spooled {
namespace {

TEST(SdkTypesTest, JobReadsSnakeCaseFieldsAndOurExtensions) {
  const Job job = Job::fromJson(json::parse(R"({
    "id": "job-1", "organization_id": "org", "queue_name": "emails", "status": "processing",
    "payload": {"to": "a@b.c"}, "retry_count": 1, "max_retries": 3, "priority": 5, "timeout_seconds": 60,
    "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-01T00:00:01Z",
    "lease_id": "lease-9", "assigned_worker_id": "w-1", "progress": 40, "progress_message": "halfway-ish",
    "last_error": null, "some_future_field": true
  })"));
  EXPECT_EQ(job.id, "job-1");
  EXPECT_EQ(job.queueName, "emails");
  EXPECT_EQ(job.payload, (json{{"to", "a@b.c"}}));
  EXPECT_EQ(job.retryCount, 1);
  EXPECT_EQ(job.priority, 5);
  EXPECT_EQ(job.leaseId, "lease-9");
  EXPECT_EQ(job.progress, 40.0);
  EXPECT_EQ(job.progressMessage, "halfway-ish");
  EXPECT_FALSE(job.lastError.has_value());
  EXPECT_FALSE(job.result.has_value());
  EXPECT_FALSE(job.scheduledAt.has_value());
}

TEST(SdkTypesTest, WrongTypeOrMissingIdIsAnInvalidResponse) {
  try {
    Job::fromJson(json{{"id", "job-1"}, {"retry_count", "one"}});
    FAIL();
  } catch (const SpooledError& error) {
    EXPECT_EQ(error.code(), "INVALID_RESPONSE");
    EXPECT_NE(std::string(error.what()).find("retry_count"), std::string::npos);
  }
  EXPECT_THROW(ClaimedJob::fromJson(json{{"queue_name", "q"}}), SpooledError);
  EXPECT_THROW(WorkerSummary::fromJson(json::array()), SpooledError);
}

TEST(SdkTypesTest, WorkerReadsNullableFields) {
  const Worker worker = Worker::fromJson(json::parse(R"({
    "id": "w-1", "queue_name": "emails", "hostname": "box", "worker_type": null, "version": "1.2",
    "max_concurrency": 4, "current_jobs": 2, "status": "healthy", "metadata": {"zone": "a"}
  })"));
  EXPECT_EQ(worker.id, "w-1");
  EXPECT_FALSE(worker.workerType.has_value());
  EXPECT_EQ(worker.version, "1.2");
  EXPECT_EQ(worker.maxConcurrency, 4);
  EXPECT_EQ(worker.metadata, (json{{"zone", "a"}}));
}

}  // namespace
}  // namespace spooled
