#pragma once
// Sends the outbox: pending webhook deliveries, from any server sharing the database, at least once.
// One thread of its own runs an io_context: the sender's sockets and a timer live there, never on the
// request threads. Each round takes due rows in a write transaction and leases them (next_attempt_at
// moves past the attempt's deadline; PostgreSQL also skips rows another server has locked), so two
// servers never send one attempt at once, and an attempt a crashed server left is sent again once its
// lease runs out. Each attempt's outcome (status, latency, error) is recorded on the row; a failure is
// retried with backoff (1 s, 2 s, 4 s, ...) until the row's max_attempts.
#include <atomic>
#include <chrono>
#include <coroutine>
#include <functional>
#include <memory>
#include <optional>
#include <thread>

#include "common/executor.hpp"
#include "common/task.hpp"
#include "server/store/store.hpp"
#include "server/webhook/webhook_sender.hpp"

namespace spooled::server {

struct WebhookDeliveryOptions {
  WebhookSenderOptions sender;
  int maxInFlight = 16;
  bool deliver = true;  // false: this server sends tests only; others drain the outbox
  std::chrono::milliseconds pollInterval{1000};
};

// The request one attempt sends: JSON body, X-Spooled-Event, -Timestamp (Unix seconds),
// -Delivery-Attempt, -Delivery-Id (when a stored delivery), and, with a secret,
// X-Spooled-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">.
WebhookHttpRequest webhookRequest(const OutgoingWebhookRecord& webhook, const std::string& event, const std::string& body,
                                  int attempt, TimePoint now, const std::string& deliveryId = {});

// After an attempt: the row as it is to be stored (attempts, status, next try, the attempt's log entry).
void applyAttemptResult(WebhookDeliveryRecord& delivery, const WebhookHttpResult& result, TimePoint now);

class WebhookDeliveryLoop {
 public:
  WebhookDeliveryLoop(Store& store, WebhookDeliveryOptions options, std::function<TimePoint()> now = nowMs);
  ~WebhookDeliveryLoop();  // stop()

  void start();
  void stop();
  // Look for due deliveries now (after a commit that stored some). Thread-safe, cheap.
  void wake();

  // One request outside the outbox (POST /outgoing-webhooks/{id}/test); `done` runs on the loop thread.
  void sendOnce(WebhookHttpRequest request, std::function<void(WebhookHttpResult)> done);
  // Where coroutines awaiting sendOnce continue (the server's pool). Set before start().
  void setResumeExecutor(Executor* executor) { resume_ = executor; }
  Executor* resumeExecutor() const { return resume_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  Executor* resume_ = nullptr;
};

// `co_await` a named SendOnce: sends through the loop and resumes on its resume executor.
struct SendOnce {
  WebhookDeliveryLoop& loop;
  WebhookHttpRequest request;
  WebhookHttpResult result{};

  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> handle) {
    WebhookDeliveryLoop& l = loop;
    l.sendOnce(std::move(request), [this, &l, handle](WebhookHttpResult r) {
      result = std::move(r);
      resumeOn(l.resumeExecutor(), handle);
    });
  }
  WebhookHttpResult await_resume() { return std::move(result); }
};

}  // namespace spooled::server
