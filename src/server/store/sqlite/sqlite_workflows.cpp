// Workflows and job dependencies on SQLite: the StoreReader / StoreTx methods of that feature.
#include <cstdint>
#include <stdexcept>

#include "server/store/sqlite/sqlite_reader.hpp"
#include "server/store/sqlite/sqlite_tx.hpp"

namespace spooled::server {
namespace {

using Jobs = SqliteRows<JobRecord>;
using Workflows = SqliteRows<WorkflowRecord>;
using Edges = SqliteRows<JobDependencyRecord>;

}  // namespace

template <class I>
std::optional<WorkflowRecord> SqliteReaderImpl<I>::findWorkflow(const std::string& orgId, const std::string& workflowId) {
  return fetchOne<WorkflowRecord>(Workflows::select() + "WHERE org_id = ?1 AND id = ?2", {orgId, workflowId});
}

template <class I>
std::vector<WorkflowRecord> SqliteReaderImpl<I>::listWorkflows(const std::string& orgId,
                                                               const std::optional<std::string>& status, int limit,
                                                               int offset) {
  static const std::string all = Workflows::select() +
                                 "WHERE org_id = ?1 ORDER BY created_at DESC, rowid DESC LIMIT ?2 OFFSET ?3";
  static const std::string one = Workflows::select() +
                                 "WHERE org_id = ?1 AND status = ?4 ORDER BY created_at DESC, rowid DESC"
                                 " LIMIT ?2 OFFSET ?3";
  if (!status) return fetchAll<WorkflowRecord>(all, {orgId, std::int64_t{limit}, std::int64_t{offset}});
  return fetchAll<WorkflowRecord>(one, {orgId, std::int64_t{limit}, std::int64_t{offset}, *status});
}

template <class I>
std::vector<JobRecord> SqliteReaderImpl<I>::listWorkflowJobs(const std::string& orgId, const std::string& workflowId) {
  static const std::string sql =
      Jobs::select() + "WHERE workflow_id = ?2 AND org_id = ?1 ORDER BY created_at, rowid";
  return fetchAll<JobRecord>(sql, {orgId, workflowId});
}

template <class I>
std::vector<JobDependencyRecord> SqliteReaderImpl<I>::listDependencies(const std::string& orgId,
                                                                      const std::string& jobId) {
  return fetchAll<JobDependencyRecord>(Edges::select() + "WHERE job_id = ?2 AND org_id = ?1", {orgId, jobId});
}

template <class I>
std::vector<JobDependencyRecord> SqliteReaderImpl<I>::listDependents(const std::string& orgId,
                                                                    const std::string& jobId) {
  return fetchAll<JobDependencyRecord>(Edges::select() + "WHERE depends_on_job_id = ?2 AND org_id = ?1",
                                       {orgId, jobId});
}

#define SPOOLED_INSTANTIATE(I)                                                                                  \
  template std::optional<WorkflowRecord> SqliteReaderImpl<I>::findWorkflow(const std::string&, const std::string&); \
  template std::vector<WorkflowRecord> SqliteReaderImpl<I>::listWorkflows(                                      \
      const std::string&, const std::optional<std::string>&, int, int);                                         \
  template std::vector<JobRecord> SqliteReaderImpl<I>::listWorkflowJobs(const std::string&, const std::string&); \
  template std::vector<JobDependencyRecord> SqliteReaderImpl<I>::listDependencies(const std::string&,           \
                                                                                   const std::string&);         \
  template std::vector<JobDependencyRecord> SqliteReaderImpl<I>::listDependents(const std::string&,             \
                                                                                 const std::string&);
SPOOLED_INSTANTIATE(StoreReader)
SPOOLED_INSTANTIATE(StoreTx)
#undef SPOOLED_INSTANTIATE

void SqliteTx::insertWorkflow(const WorkflowRecord& workflow) {
  SqliteQuery query = conn_.prepare(Workflows::insert());
  Workflows::bind(query, workflow);
  query.run();
}

void SqliteTx::updateWorkflow(const WorkflowRecord& workflow) {
  SqliteQuery query = conn_.prepare(Workflows::update());
  Workflows::bind(query, workflow);
  query.run();
  if (conn_.changes() == 0) throw std::runtime_error("updateWorkflow: no row with id '" + workflow.id + "'");
}

void SqliteTx::insertJobDependency(const JobDependencyRecord& edge) {
  SqliteQuery query = conn_.prepare(Edges::insert());
  Edges::bind(query, edge);
  query.run();
}

}  // namespace spooled::server
