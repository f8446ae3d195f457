#pragma once
// Store tests' shared parts: the backends a parameterised suite runs against, builders that set every field to a non-default value, and JSON views
// of records so that a mismatch prints as a readable diff of named fields.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "common/ids.hpp"
#include "common/time.hpp"
#include "server/store/records.hpp"
#include "server/store/store.hpp"
#include "support/pg_cluster.hpp"

namespace spooled::server::store_fixtures {

inline const TimePoint kT0 = fromEpochMs(1'700'000'000'123);
inline TimePoint at(int seconds) { return kT0 + std::chrono::seconds(seconds); }

template <class T>
json opt(const std::optional<T>& value) {
  return value ? json(*value) : json(nullptr);
}
inline json opt(const std::optional<TimePoint>& value) { return value ? json(toEpochMs(*value)) : json(nullptr); }

inline json view(const JobRecord& j) {
  return {{"id", j.id}, {"org_id", j.orgId}, {"queue_name", j.queueName}, {"status", toString(j.status)},
          {"payload", j.payload}, {"result", opt(j.result)}, {"retry_count", j.retryCount},
          {"max_retries", j.maxRetries}, {"last_error", opt(j.lastError)}, {"created_at", toEpochMs(j.createdAt)},
          {"updated_at", toEpochMs(j.updatedAt)}, {"scheduled_at", opt(j.scheduledAt)},
          {"started_at", opt(j.startedAt)}, {"completed_at", opt(j.completedAt)}, {"expires_at", opt(j.expiresAt)},
          {"priority", j.priority}, {"tags", opt(j.tags)}, {"timeout_seconds", j.timeoutSeconds},
          {"parent_job_id", opt(j.parentJobId)}, {"completion_webhook", opt(j.completionWebhook)},
          {"assigned_worker_id", opt(j.assignedWorkerId)}, {"lease_id", opt(j.leaseId)},
          {"lease_expires_at", opt(j.leaseExpiresAt)}, {"idempotency_key", opt(j.idempotencyKey)},
          {"progress", opt(j.progress)}, {"progress_message", opt(j.progressMessage)}};
}

inline json view(const WorkerRecord& w) {
  return {{"id", w.id}, {"org_id", w.orgId}, {"queue_name", w.queueName}, {"hostname", w.hostname},
          {"worker_type", opt(w.workerType)}, {"max_concurrency", w.maxConcurrency},
          {"current_jobs", w.currentJobs}, {"status", w.status}, {"last_heartbeat", toEpochMs(w.lastHeartbeat)},
          {"metadata", w.metadata}, {"version", opt(w.version)}, {"registered_at", toEpochMs(w.registeredAt)}};
}

inline json view(const OrganizationRecord& o) {
  return {{"id", o.id}, {"name", o.name}, {"slug", o.slug}, {"plan_tier", o.planTier},
          {"billing_email", opt(o.billingEmail)}, {"settings", o.settings}, {"webhook_token", opt(o.webhookToken)},
          {"created_at", toEpochMs(o.createdAt)}, {"updated_at", toEpochMs(o.updatedAt)}};
}

inline json view(const ApiKeyRecord& k) {
  return {{"id", k.id}, {"org_id", k.orgId}, {"name", k.name}, {"key_hash", k.keyHash}, {"queues", k.queues},
          {"rate_limit", opt(k.rateLimit)}, {"is_active", k.isActive}, {"created_at", toEpochMs(k.createdAt)},
          {"last_used", opt(k.lastUsed)}, {"expires_at", opt(k.expiresAt)}};
}

inline json view(const QueueRecord& q) {
  return {{"id", q.id}, {"org_id", q.orgId}, {"queue_name", q.queueName}, {"max_retries", q.maxRetries},
          {"default_timeout", q.defaultTimeout}, {"rate_limit", opt(q.rateLimit)}, {"enabled", q.enabled},
          {"paused", q.paused}, {"paused_at", opt(q.pausedAt)}, {"pause_reason", opt(q.pauseReason)},
          {"settings", q.settings}, {"created_at", toEpochMs(q.createdAt)}, {"updated_at", toEpochMs(q.updatedAt)}};
}

template <class Record>
json view(const std::optional<Record>& record) {
  return record ? view(*record) : json(nullptr);
}

// A ready job with only the required fields; every optional absent.
inline JobRecord minimalJob(const std::string& orgId, const std::string& queue, int priority = 0, int createdSec = 0) {
  JobRecord job;
  job.id = newUuid();
  job.orgId = orgId;
  job.queueName = queue;
  job.priority = priority;
  job.createdAt = job.updatedAt = at(createdSec);
  return job;
}

// A job with every field set to something other than its default.
inline JobRecord fullJob(const std::string& orgId, const std::string& queue) {
  JobRecord job = minimalJob(orgId, queue, 7, 1);
  job.status = JobStatus::Processing;
  job.payload = {{"to", "ünïcødé@example.com"}, {"n", 42}, {"list", {1, 2.5, nullptr, true}}, {"o", {{"k", "v"}}}};
  job.result = json{{"ok", true}};
  job.retryCount = 2;
  job.maxRetries = 9;
  job.lastError = "boom";
  job.updatedAt = at(2);
  job.scheduledAt = at(3);
  job.startedAt = at(4);
  job.completedAt = at(5);
  job.expiresAt = at(6);
  job.tags = json{{"env", "prod"}, {"team", "a"}};
  job.timeoutSeconds = 77;
  job.parentJobId = newUuid();
  job.completionWebhook = "https://example.com/hook";
  job.assignedWorkerId = "worker-1";
  job.leaseId = newUuid();
  job.leaseExpiresAt = at(8);
  job.idempotencyKey = "idem-" + randomHex(4);
  job.progress = 55;
  job.progressMessage = "halfway";
  return job;
}

inline WorkerRecord fullWorker(const std::string& orgId, const std::string& queue, int heartbeatSec = 0) {
  WorkerRecord worker;
  worker.id = newUuid();
  worker.orgId = orgId;
  worker.queueName = queue;
  worker.hostname = "host-1";
  worker.workerType = "cpp";
  worker.maxConcurrency = 11;
  worker.currentJobs = 3;
  worker.status = "degraded";
  worker.lastHeartbeat = at(heartbeatSec);
  worker.metadata = {{"region", "eu"}, {"cores", 8}};
  worker.version = "1.2.3";
  worker.registeredAt = at(-100);
  return worker;
}

inline OrganizationRecord fullOrganization(const std::string& slug) {
  OrganizationRecord org;
  org.id = newUuid();
  org.name = "Org " + slug;
  org.slug = slug;
  org.planTier = "pro";
  org.billingEmail = "billing@" + slug + ".example";
  org.settings = {{"max_jobs", 10}};
  org.webhookToken = randomHex(8);
  org.createdAt = at(0);
  org.updatedAt = at(1);
  return org;
}

inline ApiKeyRecord fullApiKey(const std::string& orgId) {
  ApiKeyRecord key;
  key.id = newUuid();
  key.orgId = orgId;
  key.name = "ci key";
  key.keyHash = sha256Hex(randomHex(16));
  key.queues = {"emails", "reports"};
  key.rateLimit = 100;
  key.isActive = true;
  key.createdAt = at(0);
  key.lastUsed = at(5);
  key.expiresAt = at(1000);
  return key;
}

inline QueueRecord fullQueue(const std::string& orgId, const std::string& name) {
  QueueRecord queue;
  queue.id = newUuid();
  queue.orgId = orgId;
  queue.queueName = name;
  queue.maxRetries = 4;
  queue.defaultTimeout = 120;
  queue.rateLimit = 50;
  queue.enabled = false;
  queue.paused = true;
  queue.pausedAt = at(3);
  queue.pauseReason = "maintenance";
  queue.settings = {{"retry_base_ms", 500}};
  queue.createdAt = at(0);
  queue.updatedAt = at(3);
  return queue;
}

// One database implementation, for suites parameterised over backends (TEST_P + ValuesIn(storeBackends())).
struct StoreBackend {
  std::string name;  // what backendName() must say; also the test-name suffix
  // Opens the store of one test. `dir` is empty and private to the test; calling open again with
  // the same dir must reopen the same database.
  std::function<std::unique_ptr<Store>(const std::filesystem::path& dir)> open;
};

inline std::ostream& operator<<(std::ostream& out, const StoreBackend& backend) { return out << backend.name; }

// A database of its own on the test PostgreSQL cluster for each test folder: created on first use,
// its URL kept in the folder so that opening again reopens it.
inline std::string pgDatabaseFor(const std::filesystem::path& dir) {
  const auto file = dir / "postgres-url";
  std::string url;
  if (std::ifstream in(file); in >> url) return url;
  url = test::freshPgDatabaseUrl();
  std::ofstream(file) << url;
  return url;
}

// Every backend this build can test.
inline std::vector<StoreBackend> storeBackends() {
  return {{"sqlite", [](const std::filesystem::path& dir) { return openStore("sqlite:" + (dir / "spooled.db").string()); }},
          {"postgres", [](const std::filesystem::path& dir) { return openStore(pgDatabaseFor(dir)); }}};
}

// For INSTANTIATE_TEST_SUITE_P's name generator.
inline std::string backendTestName(const ::testing::TestParamInfo<StoreBackend>& info) { return info.param.name; }

// A directory of its own under the system temp folder, removed when the test ends.
class TempDir {
 public:
  TempDir() : path_(std::filesystem::temp_directory_path() / ("spooled-store-" + randomHex(8))) {
    std::filesystem::create_directories(path_);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace spooled::server::store_fixtures
