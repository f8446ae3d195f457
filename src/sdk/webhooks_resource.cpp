// WebhooksResource, the outgoing-webhook types' fromJson and verifyWebhookSignature
// (include/spooled/webhooks.hpp).
#include <chrono>
#include <cstdlib>

#include "sdk/api_caller.hpp"
#include "sdk/call_helpers.hpp"
#include "sdk/hmac_sha256.hpp"
#include "sdk/json_fields.hpp"
#include "spooled/webhooks.hpp"

namespace spooled {
namespace {

using detail::ApiCall;
using detail::putField;
using detail::readField;
using detail::requireField;

const std::string kWebhooks = "/api/v1/outgoing-webhooks";

std::string webhookPath(const std::string& id, const char* action = nullptr) {
  return detail::resourcePath(kWebhooks, id, action);
}

bool constantTimeEquals(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

// The body of a create or an update: the same fields, unset ones left out.
template <typename Params>
json webhookBody(const Params& params) {
  json body = json::object();
  putField(body, "name", params.name);
  putField(body, "url", params.url);
  putField(body, "events", params.events);
  putField(body, "secret", params.secret);
  putField(body, "enabled", params.enabled);
  return body;
}

}  // namespace

const std::vector<std::string>& webhookEventTypes() {
  static const std::vector<std::string> events = {
      "job.created",  "job.started",   "job.completed",     "job.failed",          "job.cancelled",
      "queue.paused", "queue.resumed", "worker.registered", "worker.deregistered", "schedule.triggered"};
  return events;
}

bool verifyWebhookSignature(const std::string& secret, const std::string& timestampHeader, const std::string& rawBody,
                            const std::string& signatureHeader, long long maxAgeSeconds) {
  if (signatureHeader.rfind("sha256=", 0) != 0 || timestampHeader.empty()) return false;
  char* end = nullptr;
  const long long sent = std::strtoll(timestampHeader.c_str(), &end, 10);
  if (end == nullptr || *end != '\0') return false;
  if (maxAgeSeconds > 0) {
    const long long now =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    if (std::llabs(now - sent) > maxAgeSeconds) return false;
  }
  return constantTimeEquals(signatureHeader.substr(7), detail::hmacSha256Hex(secret, timestampHeader + "." + rawBody));
}

OutgoingWebhook OutgoingWebhook::fromJson(const json& body) {
  const json& o = detail::requireObject(body, "outgoing webhook");
  OutgoingWebhook w;
  requireField(o, "id", w.id);
  readField(o, "organization_id", w.organizationId);
  readField(o, "name", w.name);
  readField(o, "url", w.url);
  readField(o, "events", w.events);
  readField(o, "enabled", w.enabled);
  readField(o, "failure_count", w.failureCount);
  readField(o, "last_triggered_at", w.lastTriggeredAt);
  readField(o, "last_status", w.lastStatus);
  readField(o, "created_at", w.createdAt);
  readField(o, "updated_at", w.updatedAt);
  return w;
}

WebhookTestResult WebhookTestResult::fromJson(const json& body) {
  const json& o = detail::requireObject(body, "webhook test result");
  WebhookTestResult r;
  readField(o, "success", r.success);
  readField(o, "status_code", r.statusCode);
  readField(o, "response_time_ms", r.responseTimeMs);
  readField(o, "error", r.error);
  return r;
}

WebhookDelivery WebhookDelivery::fromJson(const json& body) {
  const json& o = detail::requireObject(body, "webhook delivery");
  WebhookDelivery d;
  requireField(o, "id", d.id);
  readField(o, "webhook_id", d.webhookId);
  readField(o, "event", d.event);
  readField(o, "payload", d.payload);
  readField(o, "status", d.status);
  readField(o, "status_code", d.statusCode);
  readField(o, "response_body", d.responseBody);
  readField(o, "error", d.error);
  readField(o, "attempts", d.attempts);
  readField(o, "max_attempts", d.maxAttempts);
  readField(o, "next_attempt_at", d.nextAttemptAt);
  readField(o, "attempts_log", d.attemptsLog);
  readField(o, "created_at", d.createdAt);
  readField(o, "delivered_at", d.deliveredAt);
  return d;
}

std::vector<OutgoingWebhook> WebhooksResource::list() {
  return detail::readArray<OutgoingWebhook>(api_.call(ApiCall::get(kWebhooks)), "outgoing-webhooks");
}

OutgoingWebhook WebhooksResource::create(const CreateWebhookParams& params) {
  json body = webhookBody(params);
  return OutgoingWebhook::fromJson(api_.call(ApiCall::post(kWebhooks, std::move(body))));
}

OutgoingWebhook WebhooksResource::get(const std::string& id) {
  return OutgoingWebhook::fromJson(api_.call(ApiCall::get(webhookPath(id))));
}

OutgoingWebhook WebhooksResource::update(const std::string& id, const UpdateWebhookParams& params) {
  json body = webhookBody(params);
  return OutgoingWebhook::fromJson(api_.call(ApiCall::put(webhookPath(id), std::move(body))));
}

void WebhooksResource::remove(const std::string& id) { api_.call(ApiCall::del(webhookPath(id))); }

WebhookTestResult WebhooksResource::test(const std::string& id) {
  return WebhookTestResult::fromJson(api_.call(ApiCall::post(webhookPath(id, "test"), json::object())));
}

std::vector<WebhookDelivery> WebhooksResource::deliveries(const std::string& id, std::optional<int> limit) {
  ApiCall call = ApiCall::get(webhookPath(id, "deliveries"));
  detail::addQuery(call, "limit", limit);
  return detail::readArray<WebhookDelivery>(api_.call(call), "webhook deliveries");
}

WebhookRetryResult WebhooksResource::retryDelivery(const std::string& webhookId, const std::string& deliveryId) {
  const std::string path = webhookPath(webhookId) + "/retry/" + detail::pathSegment(deliveryId);
  const json response = api_.call(ApiCall::post(path, json::object()));
  const json& o = detail::requireObject(response, "retry result");
  WebhookRetryResult r;
  readField(o, "success", r.success);
  readField(o, "message", r.message);
  return r;
}

}  // namespace spooled
