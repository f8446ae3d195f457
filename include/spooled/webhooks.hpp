#pragma once
// Outgoing webhooks of the caller's organization: where the server POSTs events (job.created,
// job.completed, queue.paused, ...), their delivery history, a test send and manual retries. Field
// names mirror the wire's snake_case fields in camelCase; times are ISO-8601 strings. The secret is
// write-only: the server never returns it. verifyWebhookSignature checks what a receiver got.
#include <optional>
#include <string>
#include <vector>

#include "spooled/json.hpp"

namespace spooled {

namespace detail {
class ApiCaller;
}  // namespace detail

struct OutgoingWebhook {
  std::string id{};
  std::string organizationId{};
  std::string name{};
  std::string url{};
  std::vector<std::string> events{};
  bool enabled = true;
  int failureCount = 0;  // consecutive failed attempts
  std::optional<std::string> lastTriggeredAt{};
  std::optional<std::string> lastStatus{};  // "success" | "failed"
  std::string createdAt{};
  std::string updatedAt{};

  static OutgoingWebhook fromJson(const json& body);
};

struct CreateWebhookParams {
  std::string name{};                  // 1-255 chars
  std::string url{};                   // http(s)://..., at most 2048 chars
  std::vector<std::string> events{};   // at least one of the valid event types
  std::optional<std::string> secret{};  // HMAC key (at most 255 chars): deliveries are signed
  std::optional<bool> enabled{};       // default true
};

// Unset members are left unchanged; secret "" removes the secret.
struct UpdateWebhookParams {
  std::optional<std::string> name{};
  std::optional<std::string> url{};
  std::optional<std::vector<std::string>> events{};
  std::optional<std::string> secret{};
  std::optional<bool> enabled{};
};

struct WebhookTestResult {
  bool success = false;
  std::optional<int> statusCode{};
  long long responseTimeMs = 0;
  std::optional<std::string> error{};

  static WebhookTestResult fromJson(const json& body);
};

struct WebhookDelivery {
  std::string id{};
  std::string webhookId{};
  std::string event{};
  json payload = json::object();
  std::string status{};  // "pending" | "success" | "failed"
  std::optional<int> statusCode{};
  std::optional<std::string> responseBody{};
  std::optional<std::string> error{};
  int attempts = 0;
  std::optional<int> maxAttempts{};           // extension
  std::optional<std::string> nextAttemptAt{};  // extension: while pending
  json attemptsLog = json::array();           // extension: [{attempt, status_code, latency_ms, error, attempted_at}]
  std::string createdAt{};
  std::optional<std::string> deliveredAt{};

  static WebhookDelivery fromJson(const json& body);
};

struct WebhookRetryResult {
  bool success = false;
  std::string message{};
};

// The event types a webhook may subscribe to (the official list).
const std::vector<std::string>& webhookEventTypes();

// True when `signatureHeader` (X-Spooled-Signature, "sha256=<hex>") is the HMAC-SHA256 of
// "<timestampHeader>.<rawBody>" under `secret`. Compared in constant time. A receiver should also
// refuse a timestamp far from its clock (replays); maxAgeSeconds > 0 does that here.
bool verifyWebhookSignature(const std::string& secret, const std::string& timestampHeader, const std::string& rawBody,
                            const std::string& signatureHeader, long long maxAgeSeconds = 300);

// Obtained from SpooledClient::webhooks(); lives as long as the client. Thread-safe. Every call throws
// a SpooledError subclass on failure (see errors.hpp).
class WebhooksResource {
 public:
  WebhooksResource(const WebhooksResource&) = delete;
  WebhooksResource& operator=(const WebhooksResource&) = delete;

  std::vector<OutgoingWebhook> list();
  // Not retried on ambiguous failures (a repeat would create a second webhook).
  OutgoingWebhook create(const CreateWebhookParams& params);
  OutgoingWebhook get(const std::string& id);
  OutgoingWebhook update(const std::string& id, const UpdateWebhookParams& params);
  void remove(const std::string& id);
  // Sends a signed "webhook.test" event now and reports how the receiver answered.
  WebhookTestResult test(const std::string& id);
  // Newest first (the server's default limit is 100).
  std::vector<WebhookDelivery> deliveries(const std::string& id, std::optional<int> limit = std::nullopt);
  // Sends a finished (failed or delivered) delivery again, with a fresh set of attempts.
  WebhookRetryResult retryDelivery(const std::string& webhookId, const std::string& deliveryId);

 private:
  friend class SpooledClient;
  explicit WebhooksResource(detail::ApiCaller& api) : api_(api) {}
  detail::ApiCaller& api_;
};

}  // namespace spooled
