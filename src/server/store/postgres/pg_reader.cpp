#include "server/store/postgres/pg_reader.hpp"

#include <array>
#include <stdexcept>

namespace spooled::server {
namespace {

using Jobs = PgRows<JobRecord>;
using Workers = PgRows<WorkerRecord>;
using Organizations = PgRows<OrganizationRecord>;
using ApiKeys = PgRows<ApiKeyRecord>;
using Queues = PgRows<QueueRecord>;

// The columns a job list may be sorted by. The user's text is only ever compared against these.
constexpr std::array<std::string_view, 4> kJobOrderColumns = {"created_at", "priority", "updated_at", "scheduled_at"};

// A WHERE clause built from optional filters, with positional parameters in the order they appear.
struct Where {
  std::string sql;
  PgParams params;

  explicit Where(const std::string& orgId) : sql("WHERE org_id = $1"), params{orgId} {}
  // `clause` names its parameter as "$?", replaced by the next position.
  void add(const std::optional<std::string>& value, const std::string& clause) {
    if (!value) return;
    params.push_back(*value);
    std::string text = clause;
    text.replace(text.find("$?"), 2, "$" + std::to_string(params.size()));
    sql += text;
  }
  std::string next(PgParam value) {
    params.push_back(std::move(value));
    return "$" + std::to_string(params.size());
  }
};

std::optional<std::string> statusText(const std::optional<JobStatus>& status) {
  if (!status) return std::nullopt;
  return std::string(toString(*status));
}

Where jobWhere(const JobQuery& q) {
  Where where(q.orgId);
  where.add(q.queueName, " AND queue_name = $?");
  where.add(statusText(q.status), " AND status = $?");
  // A tag is a key of a tags object or a string element of a tags array (never an object's value).
  where.add(q.tag, " AND jsonb_typeof(tags::jsonb) IN ('object', 'array') AND tags::jsonb ? $?");
  return where;
}

}  // namespace

template <class I>
std::optional<JobRecord> PgReaderImpl<I>::findJob(const std::string& orgId, const std::string& jobId) {
  return fetchOne<JobRecord>(Jobs::select() + "WHERE org_id = $1 AND id = $2" + lock_, {orgId, jobId});
}

template <class I>
std::optional<JobRecord> PgReaderImpl<I>::findJobByIdempotencyKey(const std::string& orgId, const std::string& key) {
  return fetchOne<JobRecord>(Jobs::select() + "WHERE org_id = $1 AND idempotency_key = $2" + lock_, {orgId, key});
}

template <class I>
std::vector<JobRecord> PgReaderImpl<I>::listJobs(const JobQuery& q) {
  bool known = false;
  for (auto column : kJobOrderColumns) known = known || column == q.orderBy;
  if (!known) throw std::invalid_argument("cannot order jobs by '" + q.orderBy + "'");
  const char* direction = q.descending ? " DESC" : " ASC";
  Where where = jobWhere(q);
  // NULLS LAST either way, as SQLite's store; ties (same millisecond) in insertion order.
  std::string sql = Jobs::select() + where.sql + " ORDER BY " + q.orderBy + direction + " NULLS LAST, seq" +
                    direction;
  sql += " LIMIT " + where.next(pgInt(q.limit));
  sql += " OFFSET " + where.next(pgInt(q.offset));
  return fetchAll<JobRecord>(sql + lock_, where.params);
}

template <class I>
std::map<JobStatus, long long> PgReaderImpl<I>::countJobsByStatus(const std::string& orgId,
                                                                  const std::optional<std::string>& queueName) {
  Where where(orgId);
  where.add(queueName, " AND queue_name = $?");
  PgResult result = conn_.query("SELECT status, COUNT(*) FROM jobs " + where.sql + " GROUP BY status", where.params);
  std::map<JobStatus, long long> counts;
  for (int row = 0; row < result.rows(); ++row)
    if (auto status = parseJobStatus(result.text(row, 0))) counts[*status] = result.integer(row, 1);
  return counts;
}

template <class I>
std::optional<WorkerRecord> PgReaderImpl<I>::findWorker(const std::string& orgId, const std::string& workerId) {
  return fetchOne<WorkerRecord>(Workers::select() + "WHERE org_id = $1 AND id = $2" + lock_, {orgId, workerId});
}

template <class I>
std::vector<WorkerRecord> PgReaderImpl<I>::listWorkers(const WorkerQuery& q) {
  Where where(q.orgId);
  where.add(q.queueName, " AND queue_name = $?");
  where.add(q.status, " AND status = $?");
  std::string sql = Workers::select() + where.sql + " ORDER BY registered_at DESC, seq DESC";
  sql += " LIMIT " + where.next(pgInt(q.limit));
  sql += " OFFSET " + where.next(pgInt(q.offset));
  return fetchAll<WorkerRecord>(sql, where.params);
}

template <class I>
std::optional<OrganizationRecord> PgReaderImpl<I>::findOrganization(const std::string& orgId) {
  return fetchOne<OrganizationRecord>(Organizations::select() + "WHERE id = $1" + lock_, {orgId});
}

template <class I>
std::optional<OrganizationRecord> PgReaderImpl<I>::findOrganizationBySlug(const std::string& slug) {
  return fetchOne<OrganizationRecord>(Organizations::select() + "WHERE slug = $1", {slug});
}

template <class I>
std::vector<OrganizationRecord> PgReaderImpl<I>::listOrganizations() {
  return fetchAll<OrganizationRecord>(Organizations::select() + "ORDER BY created_at, seq", {});
}

template <class I>
std::optional<ApiKeyRecord> PgReaderImpl<I>::findApiKeyByHash(const std::string& keyHash) {
  // Not organization-scoped on purpose: this is how a request's key finds its organization.
  return fetchOne<ApiKeyRecord>(ApiKeys::select() + "WHERE key_hash = $1", {keyHash});
}

template <class I>
std::optional<ApiKeyRecord> PgReaderImpl<I>::findApiKey(const std::string& orgId, const std::string& keyId) {
  return fetchOne<ApiKeyRecord>(ApiKeys::select() + "WHERE org_id = $1 AND id = $2" + lock_, {orgId, keyId});
}

template <class I>
std::vector<ApiKeyRecord> PgReaderImpl<I>::listApiKeys(const std::string& orgId) {
  return fetchAll<ApiKeyRecord>(ApiKeys::select() + "WHERE org_id = $1 ORDER BY created_at, seq", {orgId});
}

template <class I>
std::optional<QueueRecord> PgReaderImpl<I>::findQueue(const std::string& orgId, const std::string& queueName) {
  // Never locked: every claim reads its queue's record, and a lock would make claims take turns.
  return fetchOne<QueueRecord>(Queues::select() + "WHERE org_id = $1 AND queue_name = $2", {orgId, queueName});
}

template <class I>
std::vector<QueueRecord> PgReaderImpl<I>::listQueues(const std::string& orgId) {
  return fetchAll<QueueRecord>(Queues::select() + "WHERE org_id = $1 ORDER BY queue_name", {orgId});
}

template <class I>
std::vector<std::string> PgReaderImpl<I>::listQueueNames(const std::string& orgId) {
  PgResult result = conn_.query(
      "SELECT DISTINCT queue_name FROM jobs WHERE org_id = $1"
      " UNION SELECT queue_name FROM queues WHERE org_id = $1 ORDER BY 1",
      {orgId});
  std::vector<std::string> names;
  for (int row = 0; row < result.rows(); ++row) names.push_back(result.text(row, 0));
  return names;
}

template <class I>
JobActivity PgReaderImpl<I>::jobActivity(const std::string& orgId, const std::optional<std::string>& queueName,
                                         TimePoint since) {
  Where where(orgId);
  where.add(queueName, " AND queue_name = $?");
  const std::string at = where.next(pgTime(since)) + "::bigint";
  // One pass over the organization's jobs; the averages are whole milliseconds (truncated, as SQLite's).
  PgResult result = conn_.query(
      "SELECT"
      " COUNT(*) FILTER (WHERE created_at >= " + at + "),"
      " COUNT(*) FILTER (WHERE status = 'completed' AND completed_at >= " + at + "),"
      " COUNT(*) FILTER (WHERE status IN ('failed', 'deadletter') AND completed_at >= " + at + "),"
      " TRUNC(AVG(completed_at - started_at) FILTER (WHERE status = 'completed' AND completed_at >= " + at +
      " AND started_at IS NOT NULL))::bigint,"
      " TRUNC(AVG(started_at - created_at) FILTER (WHERE started_at >= " + at + "))::bigint,"
      " MIN(created_at) FILTER (WHERE status IN ('pending', 'scheduled'))"
      " FROM jobs " + where.sql,
      where.params);
  JobActivity activity;
  if (result.rows() == 0) return activity;
  activity.createdSince = result.integer(0, 0);
  activity.completedSince = result.integer(0, 1);
  activity.failedSince = result.integer(0, 2);
  if (!result.isNull(0, 3)) activity.avgProcessingMs = static_cast<double>(result.integer(0, 3));
  if (!result.isNull(0, 4)) activity.avgWaitMs = static_cast<double>(result.integer(0, 4));
  if (!result.isNull(0, 5)) activity.oldestReadyCreatedAt = fromEpochMs(result.integer(0, 5));
  return activity;
}

template <class I>
std::vector<QueueStatusCount> PgReaderImpl<I>::countJobsByQueueAndStatus(const std::optional<std::string>& orgId) {
  std::string sql = "SELECT org_id, queue_name, status, COUNT(*) FROM jobs";
  PgParams params;
  if (orgId) {
    sql += " WHERE org_id = $1";
    params.push_back(*orgId);
  }
  sql += " GROUP BY org_id, queue_name, status ORDER BY org_id, queue_name, status";
  PgResult result = conn_.query(sql, params);
  std::vector<QueueStatusCount> rows;
  for (int row = 0; row < result.rows(); ++row)
    if (auto status = parseJobStatus(result.text(row, 2)))
      rows.push_back(QueueStatusCount{result.text(row, 0), result.text(row, 1), *status, result.integer(row, 3)});
  return rows;
}

template <class I>
bool PgReaderImpl<I>::isTokenRevoked(const std::string& tokenId) {
  return conn_.query("SELECT 1 FROM revoked_tokens WHERE token_id = $1", {tokenId}).rows() > 0;
}

template <class I>
bool PgReaderImpl<I>::queueExists(const std::string& orgId, const std::string& queueName) {
  return conn_.queryText(
             "SELECT EXISTS (SELECT 1 FROM jobs WHERE org_id = $1 AND queue_name = $2)"
             " OR EXISTS (SELECT 1 FROM queues WHERE org_id = $1 AND queue_name = $2)",
             {orgId, queueName}) == "t";
}

template <class I>
long long PgReaderImpl<I>::countQueues(const std::string& orgId, long long upTo) {
  // A loose index scan: each step seeks the next queue name in (org_id, queue_name, ...), so the cost
  // is one seek per queue however many jobs each holds; both arms stop at upTo rows.
  return count(
      "WITH RECURSIVE job_queues(name) AS ("
      " SELECT MIN(queue_name) FROM jobs WHERE org_id = $1"
      " UNION ALL"
      " SELECT (SELECT MIN(queue_name) FROM jobs WHERE org_id = $1 AND queue_name > job_queues.name)"
      " FROM job_queues WHERE job_queues.name IS NOT NULL)"
      " SELECT COUNT(*) FROM ("
      " (SELECT name FROM job_queues WHERE name IS NOT NULL LIMIT $2)"
      " UNION (SELECT queue_name FROM queues WHERE org_id = $1 LIMIT $2)"
      " LIMIT $2) AS names",
      {orgId, pgInt(upTo)});
}

template <class I>
long long PgReaderImpl<I>::countLiveWorkers(const std::string& orgId) {
  return count("SELECT COUNT(*) FROM workers WHERE org_id = $1 AND status <> 'offline'", {orgId});
}

template <class I>
long long PgReaderImpl<I>::countActiveApiKeys(const std::string& orgId) {
  return count("SELECT COUNT(*) FROM api_keys WHERE org_id = $1 AND is_active", {orgId});
}

template <class I>
std::map<std::string, long long> PgReaderImpl<I>::countWorkersByStatus() {
  PgResult result = conn_.query("SELECT status, COUNT(*) FROM workers GROUP BY status");
  std::map<std::string, long long> counts;
  for (int row = 0; row < result.rows(); ++row) counts[result.text(row, 0)] = result.integer(row, 1);
  return counts;
}

template class PgReaderImpl<StoreReader>;
template class PgReaderImpl<StoreTx>;

}  // namespace spooled::server
