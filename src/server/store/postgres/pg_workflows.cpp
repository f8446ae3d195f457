// Workflows and job dependencies on PostgreSQL: the StoreReader / StoreTx methods of that feature.
#include <stdexcept>

#include "server/store/postgres/pg_reader.hpp"
#include "server/store/postgres/pg_tx.hpp"

namespace spooled::server {
namespace {

using Jobs = PgRows<JobRecord>;
using Workflows = PgRows<WorkflowRecord>;
using Edges = PgRows<JobDependencyRecord>;

}  // namespace

template <class I>
std::optional<WorkflowRecord> PgReaderImpl<I>::findWorkflow(const std::string& orgId, const std::string& workflowId) {
  return fetchOne<WorkflowRecord>(Workflows::select() + "WHERE org_id = $1 AND id = $2" + lock_, {orgId, workflowId});
}

template <class I>
std::vector<WorkflowRecord> PgReaderImpl<I>::listWorkflows(const std::string& orgId,
                                                           const std::optional<std::string>& status, int limit,
                                                           int offset) {
  if (!status)
    return fetchAll<WorkflowRecord>(
        Workflows::select() + "WHERE org_id = $1 ORDER BY created_at DESC, seq DESC LIMIT $2 OFFSET $3",
        {orgId, pgInt(limit), pgInt(offset)});
  return fetchAll<WorkflowRecord>(Workflows::select() +
                                      "WHERE org_id = $1 AND status = $4 ORDER BY created_at DESC, seq DESC"
                                      " LIMIT $2 OFFSET $3",
                                  {orgId, pgInt(limit), pgInt(offset), *status});
}

template <class I>
std::vector<JobRecord> PgReaderImpl<I>::listWorkflowJobs(const std::string& orgId, const std::string& workflowId) {
  return fetchAll<JobRecord>(
      Jobs::select() + "WHERE workflow_id = $2 AND org_id = $1 ORDER BY created_at, seq" + lock_, {orgId, workflowId});
}

template <class I>
std::vector<JobDependencyRecord> PgReaderImpl<I>::listDependencies(const std::string& orgId, const std::string& jobId) {
  return fetchAll<JobDependencyRecord>(Edges::select() + "WHERE job_id = $2 AND org_id = $1", {orgId, jobId});
}

template <class I>
std::vector<JobDependencyRecord> PgReaderImpl<I>::listDependents(const std::string& orgId, const std::string& jobId) {
  return fetchAll<JobDependencyRecord>(Edges::select() + "WHERE depends_on_job_id = $2 AND org_id = $1",
                                       {orgId, jobId});
}

#define SPOOLED_INSTANTIATE(I)                                                                                    \
  template std::optional<WorkflowRecord> PgReaderImpl<I>::findWorkflow(const std::string&, const std::string&);   \
  template std::vector<WorkflowRecord> PgReaderImpl<I>::listWorkflows(const std::string&,                         \
                                                                      const std::optional<std::string>&, int, int); \
  template std::vector<JobRecord> PgReaderImpl<I>::listWorkflowJobs(const std::string&, const std::string&);      \
  template std::vector<JobDependencyRecord> PgReaderImpl<I>::listDependencies(const std::string&,                 \
                                                                               const std::string&);               \
  template std::vector<JobDependencyRecord> PgReaderImpl<I>::listDependents(const std::string&, const std::string&);
SPOOLED_INSTANTIATE(StoreReader)
SPOOLED_INSTANTIATE(StoreTx)
#undef SPOOLED_INSTANTIATE

void PgTx::insertWorkflow(const WorkflowRecord& workflow) {
  conn_.query(Workflows::insert(), Workflows::bind(workflow));
}

void PgTx::updateWorkflow(const WorkflowRecord& workflow) {
  if (conn_.query(Workflows::update(), Workflows::bind(workflow)).affected() == 0)
    throw std::runtime_error("updateWorkflow: no row with id '" + workflow.id + "'");
}

void PgTx::insertJobDependency(const JobDependencyRecord& edge) { conn_.query(Edges::insert(), Edges::bind(edge)); }

}  // namespace spooled::server
