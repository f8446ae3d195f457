#pragma once
// StoreReader on one SQLite connection. It is a template over its interface so that the write
// transaction (StoreTx, itself a StoreReader) reuses every read method on the writer connection
// instead of restating them.
#include <initializer_list>
#include <string>

#include "server/store/sqlite/sqlite_connection.hpp"
#include "server/store/sqlite/sqlite_rows.hpp"
#include "server/store/store.hpp"

namespace spooled::server {

template <class Interface>
class SqliteReaderImpl : public Interface {
 public:
  explicit SqliteReaderImpl(SqliteConnection& conn) : conn_(conn) {}

  std::optional<JobRecord> findJob(const std::string& orgId, const std::string& jobId) override;
  std::optional<JobRecord> findJobByIdempotencyKey(const std::string& orgId, const std::string& key) override;
  std::vector<JobRecord> listJobs(const JobQuery& query) override;
  std::map<JobStatus, long long> countJobsByStatus(const std::string& orgId,
                                                   const std::optional<std::string>& queueName) override;

  std::optional<WorkerRecord> findWorker(const std::string& orgId, const std::string& workerId) override;
  std::vector<WorkerRecord> listWorkers(const WorkerQuery& query) override;

  std::optional<OrganizationRecord> findOrganization(const std::string& orgId) override;
  std::optional<OrganizationRecord> findOrganizationBySlug(const std::string& slug) override;
  std::vector<OrganizationRecord> listOrganizations() override;

  std::optional<ApiKeyRecord> findApiKeyByHash(const std::string& keyHash) override;
  std::optional<ApiKeyRecord> findApiKey(const std::string& orgId, const std::string& keyId) override;
  std::vector<ApiKeyRecord> listApiKeys(const std::string& orgId) override;

  std::optional<QueueRecord> findQueue(const std::string& orgId, const std::string& queueName) override;
  std::vector<QueueRecord> listQueues(const std::string& orgId) override;
  std::vector<std::string> listQueueNames(const std::string& orgId) override;

  JobActivity jobActivity(const std::string& orgId, const std::optional<std::string>& queueName,
                          TimePoint since) override;
  std::vector<QueueStatusCount> countJobsByQueueAndStatus(const std::optional<std::string>& orgId) override;
  bool isTokenRevoked(const std::string& tokenId) override;

  bool queueExists(const std::string& orgId, const std::string& queueName) override;
  long long countQueues(const std::string& orgId, long long upTo) override;
  long long countLiveWorkers(const std::string& orgId) override;
  long long countActiveApiKeys(const std::string& orgId) override;
  std::map<std::string, long long> countWorkersByStatus() override;

  // Outgoing webhooks (sqlite_webhooks.cpp).
  std::vector<OutgoingWebhookRecord> listOutgoingWebhooks(const std::string& orgId) override;
  std::optional<OutgoingWebhookRecord> findOutgoingWebhook(const std::string& orgId, const std::string& id) override;
  std::vector<WebhookDeliveryRecord> listWebhookDeliveries(const std::string& orgId, const std::string& webhookId,
                                                           int limit) override;
  std::optional<WebhookDeliveryRecord> findWebhookDelivery(const std::string& orgId,
                                                           const std::string& deliveryId) override;
  // Workflows and job dependencies (sqlite_workflows.cpp).
  std::optional<WorkflowRecord> findWorkflow(const std::string& orgId, const std::string& workflowId) override;
  std::vector<WorkflowRecord> listWorkflows(const std::string& orgId, const std::optional<std::string>& status,
                                            int limit, int offset) override;
  std::vector<JobRecord> listWorkflowJobs(const std::string& orgId, const std::string& workflowId) override;
  std::vector<JobDependencyRecord> listDependencies(const std::string& orgId, const std::string& jobId) override;
  std::vector<JobDependencyRecord> listDependents(const std::string& orgId, const std::string& jobId) override;
  // Cron schedules: sqlite_schedules.cpp.
  std::optional<ScheduleRecord> findSchedule(const std::string& orgId, const std::string& scheduleId) override;
  std::vector<ScheduleRecord> listSchedules(const std::string& orgId, int limit) override;
  long long countSchedules(const std::string& orgId) override;
  std::vector<ScheduleRunRecord> listScheduleRuns(const std::string& orgId, const std::string& scheduleId,
                                                  int limit) override;
  std::optional<TimePoint> earliestScheduledRun() override;

  // The SQL of the limit counts, exposed so tests can EXPLAIN them: ?1 org (?2 queue name or upTo).
  static const std::string& queueExistsSql();
  static const std::string& countQueuesSql();
  static const std::string& countLiveWorkersSql();
  static const std::string& countActiveApiKeysSql();

 protected:
  template <class Record>
  std::vector<Record> fetchAll(const std::string& sql, std::initializer_list<SqlParam> params) {
    SqliteQuery query = conn_.prepare(sql);
    bindParams(query, params);
    return SqliteRows<Record>::readAll(query);
  }

  template <class Record>
  std::optional<Record> fetchOne(const std::string& sql, std::initializer_list<SqlParam> params) {
    SqliteQuery query = conn_.prepare(sql);
    bindParams(query, params);
    return SqliteRows<Record>::readOne(query);
  }

  SqliteConnection& conn_;
};

extern template class SqliteReaderImpl<StoreReader>;
extern template class SqliteReaderImpl<StoreTx>;

using SqliteReader = SqliteReaderImpl<StoreReader>;

// The SQL of listJobs for this query. Only whitelisted column names are spliced in; every value is
// a named parameter. Throws std::invalid_argument for an orderBy outside the whitelist.
std::string listJobsSql(const JobQuery& query);

}  // namespace spooled::server
