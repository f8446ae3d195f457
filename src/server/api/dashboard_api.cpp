// GET /api/v1/dashboard: one call that gives a dashboard everything about the caller's organization,
// shaped as the official backend's DashboardData (system, jobs, queues, workers, recent_activity).
// Every number is read in one store read, so they agree with each other.
#include <map>

#include "server/api/api_services.hpp"

namespace spooled::server {

namespace {

// The official backend's windows: "24h" counts, "1h" activity, and workers that heartbeated within
// the last minute. Unlike the backend, a worker that said goodbye (offline) is not counted: a worker
// stopped gracefully is gone, not unhealthy.
constexpr auto kDay = std::chrono::hours(24);
constexpr auto kHour = std::chrono::hours(1);
constexpr auto kLiveWorkerWindow = std::chrono::minutes(1);
// A dashboard shows a page of queues, not an unbounded list (the backend shows 20).
constexpr std::size_t kMaxQueues = 100;
constexpr int kMaxWorkers = 100000;

struct QueueCounts {
  long long pending = 0;
  long long processing = 0;
};

struct DashboardSnapshot {
  bool databaseUp = false;
  std::map<JobStatus, long long> byStatus;
  JobActivity day;
  JobActivity hour;
  std::vector<std::string> queueNames;
  std::map<std::string, QueueCounts> queueCounts;
  std::map<std::string, bool> pausedQueues;
  long long workersLive = 0;
  long long workersHealthy = 0;
};

json optionalNumber(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }

DashboardSnapshot readSnapshot(ApiServices& s, const std::string& orgId) {
  DashboardSnapshot snap;
  try {
    snap.databaseUp = s.store.ping();
  } catch (...) {
    snap.databaseUp = false;  // reported as "unhealthy"; the reads below will say the rest
  }
  const TimePoint now = s.jobs.now()();
  s.store.read([&](StoreReader& r) {
    snap.byStatus = r.countJobsByStatus(orgId, std::nullopt);
    snap.day = r.jobActivity(orgId, std::nullopt, now - kDay);
    snap.hour = r.jobActivity(orgId, std::nullopt, now - kHour);
    snap.queueNames = r.listQueueNames(orgId);
    for (const QueueStatusCount& row : r.countJobsByQueueAndStatus(orgId)) {
      if (row.status == JobStatus::Pending) snap.queueCounts[row.queueName].pending += row.count;
      if (row.status == JobStatus::Processing) snap.queueCounts[row.queueName].processing += row.count;
    }
    for (const QueueRecord& q : r.listQueues(orgId)) snap.pausedQueues[q.queueName] = q.paused || !q.enabled;
    WorkerQuery wq;
    wq.orgId = orgId;
    wq.limit = kMaxWorkers;
    for (const WorkerRecord& w : r.listWorkers(wq)) {
      if (w.status == "offline" || w.lastHeartbeat < now - kLiveWorkerWindow) continue;
      ++snap.workersLive;
      if (w.status == "healthy") ++snap.workersHealthy;
    }
  });
  return snap;
}

long long countOf(const std::map<JobStatus, long long>& byStatus, JobStatus status) {
  const auto it = byStatus.find(status);
  return it == byStatus.end() ? 0 : it->second;
}

json systemJson(const ApiServices& s, bool databaseUp) {
  const auto uptime = std::chrono::steady_clock::now() - s.startedClock;
  return json{
      {"version", SPOOLED_VERSION},
      {"uptime_seconds", std::chrono::duration_cast<std::chrono::seconds>(uptime).count()},
      {"started_at", formatIso8601(s.startedAt)},
      {"database_status", databaseUp ? "healthy" : "unhealthy"},
      {"cache_status", "healthy"},  // there is no cache; the backend reports an absent one as healthy
      {"environment", s.environment},
  };
}

json jobsJson(const DashboardSnapshot& snap) {
  long long total = 0;
  for (const auto& [status, n] : snap.byStatus) total += n;
  return json{
      {"total", total},
      {"pending", countOf(snap.byStatus, JobStatus::Pending)},
      {"processing", countOf(snap.byStatus, JobStatus::Processing)},
      {"completed_24h", snap.day.completedSince},
      {"failed_24h", snap.day.failedSince},
      {"deadletter", countOf(snap.byStatus, JobStatus::Deadletter)},
      {"avg_wait_time_ms", optionalNumber(snap.day.avgWaitMs)},
      {"avg_processing_time_ms", optionalNumber(snap.day.avgProcessingMs)},
  };
}

json queuesJson(const DashboardSnapshot& snap) {
  json out = json::array();
  for (const std::string& name : snap.queueNames) {
    if (out.size() == kMaxQueues) break;
    const auto counts = snap.queueCounts.find(name);
    const auto paused = snap.pausedQueues.find(name);
    out.push_back(json{
        {"name", name},
        {"pending", counts == snap.queueCounts.end() ? 0 : counts->second.pending},
        {"processing", counts == snap.queueCounts.end() ? 0 : counts->second.processing},
        {"paused", paused != snap.pausedQueues.end() && paused->second},
    });
  }
  return out;
}

HttpResponse dashboard(ApiServices& s, const HttpRequest& req) {
  const AuthContext& auth = req.authContext();
  const DashboardSnapshot snap = readSnapshot(s, auth.orgId);
  return HttpResponse::json(
      200, json{
               {"system", systemJson(s, snap.databaseUp)},
               {"jobs", jobsJson(snap)},
               {"queues", queuesJson(snap)},
               {"workers", json{{"total", snap.workersLive},
                                {"healthy", snap.workersHealthy},
                                {"unhealthy", snap.workersLive - snap.workersHealthy}}},
               {"recent_activity", json{{"jobs_created_1h", snap.hour.createdSince},
                                        {"jobs_completed_1h", snap.hour.completedSince},
                                        {"jobs_failed_1h", snap.hour.failedSince}}},
           });
}

}  // namespace

void addDashboardRoutes(Router& router, ApiServices& s) {
  router.add("GET", "/api/v1/dashboard", Access::ApiKey, withServices(s, dashboard));
}

}  // namespace spooled::server
