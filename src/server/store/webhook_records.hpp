#pragma once
// Rows of outgoing webhooks (the organization's notification targets) and of their deliveries (the
// outbox: one row per event and webhook, written in the transaction of the change that caused it).
#include <optional>
#include <string>
#include <vector>

#include "common/time.hpp"
#include "spooled/json.hpp"

namespace spooled::server {

struct OutgoingWebhookRecord {
  std::string id;
  std::string orgId;
  std::string name;
  std::string url;
  std::optional<std::string> secret;  // HMAC key; never rendered
  std::vector<std::string> events;    // "job.completed", ...
  bool enabled = true;
  int failureCount = 0;  // consecutive failed attempts
  std::optional<TimePoint> lastTriggeredAt;
  std::optional<std::string> lastStatus;  // "success" | "failed"
  TimePoint createdAt{};
  TimePoint updatedAt{};
};

struct WebhookDeliveryRecord {
  std::string id;
  std::string orgId;
  std::string webhookId;
  std::string event;
  json payload = json::object();
  std::string status = "pending";  // pending | success | failed
  std::optional<int> statusCode;
  std::optional<std::string> responseBody;  // the latest attempt's, cut short
  std::optional<std::string> error;
  int attempts = 0;
  int maxAttempts = 5;
  // When a pending delivery is due; while an attempt is in flight, the end of that sender's lease
  // (a sender that dies leaves it to be sent again after this).
  TimePoint nextAttemptAt{};
  json attemptLog = json::array();  // [{attempt, status_code, latency_ms, error, attempted_at}], newest last
  TimePoint createdAt{};
  std::optional<TimePoint> deliveredAt;
};

}  // namespace spooled::server
