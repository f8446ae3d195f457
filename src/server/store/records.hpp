#pragma once
// Plain rows the store keeps. No behaviour here: the rules that change these rows live in core/.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/time.hpp"
#include "spooled/json.hpp"

namespace spooled::server {

enum class JobStatus { Pending, Scheduled, Processing, Completed, Failed, Deadletter, Cancelled };

std::string_view toString(JobStatus status);
std::optional<JobStatus> parseJobStatus(std::string_view text);
inline constexpr JobStatus kAllJobStatuses[] = {JobStatus::Pending,   JobStatus::Scheduled,  JobStatus::Processing,
                                                JobStatus::Completed, JobStatus::Failed,     JobStatus::Deadletter,
                                                JobStatus::Cancelled};

struct JobRecord {
  std::string id;
  std::string orgId;
  std::string queueName;
  JobStatus status = JobStatus::Pending;
  json payload = json::object();
  std::optional<json> result;
  int retryCount = 0;
  int maxRetries = 3;
  std::optional<std::string> lastError;
  TimePoint createdAt{};
  TimePoint updatedAt{};
  std::optional<TimePoint> scheduledAt;  // not claimable before this time
  std::optional<TimePoint> startedAt;
  std::optional<TimePoint> completedAt;
  std::optional<TimePoint> expiresAt;  // never claimed after this time
  int priority = 0;
  std::optional<json> tags;
  int timeoutSeconds = 300;
  std::optional<std::string> parentJobId;
  std::optional<std::string> completionWebhook;
  std::optional<std::string> assignedWorkerId;
  std::optional<std::string> leaseId;  // fencing token of the current claim
  std::optional<TimePoint> leaseExpiresAt;
  std::optional<std::string> idempotencyKey;
  std::optional<int> progress;  // extension: 0-100
  std::optional<std::string> progressMessage;
  // Workflows and dependencies. A job whose dependencies are not met is pending but never claimable;
  // dependenciesPending counts the parents that have not finished yet (core/job_dependencies).
  std::optional<std::string> workflowId;
  std::optional<std::string> workflowKey;     // the job's key within its workflow
  std::optional<std::string> dependencyMode;  // "all" or "any"; set when the job has dependencies
  bool dependenciesMet = true;
  int dependenciesPending = 0;
};

// A workflow: a named group of jobs with dependencies between them. Its counts follow its jobs in the
// transactions that change them. status: pending | running | completed | failed | cancelled.
struct WorkflowRecord {
  std::string id;
  std::string orgId;
  std::string name;
  std::optional<std::string> description;
  std::string status = "pending";
  int totalJobs = 0;
  int completedJobs = 0;
  int failedJobs = 0;     // dead-lettered (or failed)
  int cancelledJobs = 0;  // ours: lets the workflow tell when every job has finished
  TimePoint createdAt{};
  std::optional<TimePoint> startedAt;
  std::optional<TimePoint> completedAt;
  std::optional<json> metadata;
  TimePoint updatedAt{};
};

// One edge: jobId waits for dependsOnJobId. dependencyType is the dependent's mode ("all" / "any").
struct JobDependencyRecord {
  std::string jobId;
  std::string orgId;
  std::string dependsOnJobId;
  std::string dependencyType = "all";
  TimePoint createdAt{};
};

struct WorkerRecord {
  std::string id;
  std::string orgId;
  std::string queueName;
  std::string hostname;
  std::optional<std::string> workerType;
  int maxConcurrency = 5;
  int currentJobs = 0;
  std::string status = "healthy";  // healthy | degraded | offline | draining
  TimePoint lastHeartbeat{};
  json metadata = json::object();
  std::optional<std::string> version;
  TimePoint registeredAt{};
};

struct OrganizationRecord {
  std::string id;
  std::string name;
  std::string slug;
  std::string planTier = "enterprise";
  std::optional<std::string> billingEmail;
  json settings = json::object();
  std::optional<std::string> webhookToken;
  TimePoint createdAt{};
  TimePoint updatedAt{};
};

struct ApiKeyRecord {
  std::string id;
  std::string orgId;
  std::string name;
  std::string keyHash;  // SHA-256 hex of the raw key; the raw key is never stored
  std::vector<std::string> queues;  // empty: every queue
  std::optional<int> rateLimit;
  bool isActive = true;
  TimePoint createdAt{};
  std::optional<TimePoint> lastUsed;
  std::optional<TimePoint> expiresAt;
};

struct QueueRecord {
  std::string id;
  std::string orgId;
  std::string queueName;
  int maxRetries = 3;
  int defaultTimeout = 300;
  std::optional<int> rateLimit;
  bool enabled = true;
  bool paused = false;
  std::optional<TimePoint> pausedAt;
  std::optional<std::string> pauseReason;
  json settings = json::object();
  TimePoint createdAt{};
  TimePoint updatedAt{};
};

struct JobQuery {
  std::string orgId;
  std::optional<std::string> queueName;
  std::optional<JobStatus> status;
  std::optional<std::string> tag;  // jobs whose tags object has this key
  int limit = 50;
  int offset = 0;
  std::string orderBy = "created_at";  // created_at | priority | updated_at | scheduled_at
  bool descending = true;
};

// What happened in one organization (optionally one queue) since a moment: stats and dashboards.
struct JobActivity {
  long long createdSince = 0;                  // jobs created at or after `since`
  long long completedSince = 0;                // jobs completed at or after `since`
  long long failedSince = 0;                   // jobs that finished failed or dead-lettered at or after `since`
  std::optional<double> avgProcessingMs;       // completed since: mean of completed_at - started_at
  std::optional<double> avgWaitMs;             // started since: mean of started_at - created_at
  std::optional<TimePoint> oldestReadyCreatedAt;  // the oldest pending or scheduled job, whenever created
};

// One row of job counts by organization, queue and status (metrics, platform stats).
struct QueueStatusCount {
  std::string orgId;
  std::string queueName;
  JobStatus status = JobStatus::Pending;
  long long count = 0;
};

struct WorkerQuery {
  std::string orgId;
  std::optional<std::string> queueName;
  std::optional<std::string> status;
  int limit = 100;
  int offset = 0;
};

}  // namespace spooled::server
