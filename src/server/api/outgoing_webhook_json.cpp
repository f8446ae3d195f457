#include "server/api/outgoing_webhook_json.hpp"

namespace spooled::server {

namespace {

template <class T>
json orNull(const std::optional<T>& value) {
  return value ? json(*value) : json(nullptr);
}

json timeOrNull(const std::optional<TimePoint>& t) { return t ? json(formatIso8601(*t)) : json(nullptr); }

}  // namespace

json outgoingWebhookJson(const OutgoingWebhookRecord& w) {
  return json{{"id", w.id},
              {"organization_id", w.orgId},
              {"name", w.name},
              {"url", w.url},
              {"events", w.events},
              {"enabled", w.enabled},
              {"failure_count", w.failureCount},
              {"last_triggered_at", timeOrNull(w.lastTriggeredAt)},
              {"last_status", orNull(w.lastStatus)},
              {"created_at", formatIso8601(w.createdAt)},
              {"updated_at", formatIso8601(w.updatedAt)}};
}

json webhookDeliveryJson(const WebhookDeliveryRecord& d) {
  return json{{"id", d.id},
              {"webhook_id", d.webhookId},
              {"event", d.event},
              {"payload", d.payload},
              {"status", d.status},
              {"status_code", orNull(d.statusCode)},
              {"response_body", orNull(d.responseBody)},
              {"error", orNull(d.error)},
              {"attempts", d.attempts},
              {"max_attempts", d.maxAttempts},
              {"next_attempt_at", d.status == "pending" ? json(formatIso8601(d.nextAttemptAt)) : json(nullptr)},
              {"attempts_log", d.attemptLog},
              {"created_at", formatIso8601(d.createdAt)},
              {"delivered_at", timeOrNull(d.deliveredAt)}};
}

}  // namespace spooled::server
