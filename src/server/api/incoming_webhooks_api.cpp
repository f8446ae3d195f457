// Incoming webhooks: POST /api/v1/webhooks/{org_id}/custom, /github and /stripe turn a request from
// outside into a job, as the official backend does. They carry no API key: the organization's webhook
// token (X-Webhook-Token) authenticates a custom webhook; GitHub and Stripe requests are authenticated
// by the provider's HMAC signature over the raw body, made with the secret the operator configured
// (--github-webhook-secret, --stripe-webhook-secret). A token sent along with a signature must match.

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdio>

#include "common/error_code.hpp"
#include "common/ids.hpp"
#include "server/api/api_services.hpp"
#include "server/api/validation.hpp"
#include "server/auth/admin_auth.hpp"

namespace spooled::server {

namespace {

constexpr long long kStripeTolerancePastSecs = 300;   // older: a replay
constexpr long long kStripeToleranceFutureSecs = 60;  // clock skew

// The organization named in the path (404 when there is none).
OrganizationRecord organizationOf(ApiServices& s, const HttpRequest& req) {
  const std::string& orgId = req.pathParam("org_id");
  auto org = s.store.readResult([&](StoreReader& r) { return r.findOrganization(orgId); });
  if (!org) throw ApiError(ErrorCode::NotFound, "Organization " + orgId + " not found");
  return std::move(*org);
}

// With `required`, the organization's webhook token must be sent; otherwise only a token that is sent
// is checked.
void checkWebhookToken(const OrganizationRecord& org, const HttpRequest& req, bool required) {
  const auto sent = req.header("x-webhook-token");
  if (!sent && !required) return;
  if (!org.webhookToken) return;  // the organization has no token configured: nothing to check
  if (!sent || !constantTimeEquals(*sent, *org.webhookToken))
    throw ApiError(ErrorCode::Unauthorized, "Invalid or missing X-Webhook-Token");
}

const std::string& providerSecret(const std::optional<std::string>& secret, const std::string& flag) {
  if (!secret)
    throw ApiError(ErrorCode::Unavailable, "Webhook signature verification is not configured on this server (" +
                                               flag + ")");
  return *secret;
}

// As the official backend: at most 64 characters, anything but [A-Za-z0-9_-] becomes '-'.
std::string sanitizeForQueue(const std::string& text) {
  std::string out;
  for (char c : text.substr(0, 64)) {
    const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    out += keep ? c : '-';
  }
  return out;
}

json jsonBody(const HttpRequest& req) { return parseJsonObjectBody(req.body); }

Task<HttpResponse> createFromWebhook(ApiServices& s, const std::string& orgId, const CreateJobInput& input) {
  const CreateJobOutcome outcome = co_await s.jobs.create(orgId, input);
  // The official backend answers a bare 200; the job's id is our extension.
  co_return HttpResponse::json(200, json{{"job_id", outcome.id}, {"created", outcome.created},
                                         {"queue_name", input.queueName}});
}

Task<HttpResponse> customWebhook(ApiServices& s, const HttpRequest& req) {
  const OrganizationRecord org = organizationOf(s, req);
  checkWebhookToken(org, req, true);
  const json body = jsonBody(req);
  const FieldReader f(body);
  CreateJobInput in;
  in.queueName = readQueueName(f, "queue_name");
  in.payload = f.requiredFreeForm("payload", kMaxPayloadBytes);
  in.priority = f.intOr("priority", -100, 100, 0);
  in.idempotencyKey = f.optionalString("idempotency_key", 1, 255);
  f.optionalString("event_type", 1, 100);  // validated as the official backend; it names no queue
  co_return co_await createFromWebhook(s, org.id, in);
}

Task<HttpResponse> githubWebhook(ApiServices& s, const HttpRequest& req) {
  const OrganizationRecord org = organizationOf(s, req);
  checkWebhookToken(org, req, false);
  const std::string& secret = providerSecret(s.githubWebhookSecret, "--github-webhook-secret");
  const auto signature = req.header("x-hub-signature-256");
  if (!signature) throw ApiError(ErrorCode::Unauthorized, "Missing X-Hub-Signature-256 header");
  if (signature->rfind("sha256=", 0) != 0) throw ApiError(ErrorCode::Unauthorized, "Invalid signature format");
  if (!constantTimeEquals(signature->substr(7), hmacSha256Hex(secret, req.body)))
    throw ApiError(ErrorCode::Unauthorized, "Invalid webhook signature");
  CreateJobInput in;
  in.queueName = "github-" + sanitizeForQueue(req.header("x-github-event").value_or("unknown"));
  requireQueueName("X-GitHub-Event", in.queueName);
  in.payload = jsonBody(req);
  co_return co_await createFromWebhook(s, org.id, in);
}

Task<HttpResponse> stripeWebhook(ApiServices& s, const HttpRequest& req) {
  const OrganizationRecord org = organizationOf(s, req);
  checkWebhookToken(org, req, false);
  const std::string& secret = providerSecret(s.stripeWebhookSecret, "--stripe-webhook-secret");
  const auto header = req.header("stripe-signature");
  if (!header) throw ApiError(ErrorCode::Unauthorized, "Missing Stripe-Signature header");
  std::string timestamp;
  std::vector<std::string> signatures;  // Stripe may send several v1 values while a secret rolls over
  std::size_t start = 0;
  while (start < header->size()) {
    const std::size_t comma = std::min(header->find(',', start), header->size());
    const std::string part = header->substr(start, comma - start);
    const std::size_t eq = part.find('=');
    if (eq != std::string::npos) {
      if (part.substr(0, eq) == "t") timestamp = part.substr(eq + 1);
      if (part.substr(0, eq) == "v1") signatures.push_back(part.substr(eq + 1));
    }
    start = comma + 1;
  }
  if (timestamp.empty()) throw ApiError(ErrorCode::Unauthorized, "Missing timestamp in signature");
  if (signatures.empty()) throw ApiError(ErrorCode::Unauthorized, "Missing v1 signature");
  long long sentAt = 0;
  const auto [end, ec] = std::from_chars(timestamp.data(), timestamp.data() + timestamp.size(), sentAt);
  if (ec != std::errc() || end != timestamp.data() + timestamp.size())
    throw ApiError(ErrorCode::Unauthorized, "Invalid timestamp format");
  const long long age = toEpochMs(nowMs()) / 1000 - sentAt;
  if (age > kStripeTolerancePastSecs)
    throw ApiError(ErrorCode::Unauthorized, "Webhook timestamp too old: " + std::to_string(age) + " seconds ago");
  if (age < -kStripeToleranceFutureSecs) throw ApiError(ErrorCode::Unauthorized, "Webhook timestamp is in the future");
  const std::string expected = hmacSha256Hex(secret, timestamp + "." + req.body);
  bool valid = false;
  for (const std::string& sig : signatures) valid = constantTimeEquals(sig, expected) || valid;
  if (!valid) throw ApiError(ErrorCode::Unauthorized, "Invalid webhook signature");

  const json event = jsonBody(req);
  const FieldReader f(event);
  std::string type = f.requiredString("type", 1, 255);
  std::replace(type.begin(), type.end(), '.', '-');
  CreateJobInput in;
  in.queueName = "stripe-" + sanitizeForQueue(type);
  requireQueueName("type", in.queueName);
  const json* object = nullptr;
  if (event.contains("data") && event["data"].is_object() && event["data"].contains("object"))
    object = &event["data"]["object"];
  if (object == nullptr) throwValidation("data.object", "a Stripe event carries data.object");
  in.payload = *object;
  in.idempotencyKey = f.optionalString("id", 1, 255);  // a redelivered event does not make a second job
  co_return co_await createFromWebhook(s, org.id, in);
}

}  // namespace

void addIncomingWebhookRoutes(Router& router, ApiServices& services) {
  auto bind = [&services](auto fn) { return withServices(services, fn); };
  // Public: authenticated by the organization's webhook token or the provider's signature.
  router.add("POST", "/api/v1/webhooks/{org_id}/custom", Access::Public, bind(customWebhook));
  router.add("POST", "/api/v1/webhooks/{org_id}/github", Access::Public, bind(githubWebhook));
  router.add("POST", "/api/v1/webhooks/{org_id}/stripe", Access::Public, bind(stripeWebhook));
}

}  // namespace spooled::server
