#include "server/core/webhook_events.hpp"

#include <algorithm>

namespace spooled::server {

const std::vector<std::string>& validWebhookEvents() {
  static const std::vector<std::string> events = {
      "job.created",   "job.started",       "job.completed",       "job.failed",        "job.cancelled",
      "queue.paused",  "queue.resumed",     "worker.registered",   "worker.deregistered", "schedule.triggered"};
  return events;
}

bool isValidWebhookEvent(std::string_view name) {
  const auto& events = validWebhookEvents();
  return std::find(events.begin(), events.end(), name) != events.end();
}

const char* webhookEventName(const JobEvent& e) {
  switch (e.kind) {
    case JobEvent::Kind::Created: return "job.created";
    case JobEvent::Kind::Claimed: return "job.started";
    case JobEvent::Kind::Completed: return "job.completed";
    case JobEvent::Kind::Failed:
    case JobEvent::Kind::DeadLettered: return "job.failed";
    case JobEvent::Kind::Cancelled: return "job.cancelled";
    default: return nullptr;
  }
}

const char* webhookEventName(const QueueEvent& e) {
  return e.kind == QueueEvent::Kind::Paused ? "queue.paused" : "queue.resumed";
}

const char* webhookEventName(const WorkerEvent& e) {
  if (e.kind == WorkerEvent::Kind::Registered) return "worker.registered";
  if (e.kind == WorkerEvent::Kind::Offline) return "worker.deregistered";
  return nullptr;
}

std::optional<WebhookEvent> webhookEventFor(const JobEvent& e) {
  const char* name = webhookEventName(e);
  if (name == nullptr) return std::nullopt;
  json data = {{"job_id", e.jobId}, {"queue_name", e.queueName}, {"status", e.newStatus},
               {"priority", e.priority}, {"retry_count", e.retryCount}};
  if (!e.oldStatus.empty()) data["previous_status"] = e.oldStatus;
  if (!e.workerId.empty()) data["worker_id"] = e.workerId;
  if (e.processingTime) data["duration_ms"] = e.processingTime->count();
  if (e.kind == JobEvent::Kind::Completed) data["result"] = e.result.value_or(json(nullptr));
  if (e.kind == JobEvent::Kind::Failed || e.kind == JobEvent::Kind::DeadLettered) {
    data["error"] = e.error;
    data["will_retry"] = e.kind == JobEvent::Kind::Failed;
  }
  return WebhookEvent{name, std::move(data)};
}

std::optional<WebhookEvent> webhookEventFor(const QueueEvent& e) {
  json data = {{"queue_name", e.queueName}};
  if (e.kind == QueueEvent::Kind::Paused) data["reason"] = e.reason ? json(*e.reason) : json(nullptr);
  return WebhookEvent{webhookEventName(e), std::move(data)};
}

std::optional<WebhookEvent> webhookEventFor(const WorkerEvent& e) {
  const char* name = webhookEventName(e);
  if (name == nullptr) return std::nullopt;
  return WebhookEvent{name, json{{"worker_id", e.workerId}, {"queue_name", e.queueName}, {"hostname", e.hostname}}};
}

json webhookPayload(const std::string& orgId, const WebhookEvent& event, TimePoint at) {
  return json{{"event", event.name}, {"timestamp", formatIso8601(at)}, {"organization_id", orgId}, {"data", event.data}};
}

}  // namespace spooled::server
