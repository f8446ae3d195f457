#pragma once
// JSON of outgoing webhooks and their deliveries, in the official backend's shapes (the secret is
// never rendered). Deliveries add max_attempts, next_attempt_at and attempts_log (each attempt's
// status code, latency and error), which the official shape lacks.
#include "server/store/webhook_records.hpp"
#include "spooled/json.hpp"

namespace spooled::server {

json outgoingWebhookJson(const OutgoingWebhookRecord& webhook);
json webhookDeliveryJson(const WebhookDeliveryRecord& delivery);

}  // namespace spooled::server
