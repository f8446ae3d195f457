#pragma once
// Jobs: create (one or in bulk), inspect, count, re-prioritize, retry and cancel them (producers),
// claim, heartbeat, report progress on and settle them (workers), and the dead-letter queue. Field
// names mirror the wire's snake_case fields in camelCase. Times are ISO-8601 strings exactly as the
// server sent them. Every member has a default, so the params can be written with designated
// initializers: jobs.create({.queueName = "q", .payload = p}).
#include <optional>
#include <string>
#include <vector>

#include "spooled/json.hpp"

namespace spooled {

namespace detail {
class ApiCaller;
}  // namespace detail

struct CreateJobParams {
  std::string queueName{};  // 1-100 chars of [A-Za-z0-9._-]
  json payload = json::object();
  std::optional<int> priority{};             // -100..100, server default 0
  std::optional<int> maxRetries{};           // 0..100, server default 3; 0 dead-letters on first failure
  std::optional<int> timeoutSeconds{};       // server default 300
  std::optional<std::string> scheduledAt{};  // ISO-8601; later than now makes the job `scheduled`
  std::optional<std::string> expiresAt{};
  std::optional<std::string> idempotencyKey{};  // repeat creates return the first job (created=false)
  std::optional<std::string> parentJobId{};
  std::optional<std::string> completionWebhook{};
  std::optional<json> tags{};
};

struct CreateJobResult {
  std::string id{};
  bool created = false;  // false: an earlier job with the same idempotency key was returned
};

// Full job, as GET /api/v1/jobs/{id} returns it.
struct Job {
  std::string id{};
  std::string organizationId{};
  std::string queueName{};
  std::string status{};  // pending, scheduled, processing, completed, failed, deadletter, cancelled
  json payload = json::object();
  std::optional<json> result{};
  int retryCount = 0;
  int maxRetries = 0;
  std::optional<std::string> lastError{};
  std::string createdAt{};
  std::optional<std::string> scheduledAt{};
  std::optional<std::string> startedAt{};
  std::optional<std::string> completedAt{};
  std::optional<std::string> expiresAt{};
  int priority = 0;
  std::optional<json> tags{};
  int timeoutSeconds = 0;
  std::optional<std::string> parentJobId{};
  std::optional<std::string> completionWebhook{};
  std::optional<std::string> assignedWorkerId{};
  std::optional<std::string> leaseId{};
  std::optional<std::string> leaseExpiresAt{};
  std::optional<std::string> idempotencyKey{};
  std::string updatedAt{};
  std::optional<double> progress{};              // 0..100, our extension
  std::optional<std::string> progressMessage{};  // our extension
  // Set for a job of a workflow (see spooled/workflows.hpp): its workflow, "all"/"any" when it has
  // dependencies, and whether they are met (false while it waits; such a job is never claimed).
  std::optional<std::string> workflowId{};
  std::optional<std::string> dependencyMode{};
  std::optional<bool> dependenciesMet{};

  // Throws SpooledError with code "INVALID_RESPONSE" when `id` is missing or a field has the wrong type.
  static Job fromJson(const json& body);
};

// One row of GET /api/v1/jobs.
struct JobSummary {
  std::string id{};
  std::string queueName{};
  std::string status{};
  int priority = 0;
  int retryCount = 0;
  std::string createdAt{};
  std::optional<std::string> scheduledAt{};
  std::optional<std::string> startedAt{};
  std::optional<std::string> completedAt{};

  static JobSummary fromJson(const json& body);
};

struct ListJobsParams {
  std::optional<std::string> queueName{};
  std::optional<std::string> status{};
  std::optional<std::string> tag{};
  std::optional<int> limit{};  // server default 50, max 100
  std::optional<int> offset{};
  std::optional<std::string> orderBy{};
  std::optional<std::string> orderDir{};  // "asc" or "desc"
};

struct ClaimJobsParams {
  std::string queueName{};
  std::string workerId{};
  int limit = 1;               // 1..100
  int leaseDurationSecs = 30;  // 5..3600
  // Our extension: when no job is ready, the server holds the request up to this long and answers as
  // soon as one arrives (long-poll). The SDK extends the request timeout by the same amount.
  std::optional<int> waitMs{};
};

// A job handed to this worker. Echo leaseId on heartbeat/progress/complete/fail.
struct ClaimedJob {
  std::string id{};
  std::string queueName{};
  json payload = json::object();
  int retryCount = 0;
  int maxRetries = 0;
  int timeoutSeconds = 0;
  std::optional<std::string> leaseExpiresAt{};
  std::optional<std::string> leaseId{};

  static ClaimedJob fromJson(const json& body);
};

struct CompleteJobParams {
  std::string workerId{};
  std::optional<std::string> leaseId{};
  std::optional<json> result{};
};

struct FailJobParams {
  std::string workerId{};
  std::optional<std::string> leaseId{};
  std::string error{};              // 1..2048 chars
  std::optional<bool> retryable{};  // our extension: false dead-letters at once
};

// Our extension, POST /api/v1/jobs/ack: many completes and fails in one request and one commit,
// each fenced by its own lease and answered on its own (see docs/api.md).
enum class AckStatus { completed, failed };

struct AckItem {
  std::string jobId{};
  std::optional<std::string> leaseId{};
  AckStatus status = AckStatus::completed;
  std::optional<json> result{};     // completed: the job's result
  std::string error{};              // failed: 1..2048 chars
  std::optional<bool> retryable{};  // failed: false dead-letters at once (server default true)
};

// The worker's next claim, carried by a batched acknowledgement and run after the acks, in the same
// transaction. Rules as for ClaimJobsParams.
struct AckClaimParams {
  std::string queueName{};
  int limit = 1;               // 1..100
  int leaseDurationSecs = 30;  // 5..3600
  // When nothing is ready, the answer (acks included) waits up to this long for a job to arrive.
  std::optional<int> waitMs{};
};

struct AckBatchParams {
  std::string workerId{};
  std::vector<AckItem> acks{};  // 0..1000
  std::optional<AckClaimParams> claim{};
};

// One ack's outcome. A refused item changed nothing; the others were still recorded.
struct AckItemResult {
  std::string jobId{};
  bool success = false;
  std::optional<bool> willRetry{};  // a recorded failure: whether the job will run again
  // When !success: the code and message the single-job call would have answered, e.g.
  // LEASE_EXPIRED, JOB_CANCELLED, NOT_FOUND, ACCESS_DENIED, VALIDATION_ERROR, PAYLOAD_TOO_LARGE.
  std::string errorCode{};
  std::string errorMessage{};

  static AckItemResult fromJson(const json& body);
};

struct AckBatchResult {
  std::vector<AckItemResult> results{};  // one per AckBatchParams::acks, in the same order
  std::vector<ClaimedJob> jobs{};        // what the claim took (none without a claim)

  static AckBatchResult fromJson(const json& body);
};

struct JobHeartbeatParams {
  std::string workerId{};
  std::optional<std::string> leaseId{};
  int leaseDurationSecs = 30;  // new lease length from now, 5..3600
};

// Our extension: POST /api/v1/jobs/{id}/progress.
struct JobProgressParams {
  std::string workerId{};
  std::optional<std::string> leaseId{};
  double percent = 0;  // 0..100, rounded to a whole percent on the wire
  std::optional<std::string> message{};
};

// GET /api/v1/jobs/stats: the organization's jobs by status.
struct JobStats {
  long long pending = 0;
  long long scheduled = 0;
  long long processing = 0;
  long long completed = 0;
  long long failed = 0;
  long long deadletter = 0;
  long long cancelled = 0;
  long long total = 0;

  static JobStats fromJson(const json& body);
};

// One row of GET /api/v1/jobs/status: a job's state, without its payload.
struct BatchJobStatus {
  std::string id{};
  std::string status{};
  std::string queueName{};
  int retryCount = 0;
  std::string createdAt{};
  std::optional<std::string> completedAt{};

  static BatchJobStatus fromJson(const json& body);
};

struct BoostPriorityResult {
  std::string jobId{};
  int oldPriority = 0;
  int newPriority = 0;

  static BoostPriorityResult fromJson(const json& body);
};

// One job of a bulk enqueue; what it leaves out comes from BulkEnqueueParams' defaults.
struct BulkJobItem {
  json payload = json::object();
  std::optional<int> priority{};  // -100..100
  std::optional<std::string> idempotencyKey{};
  std::optional<std::string> scheduledAt{};  // ISO-8601
};

struct BulkEnqueueParams {
  std::string queueName{};
  std::vector<BulkJobItem> jobs{};  // 1..100
  std::optional<int> defaultPriority{};
  std::optional<int> defaultMaxRetries{};
  std::optional<int> defaultTimeoutSeconds{};
};

struct BulkJobSucceeded {
  int index = 0;  // position in BulkEnqueueParams::jobs
  std::string jobId{};
  bool created = false;  // false: an earlier job with the same idempotency key

  static BulkJobSucceeded fromJson(const json& body);
};

struct BulkJobFailed {
  int index = 0;
  std::string error{};  // why this item was refused; the others were still enqueued

  static BulkJobFailed fromJson(const json& body);
};

struct BulkEnqueueResult {
  std::vector<BulkJobSucceeded> succeeded{};
  std::vector<BulkJobFailed> failed{};
  int total = 0;
  int successCount = 0;
  int failureCount = 0;

  static BulkEnqueueResult fromJson(const json& body);
};

struct ListDlqParams {
  std::optional<std::string> queueName{};
  std::optional<int> limit{};  // server default 50, max 100
  std::optional<int> offset{};
};

// Which dead-lettered jobs to retry: these ids, else the oldest of queueName, else the oldest of all.
struct RetryDlqParams {
  std::optional<std::vector<std::string>> jobIds{};
  std::optional<std::string> queueName{};
  std::optional<int> limit{};  // 1..100, server default 100 (not used with jobIds)
};

struct RetryDlqResult {
  long long retriedCount = 0;
  std::vector<std::string> retriedJobs{};  // ids now pending again, with retry_count 0

  static RetryDlqResult fromJson(const json& body);
};

// Purging deletes jobs for good, so the server refuses it unless confirm is true.
struct PurgeDlqParams {
  std::optional<std::string> queueName{};
  std::optional<std::string> olderThan{};  // ISO-8601: only jobs created before it
  std::optional<int> limit{};              // 1..10000, oldest first
  bool confirm = false;
};

struct PurgeDlqResult {
  long long purgedCount = 0;

  static PurgeDlqResult fromJson(const json& body);
};

// The dead-letter queue: jobs that failed with no retries left. Obtained from JobsResource::dlq().
class DlqResource {
 public:
  DlqResource(const DlqResource&) = delete;
  DlqResource& operator=(const DlqResource&) = delete;

  // Newest first.
  std::vector<JobSummary> list(const ListDlqParams& params = {});
  // Retried (repeating it is harmless: jobs already back in their queue are skipped).
  RetryDlqResult retry(const RetryDlqParams& params);
  // Not retried on ambiguous failures (with a limit, a repeat would delete more).
  PurgeDlqResult purge(const PurgeDlqParams& params);

 private:
  friend class JobsResource;
  explicit DlqResource(detail::ApiCaller& api) : api_(api) {}
  detail::ApiCaller& api_;
};

// Obtained from SpooledClient::jobs(); lives as long as the client. Thread-safe. Every call throws
// a SpooledError subclass on failure (see errors.hpp); a stale lease gives ConflictError::isLeaseExpired().
class JobsResource {
 public:
  JobsResource(const JobsResource&) = delete;
  JobsResource& operator=(const JobsResource&) = delete;

  // Not retried on ambiguous failures unless idempotencyKey is set (a repeat could duplicate the job).
  CreateJobResult create(const CreateJobParams& params);
  Job get(const std::string& id);
  std::vector<JobSummary> list(const ListJobsParams& params = {});
  // Cancels a pending, scheduled or processing job; a worker holding it gets 409 JOB_CANCELLED.
  void cancel(const std::string& id);
  // Returns up to params.limit jobs, possibly none. Never retried on ambiguous failures.
  std::vector<ClaimedJob> claim(const ClaimJobsParams& params);
  void complete(const std::string& id, const CompleteJobParams& params);
  void fail(const std::string& id, const FailJobParams& params);
  // Extends the lease; retried (repeating it is harmless).
  void heartbeat(const std::string& id, const JobHeartbeatParams& params);
  // Our extension; retried (repeating it is harmless).
  void progress(const std::string& id, const JobProgressParams& params);
  // Our extension: settles many jobs and optionally claims the next ones in one request (see
  // AckBatchParams). More than 1000 acks throws ValidationError without a request. Never retried on
  // ambiguous failures. A server without the route answers 404 (NotFoundError) or 405.
  AckBatchResult acknowledge(const AckBatchParams& params);

  // Up to 100 jobs of one queue in one request and one transaction. An invalid item is reported in
  // `failed` and the others are still enqueued. Retried on ambiguous failures only when every item has
  // an idempotency key.
  BulkEnqueueResult bulkEnqueue(const BulkEnqueueParams& params);
  JobStats stats();
  // At most 100 ids; none gives an empty answer without a request. Unknown ids are left out.
  std::vector<BatchJobStatus> batchStatus(const std::vector<std::string>& ids);
  // A pending or scheduled job only (ConflictError otherwise); -100..100.
  BoostPriorityResult boostPriority(const std::string& id, int priority);
  // A failed or dead-lettered job back to its queue (ConflictError otherwise); returns the job.
  Job retry(const std::string& id);
  DlqResource& dlq() noexcept { return dlq_; }

 private:
  friend class SpooledClient;
  explicit JobsResource(detail::ApiCaller& api) : api_(api), dlq_(api) {}
  detail::ApiCaller& api_;
  DlqResource dlq_;
};

}  // namespace spooled
