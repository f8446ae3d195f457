#include "server/core/webhook_outbox.hpp"

#include <algorithm>

#include "common/ids.hpp"

namespace spooled::server {

namespace {

constexpr auto kCacheTtl = std::chrono::seconds(1);
constexpr std::size_t kMaxCachedOrganizations = 10000;  // beyond: start over (memory stays bounded)

bool subscribed(const std::vector<std::string>& events, const std::string& name) {
  return std::find(events.begin(), events.end(), name) != events.end();
}

}  // namespace

WebhookOutbox::WebhookOutbox(int maxAttempts, std::function<TimePoint()> now)
    : maxAttempts_(std::max(1, maxAttempts)), now_(std::move(now)) {}

void WebhookOutbox::setWaker(std::function<void()> waker) {
  std::lock_guard lock(mutex_);
  waker_ = std::move(waker);
}

void WebhookOutbox::forget(const std::string& orgId) {
  std::lock_guard lock(mutex_);
  cache_.erase(orgId);
}

WebhookDeliveryRecord WebhookOutbox::newDelivery(const std::string& orgId, const std::string& webhookId,
                                                 const std::string& event, const json& payload, TimePoint now) const {
  WebhookDeliveryRecord d;
  d.id = newTimeOrderedUuid();
  d.orgId = orgId;
  d.webhookId = webhookId;
  d.event = event;
  d.payload = payload;
  d.maxAttempts = maxAttempts_;
  d.nextAttemptAt = now;
  d.createdAt = now;
  return d;
}

std::vector<WebhookOutbox::Target> WebhookOutbox::targetsFor(StoreTx& tx, const std::string& orgId) {
  const auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(mutex_);
    if (auto it = cache_.find(orgId); it != cache_.end() && now - it->second.loadedAt < kCacheTtl)
      return it->second.targets;
  }
  // Read through the transaction: it sees webhooks this very transaction (or group commit) created.
  std::vector<Target> targets;
  for (OutgoingWebhookRecord& w : tx.listOutgoingWebhooks(orgId))
    if (w.enabled) targets.push_back(Target{std::move(w.id), std::move(w.events)});
  std::lock_guard lock(mutex_);
  if (cache_.size() >= kMaxCachedOrganizations) cache_.clear();
  cache_[orgId] = Entry{now, targets};
  return targets;
}

std::vector<std::string> WebhookOutbox::subscribers(StoreTx& tx, const std::string& orgId, const std::string& name) {
  std::vector<std::string> ids;
  for (const Target& target : targetsFor(tx, orgId))
    if (subscribed(target.events, name)) ids.push_back(target.webhookId);
  return ids;
}

void WebhookOutbox::store(StoreTx& tx, const std::string& orgId, const std::vector<std::string>& webhookIds,
                          const WebhookEvent& event) {
  const TimePoint now = now_();
  const json payload = webhookPayload(orgId, event, now);
  for (const std::string& id : webhookIds) tx.insertWebhookDelivery(newDelivery(orgId, id, event.name, payload, now));
}

void WebhookOutbox::wakeIfSubscribed(const std::string& orgId, const char* name) noexcept {
  if (name == nullptr) return;
  std::function<void()> waker;
  {
    std::lock_guard lock(mutex_);
    auto it = cache_.find(orgId);
    if (it == cache_.end()) return;
    const bool any = std::any_of(it->second.targets.begin(), it->second.targets.end(),
                                 [&](const Target& t) { return subscribed(t.events, name); });
    if (!any) return;
    waker = waker_;
  }
  if (waker) waker();
}

}  // namespace spooled::server
