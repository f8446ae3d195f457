#pragma once
// StoreTx on a writer connection, inside a transaction the store opened. The queries that pick rows
// to change for the whole cluster (claims, expired leases, silent workers) lock what they return and
// skip rows another transaction holds (FOR UPDATE SKIP LOCKED): two servers never take the same job.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <unordered_map>

#include "server/store/postgres/pg_reader.hpp"

namespace spooled::server {

class PgTx final : public PgReaderImpl<StoreTx> {
 public:
  explicit PgTx(PgConnection& conn) : PgReaderImpl<StoreTx>(conn, true) {}

  void insertJob(const JobRecord& job) override;
  std::vector<JobRecord> findClaimableJobs(const std::string& orgId, const std::string& queueName, TimePoint now,
                                           int limit) override;
  std::vector<JobRecord> findExpiredLeases(TimePoint now, int limit) override;
  // Job rows as this request read them, and writes of what changed since (pg_job_writes.cpp): a
  // claim or a completion changes a handful of a job's 31 columns, and sending only those spares
  // the database re-reading (and re-storing) the payload. Sets of jobs go in one statement each.
  std::optional<JobRecord> findJob(const std::string& orgId, const std::string& jobId) override;
  std::optional<JobRecord> findJobByIdempotencyKey(const std::string& orgId, const std::string& key) override;
  std::vector<JobRecord> findJobs(const std::string& orgId, const std::vector<std::string>& ids) override;
  void updateJob(const JobRecord& job) override;
  void updateJobs(const std::vector<JobRecord>& jobs) override;
  void insertJobs(const std::vector<JobRecord>& jobs) override;

  void insertWorker(const WorkerRecord& worker) override;
  void updateWorker(const WorkerRecord& worker) override;
  std::vector<WorkerRecord> findWorkersSilentSince(TimePoint cutoff, int limit) override;

  void insertOrganization(const OrganizationRecord& org) override;
  void updateOrganization(const OrganizationRecord& org) override;
  void insertApiKey(const ApiKeyRecord& key) override;
  void updateApiKey(const ApiKeyRecord& key) override;

  void upsertQueue(const QueueRecord& queue) override;
  void deleteQueue(const std::string& orgId, const std::string& queueName) override;

  long long deleteJobs(const std::string& orgId, std::optional<JobStatus> status,
                       const std::optional<std::string>& queueName) override;
  bool deleteJob(const std::string& orgId, const std::string& jobId) override;
  void deleteOrganization(const std::string& orgId) override;
  void insertRevokedToken(const std::string& tokenId, TimePoint expiresAt) override;

  // Outgoing webhooks (pg_webhooks.cpp).
  void insertOutgoingWebhook(const OutgoingWebhookRecord& webhook) override;
  void updateOutgoingWebhook(const OutgoingWebhookRecord& webhook) override;
  bool deleteOutgoingWebhook(const std::string& orgId, const std::string& id) override;
  void recordWebhookOutcome(const std::string& webhookId, bool success, TimePoint at) override;
  void insertWebhookDelivery(const WebhookDeliveryRecord& delivery) override;
  void updateWebhookDelivery(const WebhookDeliveryRecord& delivery) override;
  std::vector<WebhookDeliveryRecord> findDueWebhookDeliveries(TimePoint now, int limit) override;
  long long deleteWebhookDeliveriesBefore(const std::string& webhookId, TimePoint cutoff, int limit) override;
  // Workflows and job dependencies (pg_workflows.cpp).
  void insertWorkflow(const WorkflowRecord& workflow) override;
  void updateWorkflow(const WorkflowRecord& workflow) override;
  void insertJobDependency(const JobDependencyRecord& edge) override;
  // Cluster limits (h-pgx; *_cluster_limits.cpp).
  int takeClaimTokens(const std::string& orgId, const std::string& queueName, int ratePerSecond, int wanted,
                      TimePoint now) override;
  void returnClaimTokens(const std::string& orgId, const std::string& queueName, int ratePerSecond,
                         int tokens) override;
  // Cron schedules: pg_schedules.cpp.
  void insertSchedule(const ScheduleRecord& schedule) override;
  void updateSchedule(const ScheduleRecord& schedule) override;
  bool updateScheduleIfNextRun(const ScheduleRecord& schedule, std::optional<TimePoint> expectedNextRun) override;
  bool deleteSchedule(const std::string& orgId, const std::string& scheduleId) override;
  std::vector<ScheduleRecord> findDueSchedules(TimePoint now, int limit) override;
  void insertScheduleRun(const ScheduleRunRecord& run) override;
  void pruneScheduleRuns(const std::string& scheduleId, int keep) override;

  // The SQL of the claim ($1 org, $2 queue, $3 now in ms, $4 limit), exposed so tests can EXPLAIN it.
  static const std::string& claimableJobsSql();

 private:
  // Runs a statement over every column of record; throws when no row changed (an update of a row
  // that does not exist in that organization), so a caller bug cannot pass silently.
  // (Defined here: the store's other files — webhooks, schedules — write their records with it too.)
  template <class Record>
  void writeRow(const std::string& sql, const Record& record, const char* what) {
    if (conn_.query(sql, PgRows<Record>::bind(record)).affected() == 0)
      throw std::runtime_error(std::string(what) + ": no row with id '" + record.id + "'");
  }
  // The columns of job that differ from the row as this request last read or wrote it; every column
  // but the keys when it has not seen the row.
  std::uint64_t changedSinceRead(const JobRecord& job) const;
  void remember(const JobRecord& job) { jobsAsRead_[job.id] = job; }
  std::optional<JobRecord> remembered(std::optional<JobRecord> job) {
    if (job) remember(*job);
    return job;
  }
  std::vector<JobRecord> remembered(std::vector<JobRecord> jobs) {
    for (const JobRecord& job : jobs) remember(job);
    return jobs;
  }

  std::unordered_map<std::string, JobRecord> jobsAsRead_;  // id -> the row as this request last saw it
};

}  // namespace spooled::server
