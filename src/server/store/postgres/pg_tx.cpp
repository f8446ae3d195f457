#include "server/store/postgres/pg_tx.hpp"

#include <stdexcept>

namespace spooled::server {

// The status list and the order must match the partial index idx_jobs_ready (migrations/
// pg_migrations.cpp), so the claim is an index walk that stops after `limit` unlocked rows.
const std::string& PgTx::claimableJobsSql() {
  static const std::string sql = PgRows<JobRecord>::select() +
                                 "WHERE org_id = $1 AND queue_name = $2 AND status IN ('pending', 'scheduled')"
                                 " AND dependencies_met AND (scheduled_at IS NULL OR scheduled_at <= $3)"
                                 " AND (expires_at IS NULL OR expires_at > $3)"
                                 " ORDER BY priority DESC, created_at ASC, seq ASC LIMIT $4"
                                 " FOR UPDATE SKIP LOCKED";
  return sql;
}

void PgTx::insertJob(const JobRecord& job) {
  if (!job.idempotencyKey) return writeRow(PgRows<JobRecord>::insert(), job, "insertJob");
  // Another transaction inserting the same key makes this one wait for its outcome; then nothing is
  // inserted and the transaction stays usable (a unique violation would abort it).
  static const std::string sql = PgRows<JobRecord>::insert() +
                                 " ON CONFLICT (org_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING";
  if (conn_.query(sql, PgRows<JobRecord>::bind(job)).affected() == 0)
    throw StoreDuplicateKey("idempotency key '" + *job.idempotencyKey + "' is taken");
}

std::vector<JobRecord> PgTx::findClaimableJobs(const std::string& orgId, const std::string& queueName, TimePoint now,
                                               int limit) {
  // A prepared statement: after five runs PostgreSQL may plan it once without the values, and that
  // plan cannot know that `limit` is small and the queue long. It still walks idx_jobs_ready because
  // the writers run with enable_sort = off (PgStore::writerSessionSql), and every other plan has to
  // sort; planning each claim anew cost about a third of the claim.
  return remembered(PgRows<JobRecord>::readAll(
      conn_.query(claimableJobsSql(), {orgId, queueName, pgTime(now), pgInt(limit)})));
}

std::vector<JobRecord> PgTx::findExpiredLeases(TimePoint now, int limit) {
  static const std::string sql = PgRows<JobRecord>::select() +
                                 "WHERE status = 'processing' AND lease_expires_at <= $1"
                                 " ORDER BY lease_expires_at, id LIMIT $2 FOR UPDATE SKIP LOCKED";
  return remembered(fetchAll<JobRecord>(sql, {pgTime(now), pgInt(limit)}));
}

void PgTx::insertWorker(const WorkerRecord& worker) {
  writeRow(PgRows<WorkerRecord>::insert(), worker, "insertWorker");
}

void PgTx::updateWorker(const WorkerRecord& worker) {
  writeRow(PgRows<WorkerRecord>::update(), worker, "updateWorker");
}

std::vector<WorkerRecord> PgTx::findWorkersSilentSince(TimePoint cutoff, int limit) {
  static const std::string sql = PgRows<WorkerRecord>::select() +
                                 "WHERE status <> 'offline' AND last_heartbeat < $1"
                                 " ORDER BY last_heartbeat, id LIMIT $2 FOR UPDATE SKIP LOCKED";
  return fetchAll<WorkerRecord>(sql, {pgTime(cutoff), pgInt(limit)});
}

void PgTx::insertOrganization(const OrganizationRecord& org) {
  writeRow(PgRows<OrganizationRecord>::insert(), org, "insertOrganization");
}

void PgTx::updateOrganization(const OrganizationRecord& org) {
  writeRow(PgRows<OrganizationRecord>::update(), org, "updateOrganization");
}

void PgTx::insertApiKey(const ApiKeyRecord& key) { writeRow(PgRows<ApiKeyRecord>::insert(), key, "insertApiKey"); }

void PgTx::updateApiKey(const ApiKeyRecord& key) { writeRow(PgRows<ApiKeyRecord>::update(), key, "updateApiKey"); }

void PgTx::upsertQueue(const QueueRecord& queue) { writeRow(pgUpsertQueueSql(), queue, "upsertQueue"); }

void PgTx::deleteQueue(const std::string& orgId, const std::string& queueName) {
  conn_.query("DELETE FROM queues WHERE org_id = $1 AND queue_name = $2", {orgId, queueName});
}

long long PgTx::deleteJobs(const std::string& orgId, std::optional<JobStatus> status,
                           const std::optional<std::string>& queueName) {
  jobsAsRead_.clear();  // rows read before are no longer the rows' state (as in SqliteTx)
  std::string sql = "DELETE FROM jobs WHERE org_id = $1";
  PgParams params{orgId};
  if (status) {
    params.push_back(std::string(toString(*status)));
    sql += " AND status = $" + std::to_string(params.size());
  }
  if (queueName) {
    params.push_back(*queueName);
    sql += " AND queue_name = $" + std::to_string(params.size());
  }
  return conn_.query(sql, params).affected();
}

bool PgTx::deleteJob(const std::string& orgId, const std::string& jobId) {
  jobsAsRead_.erase(jobId);
  return conn_.query("DELETE FROM jobs WHERE org_id = $1 AND id = $2", {orgId, jobId}).affected() > 0;
}

void PgTx::deleteOrganization(const std::string& orgId) {
  jobsAsRead_.clear();
  // api_keys cascade from organizations; the other tables partition by org_id without a foreign key.
  for (const char* sql : {"DELETE FROM jobs WHERE org_id = $1", "DELETE FROM workers WHERE org_id = $1",
                          "DELETE FROM queues WHERE org_id = $1",
                          "DELETE FROM outgoing_webhook_deliveries WHERE org_id = $1",
                          "DELETE FROM outgoing_webhooks WHERE org_id = $1", "DELETE FROM workflows WHERE org_id = $1",
                          "DELETE FROM organizations WHERE id = $1"})
    conn_.query(sql, {orgId});
}

void PgTx::insertRevokedToken(const std::string& tokenId, TimePoint expiresAt) {
  // Revocations outlive their token by nothing: drop the ones whose token has expired anyway.
  conn_.query("DELETE FROM revoked_tokens WHERE expires_at < $1", {pgTime(nowMs())});
  conn_.query(
      "INSERT INTO revoked_tokens (token_id, expires_at) VALUES ($1, $2)"
      " ON CONFLICT (token_id) DO UPDATE SET expires_at = excluded.expires_at",
      {tokenId, pgTime(expiresAt)});
}

}  // namespace spooled::server
