#include "server/core/live_event.hpp"

namespace spooled::server {

namespace {

// A large completion result is left out: events stay small enough for any relay (PostgreSQL NOTIFY
// carries at most 8000 bytes) and for ten thousand subscribers' buffers.
constexpr std::size_t kMaxResultBytes = 4096;

LiveEvent make(const std::string& orgId, const std::string& queueName, const std::string& jobId, std::string type,
               std::string name, json data, TimePoint at) {
  const std::string stamp = formatIso8601(at);
  data["timestamp"] = stamp;
  LiveEvent event;
  event.orgId = orgId;
  event.queueName = queueName;
  event.jobId = jobId;
  event.json = json{{"type", type}, {"data", std::move(data)}, {"timestamp", stamp}}.dump();
  event.type = std::move(type);
  event.name = std::move(name);
  return event;
}

LiveEvent statusChange(const JobEvent& e, TimePoint at) {
  LiveEvent event = make(e.orgId, e.queueName, e.jobId, "JobStatusChange", "job.status_changed",
                         json{{"job_id", e.jobId}, {"queue_name", e.queueName}, {"old_status", e.oldStatus},
                              {"new_status", e.newStatus}},
                         at);
  event.endsJob = isFinalStatusName(e.newStatus);
  return event;
}

json jobData(const JobEvent& e) { return json{{"job_id", e.jobId}, {"queue_name", e.queueName}}; }

}  // namespace

bool isFinalStatusName(const std::string& status) {
  return status == "completed" || status == "failed" || status == "deadletter" || status == "cancelled";
}

std::vector<LiveEvent> liveEventsFor(const JobEvent& e, TimePoint at) {
  std::vector<LiveEvent> out;
  json data = jobData(e);
  switch (e.kind) {
    case JobEvent::Kind::Created:
      data["priority"] = e.priority;
      data["status"] = e.newStatus;
      out.push_back(make(e.orgId, e.queueName, e.jobId, "JobCreated", "job.created", std::move(data), at));
      return out;  // a new job has no status to change from
    case JobEvent::Kind::Claimed:
      data["worker_id"] = e.workerId;
      out.push_back(make(e.orgId, e.queueName, e.jobId, "job.started", "job.started", std::move(data), at));
      break;
    case JobEvent::Kind::Progress:
      data["progress"] = e.progress.value_or(0);
      if (e.message) data["message"] = *e.message;
      out.push_back(make(e.orgId, e.queueName, e.jobId, "job.progress", "job.progress", std::move(data), at));
      return out;
    case JobEvent::Kind::Completed:
      data["duration_ms"] = e.processingTime ? e.processingTime->count() : 0;
      if (e.result && e.result->dump().size() <= kMaxResultBytes) data["result"] = *e.result;
      out.push_back(make(e.orgId, e.queueName, e.jobId, "JobCompleted", "job.completed", std::move(data), at));
      break;
    case JobEvent::Kind::Failed:
    case JobEvent::Kind::DeadLettered:
      data["error"] = e.error;
      data["retry_count"] = e.retryCount;
      data["will_retry"] = e.kind == JobEvent::Kind::Failed;
      out.push_back(make(e.orgId, e.queueName, e.jobId, "JobFailed", "job.failed", std::move(data), at));
      break;
    case JobEvent::Kind::Cancelled:
      out.push_back(make(e.orgId, e.queueName, e.jobId, "job.cancelled", "job.cancelled", std::move(data), at));
      break;
    case JobEvent::Kind::Retried:
      data["retry_count"] = e.retryCount;
      out.push_back(make(e.orgId, e.queueName, e.jobId, "job.retried", "job.retried", std::move(data), at));
      break;
  }
  if (e.oldStatus != e.newStatus) {
    out.push_back(statusChange(e, at));
  } else {
    out.back().endsJob = isFinalStatusName(e.newStatus);
  }
  return out;
}

std::vector<LiveEvent> liveEventsFor(const QueueEvent& e, TimePoint at) {
  json data{{"queue_name", e.queueName}};
  if (e.kind == QueueEvent::Kind::Paused) {
    if (e.reason) data["reason"] = *e.reason;
    return {make(e.orgId, e.queueName, "", "queue.paused", "queue.paused", std::move(data), at)};
  }
  return {make(e.orgId, e.queueName, "", "queue.resumed", "queue.resumed", std::move(data), at)};
}

std::vector<LiveEvent> liveEventsFor(const WorkerEvent& e, TimePoint at) {
  json data{{"worker_id", e.workerId}, {"queue_name", e.queueName}};
  switch (e.kind) {
    case WorkerEvent::Kind::Registered:
      data["hostname"] = e.hostname;
      return {make(e.orgId, e.queueName, "", "WorkerRegistered", "worker.registered", std::move(data), at)};
    case WorkerEvent::Kind::Heartbeat:
      data["status"] = e.status;
      data["current_job_id"] = nullptr;
      data["current_jobs"] = e.currentJobs;
      return {make(e.orgId, e.queueName, "", "WorkerHeartbeat", "worker.heartbeat", std::move(data), at)};
    case WorkerEvent::Kind::Offline:
      break;
  }
  return {make(e.orgId, e.queueName, "", "WorkerDeregistered", "worker.deregistered", std::move(data), at)};
}

LiveEvent jobStatusSnapshot(const std::string& orgId, const std::string& jobId, const std::string& queueName,
                            const std::string& status, TimePoint at) {
  JobEvent e{JobEvent::Kind::Created, orgId, queueName, jobId, std::nullopt};
  e.newStatus = status;
  return statusChange(e, at);
}

LiveEvent queueStatsEvent(const std::string& orgId, const std::string& queueName, long long pending,
                          long long processing, long long completed, long long failed, TimePoint at) {
  return make(orgId, queueName, "", "QueueStats", "queue.stats",
              json{{"queue_name", queueName}, {"pending", pending}, {"processing", processing},
                   {"completed", completed}, {"failed", failed}},
              at);
}

std::string pingMessage(TimePoint at) {
  const std::string stamp = formatIso8601(at);
  return json{{"type", "Ping"}, {"data", {{"timestamp", stamp}}}, {"timestamp", stamp}}.dump();
}

std::string errorMessage(const std::string& message, TimePoint at) {
  const std::string stamp = formatIso8601(at);
  return json{{"type", "Error"}, {"data", {{"message", message}, {"timestamp", stamp}}}, {"timestamp", stamp}}.dump();
}

}  // namespace spooled::server
