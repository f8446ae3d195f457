#pragma once
// The columns of each record type, listed once for every store: each store derives its SELECT,
// INSERT and UPDATE texts, its parameter binding and its row reading from these lists.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/bounded_json.hpp"
#include "server/store/records.hpp"
#include "server/store/webhook_records.hpp"

namespace spooled::server::columns {

// Values are bounded to kMaxJsonDepth when they arrive; rows written by older releases may nest
// deeper, so reading back allows more, but still only as deep as serialising the value can follow.
inline constexpr int kMaxStoredJsonDepth = 512;

inline json storedJson(const std::string& text) { return parseBoundedJson(text, kMaxStoredJsonDepth); }

// Each Spec lists a record's columns in table order. The first column is always the primary key
// "id"; organization-scoped records have "org_id" second (update() relies on both). fields() visits
// one record, or several side by side (v(name, a.field, b.field) compares two).
template <class Record>
struct Spec;

template <>
struct Spec<JobRecord> {
  static constexpr const char* kTable = "jobs";
  static constexpr bool kOrgScoped = true;
  template <class Visit, class... Rec>
  static void fields(Visit& v, Rec&... r) {
    v("id", r.id...), v("org_id", r.orgId...), v("queue_name", r.queueName...), v("status", r.status...);
    v("payload", r.payload...), v("result", r.result...), v("retry_count", r.retryCount...);
    v("max_retries", r.maxRetries...), v("last_error", r.lastError...), v("created_at", r.createdAt...);
    v("updated_at", r.updatedAt...), v("scheduled_at", r.scheduledAt...), v("started_at", r.startedAt...);
    v("completed_at", r.completedAt...), v("expires_at", r.expiresAt...), v("priority", r.priority...);
    v("tags", r.tags...), v("timeout_seconds", r.timeoutSeconds...), v("parent_job_id", r.parentJobId...);
    v("completion_webhook", r.completionWebhook...), v("assigned_worker_id", r.assignedWorkerId...);
    v("lease_id", r.leaseId...), v("lease_expires_at", r.leaseExpiresAt...), v("idempotency_key", r.idempotencyKey...);
    v("progress", r.progress...), v("progress_message", r.progressMessage...);
    v("workflow_id", r.workflowId...), v("workflow_key", r.workflowKey...), v("dependency_mode", r.dependencyMode...);
    v("dependencies_met", r.dependenciesMet...), v("dependencies_pending", r.dependenciesPending...);
  }
};

template <>
struct Spec<WorkflowRecord> {
  static constexpr const char* kTable = "workflows";
  static constexpr bool kOrgScoped = true;
  template <class Visit, class... Rec>
  static void fields(Visit& v, Rec&... r) {
    v("id", r.id...), v("org_id", r.orgId...), v("name", r.name...), v("description", r.description...);
    v("status", r.status...), v("total_jobs", r.totalJobs...), v("completed_jobs", r.completedJobs...);
    v("failed_jobs", r.failedJobs...), v("cancelled_jobs", r.cancelledJobs...), v("created_at", r.createdAt...);
    v("started_at", r.startedAt...), v("completed_at", r.completedAt...), v("metadata", r.metadata...);
    v("updated_at", r.updatedAt...);
  }
};

// Edges are inserted and read, never updated (update() would name columns "id" and "org_id" it lacks).
template <>
struct Spec<JobDependencyRecord> {
  static constexpr const char* kTable = "job_dependencies";
  static constexpr bool kOrgScoped = true;
  template <class Visit, class... Rec>
  static void fields(Visit& v, Rec&... r) {
    v("job_id", r.jobId...), v("org_id", r.orgId...), v("depends_on_job_id", r.dependsOnJobId...);
    v("dependency_type", r.dependencyType...), v("created_at", r.createdAt...);
  }
};

template <>
struct Spec<WorkerRecord> {
  static constexpr const char* kTable = "workers";
  static constexpr bool kOrgScoped = true;
  template <class Visit, class... Rec>
  static void fields(Visit& v, Rec&... r) {
    v("id", r.id...), v("org_id", r.orgId...), v("queue_name", r.queueName...), v("hostname", r.hostname...);
    v("worker_type", r.workerType...), v("max_concurrency", r.maxConcurrency...), v("current_jobs", r.currentJobs...);
    v("status", r.status...), v("last_heartbeat", r.lastHeartbeat...), v("metadata", r.metadata...);
    v("version", r.version...), v("registered_at", r.registeredAt...);
  }
};

template <>
struct Spec<OrganizationRecord> {
  static constexpr const char* kTable = "organizations";
  static constexpr bool kOrgScoped = false;
  template <class Visit, class... Rec>
  static void fields(Visit& v, Rec&... r) {
    v("id", r.id...), v("name", r.name...), v("slug", r.slug...), v("plan_tier", r.planTier...);
    v("billing_email", r.billingEmail...), v("settings", r.settings...), v("webhook_token", r.webhookToken...);
    v("created_at", r.createdAt...), v("updated_at", r.updatedAt...);
  }
};

template <>
struct Spec<ApiKeyRecord> {
  static constexpr const char* kTable = "api_keys";
  static constexpr bool kOrgScoped = true;
  template <class Visit, class... Rec>
  static void fields(Visit& v, Rec&... r) {
    v("id", r.id...), v("org_id", r.orgId...), v("name", r.name...), v("key_hash", r.keyHash...), v("queues", r.queues...);
    v("rate_limit", r.rateLimit...), v("is_active", r.isActive...), v("created_at", r.createdAt...);
    v("last_used", r.lastUsed...), v("expires_at", r.expiresAt...);
  }
};

template <>
struct Spec<QueueRecord> {
  static constexpr const char* kTable = "queues";
  static constexpr bool kOrgScoped = true;
  template <class Visit, class... Rec>
  static void fields(Visit& v, Rec&... r) {
    v("id", r.id...), v("org_id", r.orgId...), v("queue_name", r.queueName...), v("max_retries", r.maxRetries...);
    v("default_timeout", r.defaultTimeout...), v("rate_limit", r.rateLimit...), v("enabled", r.enabled...);
    v("paused", r.paused...), v("paused_at", r.pausedAt...), v("pause_reason", r.pauseReason...);
    v("settings", r.settings...), v("created_at", r.createdAt...), v("updated_at", r.updatedAt...);
  }
};

template <>
struct Spec<OutgoingWebhookRecord> {
  static constexpr const char* kTable = "outgoing_webhooks";
  static constexpr bool kOrgScoped = true;
  template <class Visit, class... Rec>
  static void fields(Visit& v, Rec&... r) {
    v("id", r.id...), v("org_id", r.orgId...), v("name", r.name...), v("url", r.url...), v("secret", r.secret...);
    v("events", r.events...), v("enabled", r.enabled...), v("failure_count", r.failureCount...);
    v("last_triggered_at", r.lastTriggeredAt...), v("last_status", r.lastStatus...), v("created_at", r.createdAt...);
    v("updated_at", r.updatedAt...);
  }
};

template <>
struct Spec<WebhookDeliveryRecord> {
  static constexpr const char* kTable = "outgoing_webhook_deliveries";
  static constexpr bool kOrgScoped = true;
  template <class Visit, class... Rec>
  static void fields(Visit& v, Rec&... r) {
    v("id", r.id...), v("org_id", r.orgId...), v("webhook_id", r.webhookId...), v("event", r.event...);
    v("payload", r.payload...), v("status", r.status...), v("status_code", r.statusCode...);
    v("response_body", r.responseBody...), v("error", r.error...), v("attempts", r.attempts...);
    v("max_attempts", r.maxAttempts...), v("next_attempt_at", r.nextAttemptAt...), v("attempt_log", r.attemptLog...);
    v("created_at", r.createdAt...), v("delivered_at", r.deliveredAt...);
  }
};

// Every column name of a record type, in Spec order.
template <class Record>
std::vector<std::string> columnNames() {
  std::vector<std::string> names;
  auto collect = [&](const char* name, const auto&) { names.emplace_back(name); };
  Record sample;
  Spec<Record>::fields(collect, sample);
  return names;
}

// Bit i set: column i (Spec order) differs between the two records. Stores write only those.
template <class Record>
std::uint64_t changedColumns(const Record& before, const Record& after) {
  std::uint64_t changed = 0;
  int index = 0;
  auto compare = [&](const char*, const auto& a, const auto& b) {
    if (!(a == b)) changed |= std::uint64_t{1} << index;
    ++index;
  };
  Spec<Record>::fields(compare, before, after);
  return changed;
}

inline std::string joined(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (const auto& part : parts) out += (out.empty() ? "" : std::string(separator)) + part;
  return out;
}

// "?1, ?2, ..." (SQLite) or "$1, $2, ..." (PostgreSQL): `mark` is the parameter sigil.
inline std::string placeholders(std::size_t count, char mark) {
  std::vector<std::string> marks;
  for (std::size_t i = 1; i <= count; ++i) marks.push_back(mark + std::to_string(i));
  return joined(marks, ", ");
}

// INSERT of every column, parameters 1..N in column order.
// "SELECT <every column> FROM <table> ", for a WHERE clause to follow.
template <class Record>
std::string selectSql() {
  return "SELECT " + joined(columnNames<Record>(), ", ") + " FROM " + Spec<Record>::kTable + " ";
}

template <class Record>
std::string insertSql(char mark) {
  auto names = columnNames<Record>();
  return std::string("INSERT INTO ") + Spec<Record>::kTable + " (" + joined(names, ", ") + ") VALUES (" +
         placeholders(names.size(), mark) + ")";
}

// UPDATE of the columns in `columns` (bit i: column i; default every one) but the keys, each bound to
// its insertSql() number: "WHERE id = 1" and, for organization-scoped records, "AND org_id = 2", so an
// update can never cross organizations.
template <class Record>
std::string updateSql(char mark, std::uint64_t columns = ~std::uint64_t{0}) {
  auto names = columnNames<Record>();
  const std::size_t keyCount = Spec<Record>::kOrgScoped ? 2 : 1;
  std::vector<std::string> sets;
  for (std::size_t i = keyCount; i < names.size(); ++i)
    if ((columns >> i) & 1U) sets.push_back(names[i] + " = " + mark + std::to_string(i + 1));
  return std::string("UPDATE ") + Spec<Record>::kTable + " SET " + joined(sets, ", ") + " WHERE id = " + mark + "1" +
         (Spec<Record>::kOrgScoped ? std::string(" AND org_id = ") + mark + "2" : std::string());
}

// Insert of a queue that, when (org_id, queue_name) exists, updates that row but keeps its id and created_at.
inline std::string upsertQueueSql(char mark) {
  std::vector<std::string> sets;
  for (const auto& name : columnNames<QueueRecord>())
    if (name != "id" && name != "org_id" && name != "queue_name" && name != "created_at")
      sets.push_back(name + " = excluded." + name);
  return insertSql<QueueRecord>(mark) + " ON CONFLICT (org_id, queue_name) DO UPDATE SET " + joined(sets, ", ");
}

}  // namespace spooled::server::columns
