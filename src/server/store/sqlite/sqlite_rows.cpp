#include "server/store/sqlite/sqlite_rows.hpp"

#include <map>
#include <mutex>
#include <stdexcept>

#include "common/bounded_json.hpp"

namespace spooled::server {
namespace {

// Values are bounded to kMaxJsonDepth when they arrive; rows written by older releases may nest
// deeper, so reading back allows more, but still only as deep as serialising the value can follow.
constexpr int kMaxStoredJsonDepth = 512;

json storedJson(const std::string& text) { return parseBoundedJson(text, kMaxStoredJsonDepth); }

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

// --- one C++ type <-> one column value ---

void bindValue(SqliteQuery& q, int i, const std::string& v) { q.bindText(i, v); }
void bindValue(SqliteQuery& q, int i, int v) { q.bindInt(i, v); }
void bindValue(SqliteQuery& q, int i, bool v) { q.bindInt(i, v ? 1 : 0); }
void bindValue(SqliteQuery& q, int i, TimePoint v) { q.bindInt(i, toEpochMs(v)); }
void bindValue(SqliteQuery& q, int i, const json& v) { q.bindText(i, v.dump()); }
void bindValue(SqliteQuery& q, int i, JobStatus v) { q.bindText(i, toString(v)); }
void bindValue(SqliteQuery& q, int i, const std::vector<std::string>& v) { q.bindText(i, json(v).dump()); }
template <class T>
void bindValue(SqliteQuery& q, int i, const std::optional<T>& v) {
  if (v) {
    bindValue(q, i, *v);
  } else {
    q.bindNull(i);
  }
}

void readValue(const SqliteQuery& q, int c, std::string& v) { v = q.columnText(c); }
void readValue(const SqliteQuery& q, int c, int& v) { v = static_cast<int>(q.columnInt(c)); }
void readValue(const SqliteQuery& q, int c, bool& v) { v = q.columnInt(c) != 0; }
void readValue(const SqliteQuery& q, int c, TimePoint& v) { v = fromEpochMs(q.columnInt(c)); }
void readValue(const SqliteQuery& q, int c, json& v) { v = storedJson(q.columnText(c)); }
void readValue(const SqliteQuery& q, int c, std::vector<std::string>& v) {
  v = storedJson(q.columnText(c)).get<std::vector<std::string>>();
}
void readValue(const SqliteQuery& q, int c, JobStatus& v) {
  std::string text = q.columnText(c);
  auto status = parseJobStatus(text);
  if (!status) throw std::runtime_error("jobs row has unknown status '" + text + "'");
  v = *status;
}
template <class T>
void readValue(const SqliteQuery& q, int c, std::optional<T>& v) {
  if (q.isNull(c)) {
    v.reset();
  } else {
    readValue(q, c, v.emplace());
  }
}

// --- SQL text derived from a Spec ---

template <class Record>
std::vector<std::string> columnNames() {
  std::vector<std::string> names;
  auto collect = [&](const char* name, const auto&) { names.emplace_back(name); };
  Record sample;
  Spec<Record>::fields(collect, sample);
  return names;
}

std::string joined(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (const auto& part : parts) out += (out.empty() ? "" : std::string(separator)) + part;
  return out;
}

std::string placeholders(std::size_t count) {
  std::vector<std::string> marks;
  for (std::size_t i = 1; i <= count; ++i) marks.push_back("?" + std::to_string(i));
  return joined(marks, ", ");
}

template <class Record>
std::string buildInsert() {
  auto names = columnNames<Record>();
  return std::string("INSERT INTO ") + Spec<Record>::kTable + " (" + joined(names, ", ") + ") VALUES (" +
         placeholders(names.size()) + ")";
}

template <class Record>
constexpr std::size_t keyCount() {
  return Spec<Record>::kOrgScoped ? 2 : 1;
}

// UPDATE of the columns in `columns` (bit i: column i), each bound to its insert() number.
template <class Record>
std::string buildUpdate(std::uint64_t columns) {
  auto names = columnNames<Record>();
  std::vector<std::string> sets;
  for (std::size_t i = keyCount<Record>(); i < names.size(); ++i)
    if ((columns >> i) & 1U) sets.push_back(names[i] + " = ?" + std::to_string(i + 1));
  return std::string("UPDATE ") + Spec<Record>::kTable + " SET " + joined(sets, ", ") + " WHERE id = ?1" +
         (Spec<Record>::kOrgScoped ? " AND org_id = ?2" : "");
}

template <class Record>
std::uint64_t allColumns() {
  const std::size_t count = columnNames<Record>().size();
  static_assert(sizeof(std::uint64_t) * 8 >= 32);
  if (count >= 64) throw std::logic_error("a record with 64 columns or more needs a wider column set");
  return (std::uint64_t{1} << count) - 1;
}

}  // namespace

template <class Record>
const std::string& SqliteRows<Record>::select() {
  static const std::string sql =
      "SELECT " + joined(columnNames<Record>(), ", ") + " FROM " + Spec<Record>::kTable + " ";
  return sql;
}

template <class Record>
const std::string& SqliteRows<Record>::insert() {
  static const std::string sql = buildInsert<Record>();
  return sql;
}

template <class Record>
const std::string& SqliteRows<Record>::update() {
  static const std::string sql = buildUpdate<Record>(allColumns<Record>());
  return sql;
}

template <class Record>
std::uint64_t SqliteRows<Record>::changedColumns(const Record& before, const Record& after) {
  std::uint64_t changed = 0;
  int index = 0;
  auto compare = [&](const char*, const auto& a, const auto& b) {
    if (!(a == b)) changed |= std::uint64_t{1} << index;
    ++index;
  };
  Spec<Record>::fields(compare, before, after);
  return changed;
}

template <class Record>
const std::string& SqliteRows<Record>::updateOf(std::uint64_t columns) {
  // One text per set of columns; a store writes from one thread, but the map is cheap to guard.
  static std::mutex mutex;
  static std::map<std::uint64_t, std::string> texts;
  const std::lock_guard lock(mutex);
  auto [it, added] = texts.try_emplace(columns);
  if (added) it->second = buildUpdate<Record>(columns);
  return it->second;
}

template <class Record>
void SqliteRows<Record>::bind(SqliteQuery& query, const Record& record, std::uint64_t columns) {
  int index = 1;
  auto bindOne = [&](const char*, const auto& value) {
    const bool key = index <= static_cast<int>(keyCount<Record>());
    if (key || ((columns >> (index - 1)) & 1U)) bindValue(query, index, value);
    ++index;
  };
  Spec<Record>::fields(bindOne, record);
}

template <class Record>
Record SqliteRows<Record>::read(const SqliteQuery& query) {
  Record record;
  int column = 0;
  auto readField = [&](const char*, auto& value) { readValue(query, column++, value); };
  Spec<Record>::fields(readField, record);
  return record;
}

template <class Record>
std::vector<Record> SqliteRows<Record>::readAll(SqliteQuery& query) {
  std::vector<Record> records;
  while (query.step()) records.push_back(read(query));
  return records;
}

template <class Record>
std::optional<Record> SqliteRows<Record>::readOne(SqliteQuery& query) {
  if (!query.step()) return std::nullopt;
  return read(query);
}

template struct SqliteRows<JobRecord>;
template struct SqliteRows<WorkerRecord>;
template struct SqliteRows<OrganizationRecord>;
template struct SqliteRows<ApiKeyRecord>;
template struct SqliteRows<QueueRecord>;

const std::string& upsertQueueSql() {
  static const std::string sql = [] {
    std::vector<std::string> sets;
    for (const auto& name : columnNames<QueueRecord>())
      if (name != "id" && name != "org_id" && name != "queue_name" && name != "created_at")
        sets.push_back(name + " = excluded." + name);
    return buildInsert<QueueRecord>() + " ON CONFLICT (org_id, queue_name) DO UPDATE SET " + joined(sets, ", ");
  }();
  return sql;
}

void bindParams(SqliteQuery& query, std::initializer_list<SqlParam> params) {
  int index = 1;
  for (const auto& param : params) {
    if (const auto* text = std::get_if<std::string_view>(&param)) {
      query.bindText(index++, *text);
    } else {
      query.bindInt(index++, std::get<std::int64_t>(param));
    }
  }
}

}  // namespace spooled::server
