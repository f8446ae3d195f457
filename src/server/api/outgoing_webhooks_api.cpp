// Outgoing webhooks: /api/v1/outgoing-webhooks CRUD, POST .../{id}/test (one signed request, sent now,
// answered with its outcome), GET .../{id}/deliveries (the outbox rows of the webhook, newest first)
// and POST .../{id}/retry/{delivery_id} (a finished delivery due again, with a fresh set of attempts).
// Request and response shapes are the official backend's. A webhook hears every queue of its
// organization, so these routes need a key for all queues.
#include <algorithm>

#include "common/bounded_json.hpp"
#include "common/error_code.hpp"
#include "common/ids.hpp"
#include "server/api/api_services.hpp"
#include "server/api/outgoing_webhook_json.hpp"
#include "server/core/webhook_events.hpp"
#include "server/core/webhook_outbox.hpp"
#include "server/core/webhook_url.hpp"
#include "server/webhook/webhook_delivery_loop.hpp"

namespace spooled::server {

namespace {

constexpr std::size_t kMaxWebhooksPerOrg = 100;  // each event fans out to at most this many rows
constexpr int kDefaultDeliveryListLimit = 100;   // as the official backend

std::string readUrl(const ApiServices& s, const FieldReader& f, bool required) {
  std::optional<std::string> url = required ? std::optional(f.requiredString("url", 1, 2048)) : f.optionalString("url", 1, 2048);
  if (!url) return {};
  const auto parsed = parseWebhookUrl(*url);
  if (!parsed) throwValidation("url", "Invalid URL: '" + url->substr(0, 200) + "' is not an absolute http or https URL");
  // Names are judged after DNS, at each delivery; an address written out can be refused right away.
  if (!s.webhookAllowPrivate && isNonPublicLiteral(parsed->host))
    throwValidation("url", "Invalid webhook URL: " + parsed->host +
                               " is a loopback, private or link-local address (the server allows those only with "
                               "--webhook-allow-private)");
  return *url;
}

std::optional<std::vector<std::string>> readEvents(const json& body, bool required) {
  const auto it = body.find("events");
  if (it == body.end() || it->is_null()) {
    if (required) throwValidation("events", "events is required: at least one event type");
    return std::nullopt;
  }
  if (!it->is_array()) throwValidation("events", "events must be an array of event types");
  if (it->empty()) throwValidation("events", "At least one event type is required");
  std::vector<std::string> events;
  for (const json& e : *it) {
    if (!e.is_string() || !isValidWebhookEvent(e.get<std::string>())) {
      std::string valid;
      for (const std::string& name : validWebhookEvents()) valid += (valid.empty() ? "" : ", ") + name;
      throwValidation("events", "Invalid event type: " + quoteJsonForMessage(e) + ". Valid types: " + valid);
    }
    if (std::find(events.begin(), events.end(), e.get<std::string>()) == events.end()) events.push_back(e.get<std::string>());
  }
  return events;
}

OutgoingWebhookRecord loadWebhook(StoreReader& r, const std::string& orgId, const std::string& id) {
  auto webhook = r.findOutgoingWebhook(orgId, id);
  if (!webhook) throw ApiError(ErrorCode::NotFound, "Webhook " + id + " not found");
  return std::move(*webhook);
}

void forget(ApiServices& s, const std::string& orgId) {
  if (s.webhookOutbox != nullptr) s.webhookOutbox->forget(orgId);
}

HttpResponse listWebhooks(ApiServices& s, const HttpRequest& req) {
  const std::string& orgId = req.authContext().orgId;
  const auto webhooks = s.store.readResult([&](StoreReader& r) { return r.listOutgoingWebhooks(orgId); });
  json out = json::array();
  for (const auto& w : webhooks) out.push_back(outgoingWebhookJson(w));
  return HttpResponse::json(200, out);
}

Task<HttpResponse> createWebhook(ApiServices& s, const HttpRequest& req) {
  const BodyCall call(req);
  const FieldReader& f = call.fields;
  OutgoingWebhookRecord w;
  w.id = newUuid();
  w.orgId = call.auth.orgId;
  w.name = f.requiredString("name", 1, 255);
  w.url = readUrl(s, f, true);
  w.events = *readEvents(call.body, true);
  w.secret = f.optionalString("secret", 0, 255);
  if (w.secret && w.secret->empty()) w.secret.reset();
  w.enabled = f.optionalBool("enabled").value_or(true);
  w.createdAt = w.updatedAt = s.jobs.now()();
  co_await s.store.write([&](StoreTx& tx) {
    if (tx.listOutgoingWebhooks(w.orgId).size() >= kMaxWebhooksPerOrg)
      throw ApiError(ErrorCode::LimitExceeded,
                     "The organization has " + std::to_string(kMaxWebhooksPerOrg) + " outgoing webhooks, the most allowed");
    tx.insertOutgoingWebhook(w);
    if (s.webhookOutbox != nullptr) s.webhookOutbox->forget(w.orgId);  // later changes in this commit see it
  });
  forget(s, w.orgId);
  co_return HttpResponse::json(201, outgoingWebhookJson(w));
}

HttpResponse getWebhook(ApiServices& s, const HttpRequest& req) {
  const std::string& orgId = req.authContext().orgId;
  const std::string id = pathUuid(req, "Webhook");
  return HttpResponse::json(200, outgoingWebhookJson(s.store.readResult([&](StoreReader& r) { return loadWebhook(r, orgId, id); })));
}

Task<HttpResponse> updateWebhook(ApiServices& s, const HttpRequest& req) {
  const std::string id = pathUuid(req, "Webhook");
  const BodyCall call(req);
  const FieldReader& f = call.fields;
  const auto name = f.optionalString("name", 1, 255);
  const std::string url = readUrl(s, f, false);
  const auto events = readEvents(call.body, false);
  const auto secret = f.optionalString("secret", 0, 255);
  const auto enabled = f.optionalBool("enabled");
  const TimePoint now = s.jobs.now()();
  const std::string& orgId = call.auth.orgId;
  OutgoingWebhookRecord updated = co_await s.store.write([&](StoreTx& tx) {
    OutgoingWebhookRecord w = loadWebhook(tx, orgId, id);
    if (name) w.name = *name;
    if (!url.empty()) w.url = url;
    if (events) w.events = *events;
    // As the official backend, an absent secret keeps the old one; "" (our extension) removes it.
    if (secret) w.secret = secret->empty() ? std::nullopt : secret;
    if (enabled) w.enabled = *enabled;
    w.updatedAt = now;
    tx.updateOutgoingWebhook(w);
    if (s.webhookOutbox != nullptr) s.webhookOutbox->forget(orgId);
    return w;
  });
  forget(s, orgId);
  co_return HttpResponse::json(200, outgoingWebhookJson(updated));
}

Task<HttpResponse> deleteWebhook(ApiServices& s, const HttpRequest& req) {
  const std::string& orgId = req.authContext().orgId;
  const std::string id = pathUuid(req, "Webhook");
  const bool deleted = co_await s.store.write([&](StoreTx& tx) {
    const bool gone = tx.deleteOutgoingWebhook(orgId, id);
    if (s.webhookOutbox != nullptr) s.webhookOutbox->forget(orgId);
    return gone;
  });
  if (!deleted) throw ApiError(ErrorCode::NotFound, "Webhook " + id + " not found");
  forget(s, orgId);
  co_return HttpResponse::empty(204);
}

Task<HttpResponse> testWebhook(ApiServices& s, const HttpRequest& req) {
  const std::string& orgId = req.authContext().orgId;
  const std::string id = pathUuid(req, "Webhook");
  const OutgoingWebhookRecord webhook = s.store.readResult([&](StoreReader& r) { return loadWebhook(r, orgId, id); });
  if (s.webhookDelivery == nullptr) throw ApiError(ErrorCode::Unavailable, "Webhook delivery is not running");
  const TimePoint now = s.jobs.now()();
  const json payload = {{"event", "webhook.test"},
                        {"webhook_id", webhook.id},
                        {"organization_id", orgId},
                        {"timestamp", formatIso8601(now)},
                        {"test", true},
                        {"message", "This is a test webhook from Spooled"}};
  SendOnce send{*s.webhookDelivery, webhookRequest(webhook, "webhook.test", payload.dump(), 1, now)};
  const WebhookHttpResult result = co_await send;
  co_return HttpResponse::json(200, json{{"success", result.success()},
                                         {"status_code", result.statusCode ? json(*result.statusCode) : json(nullptr)},
                                         {"response_time_ms", result.latency.count()},
                                         {"error", result.error ? json(*result.error) : json(nullptr)}});
}

HttpResponse listDeliveries(ApiServices& s, const HttpRequest& req) {
  const std::string& orgId = req.authContext().orgId;
  const std::string id = pathUuid(req, "Webhook");
  const int limit = queryInt(req.queryParam("limit"), "limit", 1, 1000, kDefaultDeliveryListLimit);
  const auto deliveries = s.store.readResult([&](StoreReader& r) {
    loadWebhook(r, orgId, id);
    return r.listWebhookDeliveries(orgId, id, limit);
  });
  json out = json::array();
  for (const auto& d : deliveries) out.push_back(webhookDeliveryJson(d));
  return HttpResponse::json(200, out);
}

Task<HttpResponse> retryDelivery(ApiServices& s, const HttpRequest& req) {
  const std::string& orgId = req.authContext().orgId;
  const std::string id = pathUuid(req, "Webhook");
  const std::string& deliveryId = req.pathParam("delivery_id");
  if (!isUuid(deliveryId)) throw ApiError(ErrorCode::NotFound, "Delivery " + deliveryId.substr(0, 100) + " not found");
  const TimePoint now = s.jobs.now()();
  const int fresh = s.webhookOutbox != nullptr ? s.webhookOutbox->maxAttempts() : 5;
  const WebhookDeliveryRecord queued = co_await s.store.write([&](StoreTx& tx) {
    loadWebhook(tx, orgId, id);
    auto d = tx.findWebhookDelivery(orgId, deliveryId);
    if (!d || d->webhookId != id) throw ApiError(ErrorCode::NotFound, "Delivery " + deliveryId + " not found");
    // A pending delivery is waiting for its next attempt, or one is in flight right now: sending it
    // again as well would send one attempt twice at once.
    if (d->status == "pending")
      throw ApiError(ErrorCode::Conflict, "Delivery " + deliveryId + " is still pending; its next attempt is due at " +
                                              formatIso8601(d->nextAttemptAt));
    d->status = "pending";
    d->nextAttemptAt = now;
    d->maxAttempts = d->attempts + fresh;
    tx.updateWebhookDelivery(*d);
    return *d;
  });
  if (s.webhookDelivery != nullptr) s.webhookDelivery->wake();
  co_return HttpResponse::json(200, json{{"success", true},
                                         {"message", "Delivery " + queued.id + " queued for retry (attempt " +
                                                         std::to_string(queued.attempts + 1) + ")"}});
}

}  // namespace

void addOutgoingWebhookRoutes(Router& router, ApiServices& services) {
  auto bind = [&services](auto fn) { return withServices(services, fn); };
  router.add("GET", "/api/v1/outgoing-webhooks", Access::ApiKey, bind(listWebhooks));
  router.add("POST", "/api/v1/outgoing-webhooks", Access::ApiKey, bind(createWebhook));
  router.add("GET", "/api/v1/outgoing-webhooks/{id}", Access::ApiKey, bind(getWebhook));
  router.add("PUT", "/api/v1/outgoing-webhooks/{id}", Access::ApiKey, bind(updateWebhook));
  router.add("DELETE", "/api/v1/outgoing-webhooks/{id}", Access::ApiKey, bind(deleteWebhook));
  router.add("POST", "/api/v1/outgoing-webhooks/{id}/test", Access::ApiKey, bind(testWebhook));
  router.add("GET", "/api/v1/outgoing-webhooks/{id}/deliveries", Access::ApiKey, bind(listDeliveries));
  router.add("POST", "/api/v1/outgoing-webhooks/{id}/retry/{delivery_id}", Access::ApiKey, bind(retryDelivery));
}

}  // namespace spooled::server
