#include "server/store/sqlite/sqlite_reader.hpp"

#include <array>
#include <stdexcept>
#include <utility>

namespace spooled::server {
namespace {

using Jobs = SqliteRows<JobRecord>;
using Workers = SqliteRows<WorkerRecord>;
using Organizations = SqliteRows<OrganizationRecord>;
using ApiKeys = SqliteRows<ApiKeyRecord>;
using Queues = SqliteRows<QueueRecord>;

// The columns a job list may be sorted by. The user's text is only ever compared against these.
constexpr std::array<std::string_view, 4> kJobOrderColumns = {"created_at", "priority", "updated_at", "scheduled_at"};

// An optional filter clause and the named parameter it binds.
struct Filter {
  const char* clause;
  const char* parameter;
  std::optional<std::string_view> value;
};

std::string whereClause(const std::vector<Filter>& filters) {
  std::string sql = "WHERE org_id = :org";
  for (const auto& filter : filters)
    if (filter.value) sql += filter.clause;
  return sql;
}

void bindFilters(SqliteQuery& query, const std::string& orgId, const std::vector<Filter>& filters) {
  query.bindTextByName(":org", orgId);
  for (const auto& filter : filters)
    if (filter.value) query.bindTextByName(filter.parameter, *filter.value);
}

std::optional<std::string_view> view(const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  return std::string_view(*text);
}

std::vector<Filter> jobFilters(const JobQuery& q) {
  std::optional<std::string_view> status;
  if (q.status) status = toString(*q.status);  // a view of a literal, so it outlives the filter
  // The tag matches a key of a tags object, or a string element of a tags array (PostgreSQL's `?`).
  static constexpr const char* kTagClause =
      " AND EXISTS (SELECT 1 FROM json_each(jobs.tags) AS t WHERE CASE json_type(jobs.tags)"
      " WHEN 'object' THEN t.key = :tag WHEN 'array' THEN t.value = :tag END)";
  return {Filter{" AND queue_name = :queue", ":queue", view(q.queueName)},
          Filter{" AND status = :status", ":status", status}, Filter{kTagClause, ":tag", view(q.tag)}};
}

}  // namespace

std::string listJobsSql(const JobQuery& query) {
  bool known = false;
  for (auto column : kJobOrderColumns) known = known || column == query.orderBy;
  if (!known) throw std::invalid_argument("cannot order jobs by '" + query.orderBy + "'");
  const char* direction = query.descending ? " DESC" : " ASC";
  // NULLS LAST spelled out so that both stores agree (PostgreSQL's default differs for DESC).
  // Ties (same millisecond) in insertion order, so pages are stable and match creation order.
  return Jobs::select() + whereClause(jobFilters(query)) + " ORDER BY " + query.orderBy + direction +
         " NULLS LAST, rowid" + direction + " LIMIT :limit OFFSET :offset";
}

template <class I>
std::optional<JobRecord> SqliteReaderImpl<I>::findJob(const std::string& orgId, const std::string& jobId) {
  static const std::string sql = Jobs::select() + "WHERE org_id = ?1 AND id = ?2";
  return fetchOne<JobRecord>(sql, {orgId, jobId});
}

template <class I>
std::optional<JobRecord> SqliteReaderImpl<I>::findJobByIdempotencyKey(const std::string& orgId,
                                                                     const std::string& key) {
  static const std::string sql = Jobs::select() + "WHERE org_id = ?1 AND idempotency_key = ?2";
  return fetchOne<JobRecord>(sql, {orgId, key});
}

template <class I>
std::vector<JobRecord> SqliteReaderImpl<I>::listJobs(const JobQuery& q) {
  SqliteQuery query = conn_.prepare(listJobsSql(q));
  bindFilters(query, q.orgId, jobFilters(q));
  query.bindIntByName(":limit", q.limit);
  query.bindIntByName(":offset", q.offset);
  return Jobs::readAll(query);
}

template <class I>
std::map<JobStatus, long long> SqliteReaderImpl<I>::countJobsByStatus(const std::string& orgId,
                                                                      const std::optional<std::string>& queueName) {
  const std::vector<Filter> filters = {Filter{" AND queue_name = :queue", ":queue", view(queueName)}};
  SqliteQuery query = conn_.prepare("SELECT status, COUNT(*) FROM jobs " + whereClause(filters) + " GROUP BY status");
  bindFilters(query, orgId, filters);
  std::map<JobStatus, long long> counts;
  while (query.step())
    if (auto status = parseJobStatus(query.columnText(0))) counts[*status] = query.columnInt(1);
  return counts;
}

template <class I>
std::optional<WorkerRecord> SqliteReaderImpl<I>::findWorker(const std::string& orgId, const std::string& workerId) {
  static const std::string sql = Workers::select() + "WHERE org_id = ?1 AND id = ?2";
  return fetchOne<WorkerRecord>(sql, {orgId, workerId});
}

template <class I>
std::vector<WorkerRecord> SqliteReaderImpl<I>::listWorkers(const WorkerQuery& q) {
  const std::vector<Filter> filters = {Filter{" AND queue_name = :queue", ":queue", view(q.queueName)},
                                           Filter{" AND status = :status", ":status", view(q.status)}};
  SqliteQuery query = conn_.prepare(Workers::select() + whereClause(filters) +
                                    " ORDER BY registered_at DESC, rowid DESC LIMIT :limit OFFSET :offset");
  bindFilters(query, q.orgId, filters);
  query.bindIntByName(":limit", q.limit);
  query.bindIntByName(":offset", q.offset);
  return Workers::readAll(query);
}

template <class I>
std::optional<OrganizationRecord> SqliteReaderImpl<I>::findOrganization(const std::string& orgId) {
  static const std::string sql = Organizations::select() + "WHERE id = ?1";
  return fetchOne<OrganizationRecord>(sql, {orgId});
}

template <class I>
std::optional<OrganizationRecord> SqliteReaderImpl<I>::findOrganizationBySlug(const std::string& slug) {
  static const std::string sql = Organizations::select() + "WHERE slug = ?1";
  return fetchOne<OrganizationRecord>(sql, {slug});
}

template <class I>
std::vector<OrganizationRecord> SqliteReaderImpl<I>::listOrganizations() {
  static const std::string sql = Organizations::select() + "ORDER BY created_at, rowid";
  return fetchAll<OrganizationRecord>(sql, {});
}

template <class I>
std::optional<ApiKeyRecord> SqliteReaderImpl<I>::findApiKeyByHash(const std::string& keyHash) {
  // Not organization-scoped on purpose: this is how a request's key finds its organization.
  static const std::string sql = ApiKeys::select() + "WHERE key_hash = ?1";
  return fetchOne<ApiKeyRecord>(sql, {keyHash});
}

template <class I>
std::optional<ApiKeyRecord> SqliteReaderImpl<I>::findApiKey(const std::string& orgId, const std::string& keyId) {
  static const std::string sql = ApiKeys::select() + "WHERE org_id = ?1 AND id = ?2";
  return fetchOne<ApiKeyRecord>(sql, {orgId, keyId});
}

template <class I>
std::vector<ApiKeyRecord> SqliteReaderImpl<I>::listApiKeys(const std::string& orgId) {
  static const std::string sql = ApiKeys::select() + "WHERE org_id = ?1 ORDER BY created_at, rowid";
  return fetchAll<ApiKeyRecord>(sql, {orgId});
}

template <class I>
std::optional<QueueRecord> SqliteReaderImpl<I>::findQueue(const std::string& orgId, const std::string& queueName) {
  static const std::string sql = Queues::select() + "WHERE org_id = ?1 AND queue_name = ?2";
  return fetchOne<QueueRecord>(sql, {orgId, queueName});
}

template <class I>
std::vector<QueueRecord> SqliteReaderImpl<I>::listQueues(const std::string& orgId) {
  static const std::string sql = Queues::select() + "WHERE org_id = ?1 ORDER BY queue_name";
  return fetchAll<QueueRecord>(sql, {orgId});
}

template <class I>
std::vector<std::string> SqliteReaderImpl<I>::listQueueNames(const std::string& orgId) {
  static const std::string sql =
      "SELECT DISTINCT queue_name FROM jobs WHERE org_id = ?1"
      " UNION SELECT queue_name FROM queues WHERE org_id = ?1 ORDER BY 1";
  SqliteQuery query = conn_.prepare(sql);
  bindParams(query, {orgId});
  std::vector<std::string> names;
  while (query.step()) names.push_back(query.columnText(0));
  return names;
}

namespace {

std::optional<long long> optionalInt(const SqliteQuery& query, int column) {
  if (query.isNull(column)) return std::nullopt;
  return query.columnInt(column);
}

}  // namespace

template <class I>
JobActivity SqliteReaderImpl<I>::jobActivity(const std::string& orgId, const std::optional<std::string>& queueName,
                                             TimePoint since) {
  const std::vector<Filter> filters = {Filter{" AND queue_name = :queue", ":queue", view(queueName)}};
  // One pass over the organization's jobs; the averages are whole milliseconds.
  SqliteQuery query = conn_.prepare(
      "SELECT"
      " COALESCE(SUM(created_at >= :since), 0),"
      " COALESCE(SUM(status = 'completed' AND completed_at >= :since), 0),"
      " COALESCE(SUM(status IN ('failed', 'deadletter') AND completed_at >= :since), 0),"
      " CAST(AVG(CASE WHEN status = 'completed' AND completed_at >= :since AND started_at IS NOT NULL"
      "   THEN completed_at - started_at END) AS INTEGER),"
      " CAST(AVG(CASE WHEN started_at >= :since THEN started_at - created_at END) AS INTEGER),"
      " MIN(CASE WHEN status IN ('pending', 'scheduled') THEN created_at END)"
      " FROM jobs " +
      whereClause(filters));
  bindFilters(query, orgId, filters);
  query.bindIntByName(":since", toEpochMs(since));
  JobActivity activity;
  if (query.step()) {
    activity.createdSince = query.columnInt(0);
    activity.completedSince = query.columnInt(1);
    activity.failedSince = query.columnInt(2);
    if (auto v = optionalInt(query, 3)) activity.avgProcessingMs = static_cast<double>(*v);
    if (auto v = optionalInt(query, 4)) activity.avgWaitMs = static_cast<double>(*v);
    if (auto v = optionalInt(query, 5)) activity.oldestReadyCreatedAt = fromEpochMs(*v);
  }
  return activity;
}

template <class I>
std::vector<QueueStatusCount> SqliteReaderImpl<I>::countJobsByQueueAndStatus(const std::optional<std::string>& orgId) {
  std::string sql = "SELECT org_id, queue_name, status, COUNT(*) FROM jobs";
  if (orgId) sql += " WHERE org_id = :org";
  sql += " GROUP BY org_id, queue_name, status ORDER BY org_id, queue_name, status";
  SqliteQuery query = conn_.prepare(sql);
  if (orgId) query.bindTextByName(":org", *orgId);
  std::vector<QueueStatusCount> rows;
  while (query.step()) {
    if (auto status = parseJobStatus(query.columnText(2)))
      rows.push_back(QueueStatusCount{query.columnText(0), query.columnText(1), *status, query.columnInt(3)});
  }
  return rows;
}

template <class I>
bool SqliteReaderImpl<I>::isTokenRevoked(const std::string& tokenId) {
  SqliteQuery query = conn_.prepare("SELECT 1 FROM revoked_tokens WHERE token_id = ?1");
  bindParams(query, {tokenId});
  return query.step();
}

template <class I>
const std::string& SqliteReaderImpl<I>::queueExistsSql() {
  static const std::string sql =
      "SELECT EXISTS (SELECT 1 FROM jobs WHERE org_id = ?1 AND queue_name = ?2)"
      " OR EXISTS (SELECT 1 FROM queues WHERE org_id = ?1 AND queue_name = ?2)";
  return sql;
}

template <class I>
const std::string& SqliteReaderImpl<I>::countQueuesSql() {
  // The queue names of the jobs come from a loose index scan: each step seeks the next name in
  // (org_id, queue_name), so the cost is one seek per queue however many jobs each holds. Both arms
  // stop at ?2 rows, so an organization far over its limit costs no more than one at it.
  static const std::string sql =
      "WITH RECURSIVE job_queues(name) AS ("
      " SELECT MIN(queue_name) FROM jobs WHERE org_id = ?1"
      " UNION ALL"
      " SELECT (SELECT MIN(queue_name) FROM jobs WHERE org_id = ?1 AND queue_name > job_queues.name)"
      " FROM job_queues WHERE job_queues.name IS NOT NULL LIMIT ?2 + 1)"
      " SELECT COUNT(*) FROM ("
      " SELECT name FROM job_queues WHERE name IS NOT NULL"
      " UNION SELECT queue_name FROM (SELECT queue_name FROM queues WHERE org_id = ?1 LIMIT ?2)"
      " LIMIT ?2)";
  return sql;
}

template <class I>
const std::string& SqliteReaderImpl<I>::countLiveWorkersSql() {
  // Word for word the WHERE of idx_workers_org_live, so the partial index is used.
  static const std::string sql = "SELECT COUNT(*) FROM workers WHERE org_id = ?1 AND status <> 'offline'";
  return sql;
}

template <class I>
const std::string& SqliteReaderImpl<I>::countActiveApiKeysSql() {
  static const std::string sql = "SELECT COUNT(*) FROM api_keys WHERE org_id = ?1 AND is_active = 1";
  return sql;
}

template <class I>
bool SqliteReaderImpl<I>::queueExists(const std::string& orgId, const std::string& queueName) {
  SqliteQuery query = conn_.prepare(queueExistsSql());
  bindParams(query, {orgId, queueName});
  return query.step() && query.columnInt(0) != 0;
}

template <class I>
long long SqliteReaderImpl<I>::countQueues(const std::string& orgId, long long upTo) {
  SqliteQuery query = conn_.prepare(countQueuesSql());
  bindParams(query, {orgId, static_cast<std::int64_t>(upTo)});
  return query.step() ? query.columnInt(0) : 0;
}

template <class I>
long long SqliteReaderImpl<I>::countLiveWorkers(const std::string& orgId) {
  SqliteQuery query = conn_.prepare(countLiveWorkersSql());
  bindParams(query, {orgId});
  return query.step() ? query.columnInt(0) : 0;
}

template <class I>
long long SqliteReaderImpl<I>::countActiveApiKeys(const std::string& orgId) {
  SqliteQuery query = conn_.prepare(countActiveApiKeysSql());
  bindParams(query, {orgId});
  return query.step() ? query.columnInt(0) : 0;
}

template <class I>
std::map<std::string, long long> SqliteReaderImpl<I>::countWorkersByStatus() {
  SqliteQuery query = conn_.prepare("SELECT status, COUNT(*) FROM workers GROUP BY status");
  std::map<std::string, long long> counts;
  while (query.step()) counts[query.columnText(0)] = query.columnInt(1);
  return counts;
}

template class SqliteReaderImpl<StoreReader>;
template class SqliteReaderImpl<StoreTx>;

}  // namespace spooled::server
