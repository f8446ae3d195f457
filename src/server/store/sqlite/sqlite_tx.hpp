#pragma once
// StoreTx on the writer connection. The reads come from SqliteReaderImpl, so inside a transaction
// they see its own uncommitted writes. Transaction control (BEGIN/SAVEPOINT/COMMIT) is the store's.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <unordered_map>

#include "server/store/sqlite/sqlite_reader.hpp"

namespace spooled::server {

class SqliteTx final : public SqliteReaderImpl<StoreTx> {
 public:
  using SqliteReaderImpl<StoreTx>::SqliteReaderImpl;

  // Forgets the rows remembered so far. The store calls it as each request's savepoint begins, so
  // what a rolled-back request read or wrote can never be taken for the row's state.
  void forgetReads() { jobsAsRead_.clear(); }

  std::optional<JobRecord> findJob(const std::string& orgId, const std::string& jobId) override;
  std::optional<JobRecord> findJobByIdempotencyKey(const std::string& orgId, const std::string& key) override;
  void insertJob(const JobRecord& job) override;
  // Writes only the columns that differ from the row as this request read it (every column when it
  // did not read it here): SQLite rewrites the entries of each index a SET names, changed or not, and
  // a job row has seven indexes while a claim or a completion changes columns of two or three.
  void updateJob(const JobRecord& job) override;
  std::vector<JobRecord> findClaimableJobs(const std::string& orgId, const std::string& queueName, TimePoint now,
                                           int limit) override;
  std::vector<JobRecord> findExpiredLeases(TimePoint now, int limit) override;

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

  // Outgoing webhooks (sqlite_webhooks.cpp).
  void insertOutgoingWebhook(const OutgoingWebhookRecord& webhook) override;
  void updateOutgoingWebhook(const OutgoingWebhookRecord& webhook) override;
  bool deleteOutgoingWebhook(const std::string& orgId, const std::string& id) override;
  void recordWebhookOutcome(const std::string& webhookId, bool success, TimePoint at) override;
  void insertWebhookDelivery(const WebhookDeliveryRecord& delivery) override;
  void updateWebhookDelivery(const WebhookDeliveryRecord& delivery) override;
  std::vector<WebhookDeliveryRecord> findDueWebhookDeliveries(TimePoint now, int limit) override;
  long long deleteWebhookDeliveriesBefore(const std::string& webhookId, TimePoint cutoff, int limit) override;
  // Workflows and job dependencies (sqlite_workflows.cpp).
  void insertWorkflow(const WorkflowRecord& workflow) override;
  void updateWorkflow(const WorkflowRecord& workflow) override;
  void insertJobDependency(const JobDependencyRecord& edge) override;
  // Cluster limits (h-pgx; *_cluster_limits.cpp).
  int takeClaimTokens(const std::string& orgId, const std::string& queueName, int ratePerSecond, int wanted,
                      TimePoint now) override;
  void returnClaimTokens(const std::string& orgId, const std::string& queueName, int ratePerSecond,
                         int tokens) override;
  // Cron schedules: sqlite_schedules.cpp.
  void insertSchedule(const ScheduleRecord& schedule) override;
  void updateSchedule(const ScheduleRecord& schedule) override;
  bool updateScheduleIfNextRun(const ScheduleRecord& schedule, std::optional<TimePoint> expectedNextRun) override;
  bool deleteSchedule(const std::string& orgId, const std::string& scheduleId) override;
  std::vector<ScheduleRecord> findDueSchedules(TimePoint now, int limit) override;
  void insertScheduleRun(const ScheduleRunRecord& run) override;
  void pruneScheduleRuns(const std::string& scheduleId, int keep) override;

  // The SQL of the hot background queries, exposed so tests can EXPLAIN them: ?1 org, ?2 queue,
  // ?3 now (ms), ?4 limit / ?1 now or cutoff (ms), ?2 limit.
  static const std::string& claimableJobsSql();
  static const std::string& expiredLeasesSql();
  static const std::string& silentWorkersSql();

 private:
  // Binds every column of record to sql and runs it. Throws when no row changed (an update of a
  // row that does not exist in that organization), so a caller bug cannot pass silently.
  // (Defined here: the store's other files — webhooks, schedules — write their records with it too.)
  template <class Record>
  void writeRow(const std::string& sql, const Record& record, const char* what,
                std::uint64_t columns = ~std::uint64_t{0}) {
    SqliteQuery query = conn_.prepare(sql);
    SqliteRows<Record>::bind(query, record, columns);
    query.run();
    if (conn_.changes() == 0) throw std::runtime_error(std::string(what) + ": no row with id '" + record.id + "'");
  }
  void remember(const JobRecord& job);
  std::optional<JobRecord> remembered(std::optional<JobRecord> job);
  std::vector<JobRecord> remembered(std::vector<JobRecord> jobs);

  std::unordered_map<std::string, JobRecord> jobsAsRead_;  // id -> the row as this request last read or wrote it
};

}  // namespace spooled::server
