#pragma once
// Which committed changes outgoing webhooks hear, under the official event names, and the JSON body
// each delivery carries: {"event", "timestamp", "organization_id", "data": {...}}.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/time.hpp"
#include "server/core/job_events.hpp"
#include "spooled/json.hpp"

namespace spooled::server {

// The official list (backend VALID_WEBHOOK_EVENTS). schedule.triggered is accepted in filters; this
// server has no schedules to trigger it yet.
const std::vector<std::string>& validWebhookEvents();
bool isValidWebhookEvent(std::string_view name);

struct WebhookEvent {
  std::string name;  // "job.completed"
  json data;
};

// The event name a change is heard as, or nullptr for changes no webhook hears. Cheap: the outbox asks
// this on every change before it looks for webhooks or builds a body.
const char* webhookEventName(const JobEvent& event);
const char* webhookEventName(const QueueEvent& event);
const char* webhookEventName(const WorkerEvent& event);

// nullopt for changes no webhook hears (progress, manual retries, heartbeats). A failed attempt that
// will run again and one that dead-letters are both job.failed; data.will_retry tells them apart.
std::optional<WebhookEvent> webhookEventFor(const JobEvent& event);
std::optional<WebhookEvent> webhookEventFor(const QueueEvent& event);
std::optional<WebhookEvent> webhookEventFor(const WorkerEvent& event);

// The body of a delivery.
json webhookPayload(const std::string& orgId, const WebhookEvent& event, TimePoint at);

}  // namespace spooled::server
