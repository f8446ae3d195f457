#pragma once
// The outgoing-webhook outbox. Inside the transaction of every change (a TxChangeListener on the
// change feed) it writes one delivery row per enabled webhook of the organization that subscribed to
// the event, so a change that commits always has its notifications stored with it; a crash between
// the commit and the send loses nothing. After the commit (a JobEventListener on the same feed) it
// wakes the sender, which then reads the rows (webhook/webhook_delivery_loop).
//
// Which webhooks an organization has is cached for up to a second: without that, every job change
// would read the webhooks table. A change made on this server drops the organization's entry at once
// (forget()); a change made on another server sharing the database is seen within the second.
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "server/core/job_events.hpp"
#include "server/core/webhook_events.hpp"
#include "server/store/store.hpp"

namespace spooled::server {

class WebhookOutbox final : public TxChangeListener, public JobEventListener {
 public:
  // maxAttempts: attempts a delivery gets before it is marked failed.
  explicit WebhookOutbox(int maxAttempts, std::function<TimePoint()> now = nowMs);

  // Called after a commit that stored deliveries (from any thread; must be cheap).
  void setWaker(std::function<void()> waker);
  // The organization's webhooks changed: read them again at its next event.
  void forget(const std::string& orgId);
  int maxAttempts() const { return maxAttempts_; }

  bool interestedIn(StoreTx& tx, const std::string& orgId) override { return !targetsFor(tx, orgId).empty(); }
  void onJobChange(StoreTx& tx, const JobEvent& event) override { record(tx, event); }
  void onQueueChange(StoreTx& tx, const QueueEvent& event) override { record(tx, event); }
  void onWorkerChange(StoreTx& tx, const WorkerEvent& event) override { record(tx, event); }

  void onJobEvent(const JobEvent& event) noexcept override { wakeIfSubscribed(event.orgId, webhookEventName(event)); }
  void onQueueEvent(const QueueEvent& event) noexcept override { wakeIfSubscribed(event.orgId, webhookEventName(event)); }
  void onWorkerEvent(const WorkerEvent& event) noexcept override {
    wakeIfSubscribed(event.orgId, webhookEventName(event));
  }

  // A delivery of `payload` to one webhook, due now (also used by manual retries' tests).
  WebhookDeliveryRecord newDelivery(const std::string& orgId, const std::string& webhookId, const std::string& event,
                                    const json& payload, TimePoint now) const;

 private:
  struct Target {
    std::string webhookId;
    std::vector<std::string> events;
  };
  struct Entry {
    std::chrono::steady_clock::time_point loadedAt;
    std::vector<Target> targets;
  };

  // Stores one delivery per subscribed webhook; builds the body only when there is one.
  template <class Event>
  void record(StoreTx& tx, const Event& event) {
    const char* name = webhookEventName(event);
    if (name == nullptr) return;
    const std::vector<std::string> webhookIds = subscribers(tx, event.orgId, name);
    if (webhookIds.empty()) return;
    store(tx, event.orgId, webhookIds, *webhookEventFor(event));
  }
  std::vector<std::string> subscribers(StoreTx& tx, const std::string& orgId, const std::string& name);
  void store(StoreTx& tx, const std::string& orgId, const std::vector<std::string>& webhookIds,
             const WebhookEvent& event);
  std::vector<Target> targetsFor(StoreTx& tx, const std::string& orgId);
  void wakeIfSubscribed(const std::string& orgId, const char* name) noexcept;

  const int maxAttempts_;
  std::function<TimePoint()> now_;
  std::mutex mutex_;
  std::unordered_map<std::string, Entry> cache_;  // orgId -> its enabled webhooks
  std::function<void()> waker_;
};

}  // namespace spooled::server
