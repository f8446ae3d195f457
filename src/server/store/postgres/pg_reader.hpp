#pragma once
// StoreReader on one PostgreSQL connection. A template over its interface, so that the write
// transaction (StoreTx, itself a StoreReader) reuses every read method on the writer connection.
// Inside a write transaction the single-row lookups a transition reads and then rewrites (a job, a
// worker, a key, an organization) take the row lock (FOR UPDATE): two processes changing one job
// queue up instead of the later commit silently undoing the earlier one.
#include <string>

#include "server/store/postgres/pg_connection.hpp"
#include "server/store/postgres/pg_rows.hpp"
#include "server/store/store.hpp"

namespace spooled::server {

template <class Interface>
class PgReaderImpl : public Interface {
 public:
  // `lockRows`: append FOR UPDATE to the lookups of rows the caller is about to change.
  PgReaderImpl(PgConnection& conn, bool lockRows) : conn_(conn), lock_(lockRows ? " FOR UPDATE" : "") {}

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

  // Outgoing webhooks (pg_webhooks.cpp).
  std::vector<OutgoingWebhookRecord> listOutgoingWebhooks(const std::string& orgId) override;
  std::optional<OutgoingWebhookRecord> findOutgoingWebhook(const std::string& orgId, const std::string& id) override;
  std::vector<WebhookDeliveryRecord> listWebhookDeliveries(const std::string& orgId, const std::string& webhookId,
                                                           int limit) override;
  std::optional<WebhookDeliveryRecord> findWebhookDelivery(const std::string& orgId,
                                                           const std::string& deliveryId) override;
  // Workflows and job dependencies (pg_workflows.cpp).
  std::optional<WorkflowRecord> findWorkflow(const std::string& orgId, const std::string& workflowId) override;
  std::vector<WorkflowRecord> listWorkflows(const std::string& orgId, const std::optional<std::string>& status,
                                            int limit, int offset) override;
  std::vector<JobRecord> listWorkflowJobs(const std::string& orgId, const std::string& workflowId) override;
  std::vector<JobDependencyRecord> listDependencies(const std::string& orgId, const std::string& jobId) override;
  std::vector<JobDependencyRecord> listDependents(const std::string& orgId, const std::string& jobId) override;
  // Cron schedules: pg_schedules.cpp.
  std::optional<ScheduleRecord> findSchedule(const std::string& orgId, const std::string& scheduleId) override;
  std::vector<ScheduleRecord> listSchedules(const std::string& orgId, int limit) override;
  long long countSchedules(const std::string& orgId) override;
  std::vector<ScheduleRunRecord> listScheduleRuns(const std::string& orgId, const std::string& scheduleId,
                                                  int limit) override;
  std::optional<TimePoint> earliestScheduledRun() override;

 protected:
  template <class Record>
  std::vector<Record> fetchAll(const std::string& sql, const PgParams& params) {
    return PgRows<Record>::readAll(conn_.query(sql, params));
  }
  template <class Record>
  std::optional<Record> fetchOne(const std::string& sql, const PgParams& params) {
    return PgRows<Record>::readOne(conn_.query(sql, params));
  }
  long long count(const std::string& sql, const PgParams& params) {
    return std::stoll(conn_.queryText(sql, params).value_or("0"));
  }

  PgConnection& conn_;
  const std::string lock_;
};

extern template class PgReaderImpl<StoreReader>;
extern template class PgReaderImpl<StoreTx>;

using PgReader = PgReaderImpl<StoreReader>;

}  // namespace spooled::server
