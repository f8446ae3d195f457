#include "server/store/sqlite/sqlite_tx.hpp"

#include <stdexcept>

namespace spooled::server {

// The literal status list must match the WHERE of the partial index idx_jobs_ready exactly, or
// SQLite will not use that index (see migrations/sqlite_migrations.cpp). Equal priority and
// created_at (same millisecond) fall back to insertion order, the rowid.
const std::string& SqliteTx::claimableJobsSql() {
  static const std::string sql = SqliteRows<JobRecord>::select() +
                                 "WHERE org_id = ?1 AND queue_name = ?2 AND status IN ('pending', 'scheduled')"
                                 " AND dependencies_met = 1 AND (scheduled_at IS NULL OR scheduled_at <= ?3)"
                                 " AND (expires_at IS NULL OR expires_at > ?3)"
                                 " ORDER BY priority DESC, created_at ASC, rowid ASC LIMIT ?4";
  return sql;
}

const std::string& SqliteTx::expiredLeasesSql() {
  static const std::string sql = SqliteRows<JobRecord>::select() +
                                 "WHERE status = 'processing' AND lease_expires_at <= ?1"
                                 " ORDER BY lease_expires_at, id LIMIT ?2";
  return sql;
}

const std::string& SqliteTx::silentWorkersSql() {
  static const std::string sql = SqliteRows<WorkerRecord>::select() +
                                 "WHERE status <> 'offline' AND last_heartbeat < ?1"
                                 " ORDER BY last_heartbeat, id LIMIT ?2";
  return sql;
}

void SqliteTx::insertJob(const JobRecord& job) {
  try {
    writeRow(SqliteRows<JobRecord>::insert(), job, "insertJob");
  } catch (const SqliteError& e) {
    // The store-neutral answer for a taken idempotency key (the statement alone was undone).
    if (e.isConstraintViolation() && job.idempotencyKey && findJobByIdempotencyKey(job.orgId, *job.idempotencyKey))
      throw StoreDuplicateKey("idempotency key '" + *job.idempotencyKey + "' is taken");
    throw;
  }
  remember(job);
}

void SqliteTx::updateJob(const JobRecord& job) {
  const auto known = jobsAsRead_.find(job.id);
  if (known == jobsAsRead_.end() || known->second.orgId != job.orgId) {
    writeRow(SqliteRows<JobRecord>::update(), job, "updateJob");
  } else if (const std::uint64_t columns = SqliteRows<JobRecord>::changedColumns(known->second, job); columns != 0) {
    writeRow(SqliteRows<JobRecord>::updateOf(columns), job, "updateJob", columns);
  }
  remember(job);
}

std::optional<JobRecord> SqliteTx::findJob(const std::string& orgId, const std::string& jobId) {
  return remembered(SqliteReaderImpl<StoreTx>::findJob(orgId, jobId));
}

std::optional<JobRecord> SqliteTx::findJobByIdempotencyKey(const std::string& orgId, const std::string& key) {
  return remembered(SqliteReaderImpl<StoreTx>::findJobByIdempotencyKey(orgId, key));
}

std::vector<JobRecord> SqliteTx::findClaimableJobs(const std::string& orgId, const std::string& queueName,
                                                   TimePoint now, int limit) {
  return remembered(fetchAll<JobRecord>(claimableJobsSql(), {orgId, queueName, toEpochMs(now), limit}));
}

std::vector<JobRecord> SqliteTx::findExpiredLeases(TimePoint now, int limit) {
  return remembered(fetchAll<JobRecord>(expiredLeasesSql(), {toEpochMs(now), limit}));
}

void SqliteTx::remember(const JobRecord& job) { jobsAsRead_.insert_or_assign(job.id, job); }

std::optional<JobRecord> SqliteTx::remembered(std::optional<JobRecord> job) {
  if (job) remember(*job);
  return job;
}

std::vector<JobRecord> SqliteTx::remembered(std::vector<JobRecord> jobs) {
  for (const JobRecord& job : jobs) remember(job);
  return jobs;
}

void SqliteTx::insertWorker(const WorkerRecord& worker) {
  writeRow(SqliteRows<WorkerRecord>::insert(), worker, "insertWorker");
}

void SqliteTx::updateWorker(const WorkerRecord& worker) {
  writeRow(SqliteRows<WorkerRecord>::update(), worker, "updateWorker");
}

std::vector<WorkerRecord> SqliteTx::findWorkersSilentSince(TimePoint cutoff, int limit) {
  return fetchAll<WorkerRecord>(silentWorkersSql(), {toEpochMs(cutoff), limit});
}

void SqliteTx::insertOrganization(const OrganizationRecord& org) {
  writeRow(SqliteRows<OrganizationRecord>::insert(), org, "insertOrganization");
}

void SqliteTx::updateOrganization(const OrganizationRecord& org) {
  writeRow(SqliteRows<OrganizationRecord>::update(), org, "updateOrganization");
}

void SqliteTx::insertApiKey(const ApiKeyRecord& key) { writeRow(SqliteRows<ApiKeyRecord>::insert(), key, "insertApiKey"); }

void SqliteTx::updateApiKey(const ApiKeyRecord& key) { writeRow(SqliteRows<ApiKeyRecord>::update(), key, "updateApiKey"); }

void SqliteTx::upsertQueue(const QueueRecord& queue) { writeRow(upsertQueueSql(), queue, "upsertQueue"); }

void SqliteTx::deleteQueue(const std::string& orgId, const std::string& queueName) {
  SqliteQuery query = conn_.prepare("DELETE FROM queues WHERE org_id = ?1 AND queue_name = ?2");
  bindParams(query, {orgId, queueName});
  query.run();
}

long long SqliteTx::deleteJobs(const std::string& orgId, std::optional<JobStatus> status,
                              const std::optional<std::string>& queueName) {
  forgetReads();
  std::string sql = "DELETE FROM jobs WHERE org_id = :org";
  if (status) sql += " AND status = :status";
  if (queueName) sql += " AND queue_name = :queue";
  SqliteQuery query = conn_.prepare(sql);
  query.bindTextByName(":org", orgId);
  if (status) query.bindTextByName(":status", toString(*status));
  if (queueName) query.bindTextByName(":queue", *queueName);
  query.run();
  return conn_.changes();
}

bool SqliteTx::deleteJob(const std::string& orgId, const std::string& jobId) {
  forgetReads();
  SqliteQuery query = conn_.prepare("DELETE FROM jobs WHERE org_id = ?1 AND id = ?2");
  bindParams(query, {orgId, jobId});
  query.run();
  return conn_.changes() > 0;
}

void SqliteTx::deleteOrganization(const std::string& orgId) {
  forgetReads();
  // api_keys cascade from organizations; the other tables partition by org_id without a foreign key.
  for (const char* sql : {"DELETE FROM jobs WHERE org_id = ?1", "DELETE FROM workers WHERE org_id = ?1",
                          "DELETE FROM queues WHERE org_id = ?1",
                          "DELETE FROM outgoing_webhook_deliveries WHERE org_id = ?1",
                          "DELETE FROM outgoing_webhooks WHERE org_id = ?1", "DELETE FROM workflows WHERE org_id = ?1",
                          "DELETE FROM organizations WHERE id = ?1"}) {
    SqliteQuery query = conn_.prepare(sql);
    bindParams(query, {orgId});
    query.run();
  }
}

void SqliteTx::insertRevokedToken(const std::string& tokenId, TimePoint expiresAt) {
  // Revocations outlive their token by nothing: drop the ones whose token has expired anyway.
  SqliteQuery prune = conn_.prepare("DELETE FROM revoked_tokens WHERE expires_at < ?1");
  bindParams(prune, {toEpochMs(nowMs())});
  prune.run();
  SqliteQuery query = conn_.prepare("INSERT OR REPLACE INTO revoked_tokens (token_id, expires_at) VALUES (?1, ?2)");
  bindParams(query, {tokenId, toEpochMs(expiresAt)});
  query.run();
}

}  // namespace spooled::server
