#include "server/api/worker_json.hpp"

namespace spooled::server {

json workerToJson(const WorkerRecord& w) {
  const std::string registered = formatIso8601(w.registeredAt);
  return json{
      {"id", w.id},
      {"organization_id", w.orgId},
      {"queue_name", w.queueName},
      {"queue_names", json::array({w.queueName})},
      {"hostname", w.hostname},
      {"worker_type", w.workerType ? json(*w.workerType) : json(nullptr)},
      {"max_concurrency", w.maxConcurrency},
      {"current_jobs", w.currentJobs},
      {"status", w.status},
      {"last_heartbeat", formatIso8601(w.lastHeartbeat)},
      {"metadata", w.metadata},
      {"version", w.version ? json(*w.version) : json(nullptr)},
      {"registered_at", registered},
      // The official backend's row serializes these names; SDKs written against it may read them.
      {"max_concurrent_jobs", w.maxConcurrency},
      {"current_job_count", w.currentJobs},
      {"created_at", registered},
      {"updated_at", formatIso8601(std::max(w.lastHeartbeat, w.registeredAt))},
  };
}

json workerSummaryToJson(const WorkerRecord& w) {
  return json{
      {"id", w.id},
      {"queue_name", w.queueName},
      {"hostname", w.hostname},
      {"status", w.status},
      {"current_jobs", w.currentJobs},
      {"max_concurrency", w.maxConcurrency},
      {"last_heartbeat", formatIso8601(w.lastHeartbeat)},
  };
}

}  // namespace spooled::server
