#include "server/webhook/webhook_delivery_loop.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "common/ids.hpp"

namespace spooled::server {

namespace asio = boost::asio;

namespace {

constexpr std::size_t kStoredResponseChars = 500;  // as the official backend keeps
constexpr std::size_t kAttemptLogEntries = 20;     // the newest attempts a row remembers
constexpr auto kMaxBackoff = std::chrono::hours(1);

// Printable text only: a response body is shown back to users.
std::string storedBody(const std::string& body) {
  std::string out;
  for (char c : body) {
    if (out.size() >= kStoredResponseChars) break;
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 || c == '\n' || c == '\r' || c == '\t') out += c;
  }
  return out;
}

std::chrono::milliseconds backoffAfter(int attempts) {
  const auto delay = std::chrono::milliseconds(1000LL << std::min(attempts - 1, 20));
  return std::min<std::chrono::milliseconds>(delay, kMaxBackoff);
}

}  // namespace

WebhookHttpRequest webhookRequest(const OutgoingWebhookRecord& webhook, const std::string& event, const std::string& body,
                                  int attempt, TimePoint now, const std::string& deliveryId) {
  const std::string timestamp = std::to_string(toEpochMs(now) / 1000);
  WebhookHttpRequest request;
  request.url = webhook.url;
  request.body = body;
  request.headers = {{"Content-Type", "application/json"},
                     {"X-Spooled-Event", event},
                     {"X-Spooled-Timestamp", timestamp},
                     {"X-Spooled-Delivery-Attempt", std::to_string(attempt)}};
  if (!deliveryId.empty()) request.headers.emplace_back("X-Spooled-Delivery-Id", deliveryId);
  if (webhook.secret && !webhook.secret->empty())
    request.headers.emplace_back("X-Spooled-Signature", "sha256=" + hmacSha256Hex(*webhook.secret, timestamp + "." + body));
  return request;
}

void applyAttemptResult(WebhookDeliveryRecord& d, const WebhookHttpResult& result, TimePoint now) {
  d.attempts += 1;
  d.statusCode = result.statusCode;
  d.responseBody = result.statusCode ? std::optional<std::string>(storedBody(result.responseBody)) : std::nullopt;
  d.error = result.error;
  if (!d.attemptLog.is_array()) d.attemptLog = json::array();
  d.attemptLog.push_back({{"attempt", d.attempts},
                          {"status_code", result.statusCode ? json(*result.statusCode) : json(nullptr)},
                          {"latency_ms", result.latency.count()},
                          {"error", result.error ? json(*result.error) : json(nullptr)},
                          {"attempted_at", formatIso8601(now)}});
  while (d.attemptLog.size() > kAttemptLogEntries) d.attemptLog.erase(d.attemptLog.begin());
  if (result.success()) {
    d.status = "success";
    d.deliveredAt = now;
  } else if (d.attempts >= d.maxAttempts) {
    d.status = "failed";
  } else {
    d.status = "pending";
    d.nextAttemptAt = now + backoffAfter(d.attempts);
  }
}

struct WebhookDeliveryLoop::Impl {
  Impl(Store& s, WebhookDeliveryOptions o, std::function<TimePoint()> n)
      : store(s), options(o), now(std::move(n)), work(asio::make_work_guard(io)), timer(io), sender(io, o.sender) {}

  // A leased delivery with what its request needs.
  struct Claimed {
    WebhookDeliveryRecord delivery;
    OutgoingWebhookRecord webhook;
  };

  void schedule() {
    timer.expires_after(options.pollInterval);
    timer.async_wait([this](boost::system::error_code ec) {
      if (ec) return;
      round();
      schedule();
    });
  }

  // Takes as many due deliveries as there is room in flight for, and sends them.
  void round() {
    if (!options.deliver || stopping) return;
    const int room = options.maxInFlight - inFlight;
    if (room <= 0) return;
    const TimePoint at = now();
    // The lease outlasts the attempt's deadline, so a live sender always records its outcome first.
    const TimePoint leaseEnd = at + options.sender.timeout + std::chrono::seconds(30);
    std::vector<Claimed> claimed;
    try {
      claimed = store.writeNow([&](StoreTx& tx) {
        std::vector<Claimed> out;
        for (WebhookDeliveryRecord& d : tx.findDueWebhookDeliveries(at, room)) {
          auto webhook = tx.findOutgoingWebhook(d.orgId, d.webhookId);
          if (!webhook || !webhook->enabled) {
            d.status = "failed";
            d.error = webhook ? "webhook disabled" : "webhook deleted";
            tx.updateWebhookDelivery(d);
            continue;
          }
          d.nextAttemptAt = leaseEnd;
          tx.updateWebhookDelivery(d);
          out.push_back(Claimed{std::move(d), std::move(*webhook)});
        }
        return out;
      });
    } catch (const std::exception& e) {
      spdlog::error("webhook deliveries: cannot take due deliveries: {}", e.what());
      return;
    }
    for (Claimed& c : claimed) send(std::move(c));
    // A full batch may mean more are due: look again once these are under way.
    if (static_cast<int>(claimed.size()) == room) asio::post(io, [this] { round(); });
  }

  void send(Claimed c) {
    ++inFlight;
    const int attempt = c.delivery.attempts + 1;
    WebhookHttpRequest request =
        webhookRequest(c.webhook, c.delivery.event, c.delivery.payload.dump(), attempt, now(), c.delivery.id);
    sender.send(std::move(request), [this, d = std::move(c.delivery)](WebhookHttpResult result) {
      --inFlight;
      record(d, result);
      round();
    });
  }

  void record(const WebhookDeliveryRecord& sent, const WebhookHttpResult& result) {
    const TimePoint at = now();
    try {
      store.writeNow([&](StoreTx& tx) {
        // Read again: a manual retry may have changed the row meanwhile; a deleted webhook took it along.
        auto d = tx.findWebhookDelivery(sent.orgId, sent.id);
        if (!d) return;
        applyAttemptResult(*d, result, at);
        tx.updateWebhookDelivery(*d);
        tx.recordWebhookOutcome(d->webhookId, result.success(), at);
      });
    } catch (const std::exception& e) {
      // The lease runs out and the attempt is made again: at least once, never lost.
      spdlog::error("webhook delivery {}: cannot record its attempt: {}", sent.id, e.what());
    }
    if (!result.success())
      spdlog::info("webhook delivery {} ({}) attempt failed: {}", sent.id, sent.event, result.error.value_or("?"));
  }

  Store& store;
  WebhookDeliveryOptions options;
  std::function<TimePoint()> now;
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> work;
  asio::steady_timer timer;
  WebhookSender sender;
  int inFlight = 0;  // loop thread only
  std::atomic<bool> stopping{false};
  std::atomic<bool> wakePending{false};
  std::thread thread;
};

WebhookDeliveryLoop::WebhookDeliveryLoop(Store& store, WebhookDeliveryOptions options, std::function<TimePoint()> now)
    : impl_(std::make_unique<Impl>(store, options, std::move(now))) {}

WebhookDeliveryLoop::~WebhookDeliveryLoop() { stop(); }

void WebhookDeliveryLoop::start() {
  Impl& impl = *impl_;
  asio::post(impl.io, [&impl] {
    impl.round();  // what earlier runs (or other servers) left due
    impl.schedule();
  });
  impl.thread = std::thread([&impl] { impl.io.run(); });
}

void WebhookDeliveryLoop::stop() {
  if (!impl_ || impl_->stopping.exchange(true)) return;
  // Attempts in flight are abandoned; their leases run out and they are sent again (at least once).
  impl_->work.reset();
  impl_->io.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

void WebhookDeliveryLoop::wake() {
  if (impl_->stopping || impl_->wakePending.exchange(true)) return;
  Impl& impl = *impl_;
  asio::post(impl.io, [&impl] {
    impl.wakePending = false;
    impl.round();
  });
}

void WebhookDeliveryLoop::sendOnce(WebhookHttpRequest request, std::function<void(WebhookHttpResult)> done) {
  impl_->sender.send(std::move(request), std::move(done));
}

}  // namespace spooled::server
