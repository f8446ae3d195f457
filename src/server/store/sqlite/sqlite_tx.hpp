#pragma once
// StoreTx on the writer connection. The reads come from SqliteReaderImpl, so inside a transaction
// they see its own uncommitted writes. Transaction control (BEGIN/SAVEPOINT/COMMIT) is the store's.
#include <string>

#include "server/store/sqlite/sqlite_reader.hpp"

namespace spooled::server {

class SqliteTx final : public SqliteReaderImpl<StoreTx> {
 public:
  using SqliteReaderImpl<StoreTx>::SqliteReaderImpl;

  void insertJob(const JobRecord& job) override;
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

  // The SQL of the hot background queries, exposed so tests can EXPLAIN them: ?1 org, ?2 queue,
  // ?3 now (ms), ?4 limit / ?1 now or cutoff (ms), ?2 limit.
  static const std::string& claimableJobsSql();
  static const std::string& expiredLeasesSql();
  static const std::string& silentWorkersSql();

 private:
  // Binds every column of record to sql and runs it. Throws when no row changed (an update of a
  // row that does not exist in that organization), so a caller bug cannot pass silently.
  template <class Record>
  void writeRow(const std::string& sql, const Record& record, const char* what);
};

}  // namespace spooled::server
