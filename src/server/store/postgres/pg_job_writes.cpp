// PgTx: job rows as the request read them, and writes of only what changed since, one statement for
// a set of jobs (see pg_tx.hpp).
#include <map>
#include <stdexcept>

#include "server/store/postgres/pg_tx.hpp"
#include "server/store/record_columns.hpp"

namespace spooled::server {

namespace {

// Every column of a job row but its keys (id, org_id).
constexpr std::uint64_t kAllButKeys = ~std::uint64_t{0} << 2;

}  // namespace

std::optional<JobRecord> PgTx::findJob(const std::string& orgId, const std::string& jobId) {
  return remembered(PgReaderImpl<StoreTx>::findJob(orgId, jobId));
}

std::optional<JobRecord> PgTx::findJobByIdempotencyKey(const std::string& orgId, const std::string& key) {
  return remembered(PgReaderImpl<StoreTx>::findJobByIdempotencyKey(orgId, key));
}

std::vector<JobRecord> PgTx::findJobs(const std::string& orgId, const std::vector<std::string>& ids) {
  if (ids.empty()) return {};
  // Locked in id order, as every other set of jobs a request locks at once, so two such requests
  // cannot each hold a row the other waits for.
  static const std::string sql =
      PgRows<JobRecord>::select() + "WHERE org_id = $1 AND id = ANY($2::text[]) ORDER BY id FOR UPDATE";
  std::string array = "{";
  for (const std::string& id : ids) {
    if (array.size() > 1) array += ',';
    array += '"';
    for (char c : id) {  // ids come from requests: escaped like any array element
      if (c == '"' || c == '\\') array += '\\';
      array += c;
    }
    array += '"';
  }
  array += '}';
  return remembered(PgRows<JobRecord>::readAll(conn_.query(sql, {orgId, array})));
}

std::uint64_t PgTx::changedSinceRead(const JobRecord& job) const {
  const auto known = jobsAsRead_.find(job.id);
  if (known == jobsAsRead_.end() || known->second.orgId != job.orgId) return kAllButKeys;
  return columns::changedColumns(known->second, job) & kAllButKeys;
}

void PgTx::updateJob(const JobRecord& job) {
  const std::uint64_t changed = changedSinceRead(job);
  if (changed != 0 && conn_.query(PgRows<JobRecord>::updateOf(changed), PgRows<JobRecord>::bindOf(job, changed))
                              .affected() == 0)
    throw std::runtime_error("updateJob: no row with id '" + job.id + "'");
  remember(job);
}

void PgTx::updateJobs(const std::vector<JobRecord>& jobs) {
  // Jobs that changed the same columns (all of a claim's, all of a batch's completions) share a statement.
  std::map<std::uint64_t, std::vector<JobRecord>> byColumns;
  for (const JobRecord& job : jobs) {
    const std::uint64_t changed = changedSinceRead(job);
    if (changed != 0) byColumns[changed].push_back(job);
  }
  for (const auto& [changed, group] : byColumns) {
    if (group.size() == 1) {
      updateJob(group.front());
      continue;
    }
    const long long affected =
        conn_.query(PgRows<JobRecord>::updateManyOf(changed), PgRows<JobRecord>::bindManyOf(group, changed)).affected();
    if (affected != static_cast<long long>(group.size()))
      throw std::runtime_error("updateJobs: " + std::to_string(group.size() - affected) + " of " +
                               std::to_string(group.size()) + " jobs have no row");
  }
  for (const JobRecord& job : jobs) remember(job);
}

void PgTx::insertJobs(const std::vector<JobRecord>& jobs) {
  if (jobs.size() < 2) {
    for (const JobRecord& job : jobs) insertJob(job);
    return;
  }
  const long long affected =
      conn_.query(PgRows<JobRecord>::insertMany(), PgRows<JobRecord>::bindManyOf(jobs, ~std::uint64_t{0})).affected();
  if (affected != static_cast<long long>(jobs.size()))
    throw std::runtime_error("insertJobs: " + std::to_string(affected) + " of " + std::to_string(jobs.size()) +
                             " jobs inserted");
}

}  // namespace spooled::server
