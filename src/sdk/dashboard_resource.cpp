// DashboardResource and DashboardData::fromJson (include/spooled/dashboard.hpp).
#include "sdk/api_caller.hpp"
#include "sdk/json_fields.hpp"
#include "spooled/dashboard.hpp"

namespace spooled {
namespace {

using detail::readField;
using detail::requireObject;

// A missing section leaves its defaults: a dashboard with fewer numbers beats no dashboard.
const json& section(const json& o, const char* key) { return detail::childObject(o, key); }

}  // namespace

DashboardData DashboardData::fromJson(const json& body) {
  const json& o = requireObject(body, "dashboard");
  DashboardData d;

  const json& system = section(o, "system");
  readField(system, "version", d.system.version);
  readField(system, "uptime_seconds", d.system.uptimeSeconds);
  readField(system, "started_at", d.system.startedAt);
  readField(system, "database_status", d.system.databaseStatus);
  readField(system, "cache_status", d.system.cacheStatus);
  readField(system, "environment", d.system.environment);

  const json& jobs = section(o, "jobs");
  readField(jobs, "total", d.jobs.total);
  readField(jobs, "pending", d.jobs.pending);
  readField(jobs, "processing", d.jobs.processing);
  readField(jobs, "completed_24h", d.jobs.completed24h);
  readField(jobs, "failed_24h", d.jobs.failed24h);
  readField(jobs, "deadletter", d.jobs.deadletter);
  readField(jobs, "avg_wait_time_ms", d.jobs.avgWaitTimeMs);
  readField(jobs, "avg_processing_time_ms", d.jobs.avgProcessingTimeMs);

  d.queues = detail::readArrayField<DashboardQueue>(o, "queues", [](const json& row) {
    const json& q = requireObject(row, "dashboard queue");
    DashboardQueue queue;
    readField(q, "name", queue.name);
    readField(q, "pending", queue.pending);
    readField(q, "processing", queue.processing);
    readField(q, "paused", queue.paused);
    return queue;
  });

  const json& workers = section(o, "workers");
  readField(workers, "total", d.workers.total);
  readField(workers, "healthy", d.workers.healthy);
  readField(workers, "unhealthy", d.workers.unhealthy);

  const json& recent = section(o, "recent_activity");
  readField(recent, "jobs_created_1h", d.recentActivity.jobsCreated1h);
  readField(recent, "jobs_completed_1h", d.recentActivity.jobsCompleted1h);
  readField(recent, "jobs_failed_1h", d.recentActivity.jobsFailed1h);
  return d;
}

DashboardData DashboardResource::get() {
  return DashboardData::fromJson(api_.call(detail::ApiCall::get("/api/v1/dashboard")));
}

}  // namespace spooled
