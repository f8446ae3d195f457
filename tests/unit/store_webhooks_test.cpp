// Outgoing webhooks and their delivery outbox on both stores: rows round-trip, lists are scoped to the
// organization, due deliveries are found in order, a delivery written by the outbox commits or rolls
// back with the change that caused it, and on PostgreSQL two transactions never take one due row.
#include <gtest/gtest.h>

#include <future>

#include "common/ids.hpp"
#include "server/core/job_retention.hpp"
#include "server/core/webhook_outbox.hpp"
#include "store_fixtures.hpp"

namespace spooled::server {
namespace {

using namespace store_fixtures;

class StoreWebhooksTest : public ::testing::TestWithParam<StoreBackend> {
 protected:
  void SetUp() override {
    store_ = GetParam().open(dir_.path());
    org_ = fullOrganization("acme");
    store_->writeNow([&](StoreTx& tx) { tx.insertOrganization(org_); });
  }

  OutgoingWebhookRecord webhook(const std::string& name, int createdSec, std::vector<std::string> events = {"job.created"}) {
    OutgoingWebhookRecord w;
    w.id = newUuid();
    w.orgId = org_.id;
    w.name = name;
    w.url = "https://hooks.example.com/" + name;
    w.secret = "s3cret";
    w.events = std::move(events);
    w.createdAt = w.updatedAt = at(createdSec);
    store_->writeNow([&](StoreTx& tx) { tx.insertOutgoingWebhook(w); });
    return w;
  }

  WebhookDeliveryRecord delivery(const OutgoingWebhookRecord& w, int dueSec, const std::string& status = "pending") {
    WebhookDeliveryRecord d;
    d.id = newTimeOrderedUuid();
    d.orgId = w.orgId;
    d.webhookId = w.id;
    d.event = "job.created";
    d.payload = {{"event", "job.created"}, {"data", {{"job_id", "j"}}}};
    d.status = status;
    d.nextAttemptAt = at(dueSec);
    d.createdAt = at(dueSec);
    store_->writeNow([&](StoreTx& tx) { tx.insertWebhookDelivery(d); });
    return d;
  }

  std::vector<std::string> dueIds(int nowSec, int limit = 10) {
    std::vector<std::string> ids;
    for (const auto& d : store_->writeNow([&](StoreTx& tx) { return tx.findDueWebhookDeliveries(at(nowSec), limit); }))
      ids.push_back(d.id);
    return ids;
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
  OrganizationRecord org_;
};

TEST_P(StoreWebhooksTest, WebhooksRoundTripAndStayInTheirOrganization) {
  const auto older = webhook("older", 1, {"job.completed", "queue.paused"});
  const auto newer = webhook("newer", 2);
  const auto listed = store_->readResult([&](StoreReader& r) { return r.listOutgoingWebhooks(org_.id); });
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].id, newer.id);  // newest first
  const OutgoingWebhookRecord& got = listed[1];
  EXPECT_EQ(got.name, "older");
  EXPECT_EQ(got.url, older.url);
  EXPECT_EQ(got.secret, "s3cret");
  EXPECT_EQ(got.events, older.events);
  EXPECT_TRUE(got.enabled);
  EXPECT_EQ(got.createdAt, at(1));
  EXPECT_FALSE(got.lastTriggeredAt);

  EXPECT_FALSE(store_->readResult([&](StoreReader& r) { return r.findOutgoingWebhook("other-org", older.id); }));
  EXPECT_TRUE(store_->readResult([&](StoreReader& r) { return r.listOutgoingWebhooks("other-org"); }).empty());

  OutgoingWebhookRecord changed = older;
  changed.enabled = false;
  changed.secret.reset();
  store_->writeNow([&](StoreTx& tx) {
    tx.updateOutgoingWebhook(changed);
    tx.recordWebhookOutcome(older.id, false, at(5));
    tx.recordWebhookOutcome(older.id, false, at(6));
  });
  auto after = *store_->readResult([&](StoreReader& r) { return r.findOutgoingWebhook(org_.id, older.id); });
  EXPECT_FALSE(after.enabled);
  EXPECT_FALSE(after.secret);
  EXPECT_EQ(after.failureCount, 2);
  EXPECT_EQ(after.lastStatus, "failed");
  EXPECT_EQ(after.lastTriggeredAt, at(6));
  store_->writeNow([&](StoreTx& tx) { tx.recordWebhookOutcome(older.id, true, at(7)); });
  after = *store_->readResult([&](StoreReader& r) { return r.findOutgoingWebhook(org_.id, older.id); });
  EXPECT_EQ(after.failureCount, 0);
  EXPECT_EQ(after.lastStatus, "success");

  const auto d = delivery(older, 3);
  EXPECT_FALSE(store_->writeNow([&](StoreTx& tx) { return tx.deleteOutgoingWebhook("other-org", older.id); }));
  EXPECT_TRUE(store_->writeNow([&](StoreTx& tx) { return tx.deleteOutgoingWebhook(org_.id, older.id); }));
  EXPECT_FALSE(store_->readResult([&](StoreReader& r) { return r.findWebhookDelivery(org_.id, d.id); }));
  EXPECT_EQ(store_->readResult([&](StoreReader& r) { return r.listOutgoingWebhooks(org_.id); }).size(), 1u);
}

TEST_P(StoreWebhooksTest, DeliveriesAreListedNewestFirstAndFoundWhenDue) {
  const auto w = webhook("w", 0);
  const auto first = delivery(w, 10);
  const auto second = delivery(w, 20);
  const auto done = delivery(w, 5, "success");
  const auto listed = store_->readResult([&](StoreReader& r) { return r.listWebhookDeliveries(org_.id, w.id, 2); });
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].id, second.id);
  EXPECT_EQ(listed[1].id, first.id);
  EXPECT_EQ(listed[0].payload["data"]["job_id"], "j");
  EXPECT_TRUE(store_->readResult([&](StoreReader& r) { return r.listWebhookDeliveries("other-org", w.id, 10); }).empty());

  EXPECT_TRUE(dueIds(9).empty());
  EXPECT_EQ(dueIds(15), std::vector<std::string>{first.id});
  EXPECT_EQ(dueIds(25), (std::vector<std::string>{first.id, second.id}));  // oldest due first; done never
  EXPECT_EQ(dueIds(25, 1), std::vector<std::string>{first.id});

  WebhookDeliveryRecord leased = first;
  leased.nextAttemptAt = at(100);
  leased.attempts = 1;
  leased.attemptLog = json::array({{{"attempt", 1}, {"status_code", 500}}});
  store_->writeNow([&](StoreTx& tx) { tx.updateWebhookDelivery(leased); });
  EXPECT_EQ(dueIds(25), std::vector<std::string>{second.id});
  const auto got = *store_->readResult([&](StoreReader& r) { return r.findWebhookDelivery(org_.id, first.id); });
  EXPECT_EQ(got.attempts, 1);
  EXPECT_EQ(got.attemptLog[0]["status_code"], 500);
  EXPECT_FALSE(store_->readResult([&](StoreReader& r) { return r.findWebhookDelivery("other-org", first.id); }));
  (void)done;
}

TEST_P(StoreWebhooksTest, TheOutboxWritesInTheChangesTransactionAndRollsBackWithIt) {
  const auto w = webhook("w", 0, {"job.created"});
  webhook("other-events", 0, {"job.completed"});
  WebhookOutbox outbox(5, [] { return at(50); });
  const JobRecord job = minimalJob(org_.id, "q");
  JobEvent event;
  event.kind = JobEvent::Kind::Created;
  event.orgId = org_.id;
  event.queueName = "q";
  event.jobId = job.id;
  event.newStatus = "pending";

  // A change that fails after the outbox wrote: neither the job nor its delivery is stored.
  EXPECT_THROW(store_->writeNow([&](StoreTx& tx) {
    tx.insertJob(job);
    outbox.onJobChange(tx, event);
    throw std::runtime_error("the change fails");
  }),
               std::runtime_error);
  EXPECT_TRUE(dueIds(60).empty());

  store_->writeNow([&](StoreTx& tx) {
    tx.insertJob(job);
    outbox.onJobChange(tx, event);
  });
  const auto due = store_->writeNow([&](StoreTx& tx) { return tx.findDueWebhookDeliveries(at(60), 10); });
  ASSERT_EQ(due.size(), 1u);  // only the webhook that subscribed to job.created
  EXPECT_EQ(due[0].webhookId, w.id);
  EXPECT_EQ(due[0].event, "job.created");
  EXPECT_EQ(due[0].payload["event"], "job.created");
  EXPECT_EQ(due[0].payload["data"]["job_id"], job.id);
  EXPECT_EQ(due[0].maxAttempts, 5);
  EXPECT_EQ(due[0].status, "pending");

  event.kind = JobEvent::Kind::Progress;  // not a webhook event
  store_->writeNow([&](StoreTx& tx) { outbox.onJobChange(tx, event); });
  EXPECT_EQ(dueIds(60).size(), 1u);
}

TEST_P(StoreWebhooksTest, TwoTransactionsNeverTakeTheSameDueDelivery) {
  if (GetParam().name != "postgres") GTEST_SKIP() << "SQLite has one writer: transactions never overlap";
  const auto w = webhook("w", 0);
  delivery(w, 1);
  std::promise<void> firstHolds, secondDone;
  auto first = std::async(std::launch::async, [&] {
    return store_->writeNow([&](StoreTx& tx) {
      auto rows = tx.findDueWebhookDeliveries(at(10), 10);
      firstHolds.set_value();
      secondDone.get_future().wait();  // keep the row locked while the other transaction looks
      return rows.size();
    });
  });
  firstHolds.get_future().wait();
  const auto seen = store_->writeNow([&](StoreTx& tx) { return tx.findDueWebhookDeliveries(at(10), 10); });
  secondDone.set_value();
  EXPECT_EQ(first.get(), 1u);
  EXPECT_TRUE(seen.empty()) << "the locked row was handed out twice";
}

TEST_P(StoreWebhooksTest, RetentionDeletesOldFinishedDeliveriesButNeverPendingOnes) {
  using namespace std::chrono_literals;
  const OutgoingWebhookRecord hook = webhook("slack", 0), other = webhook("pager", 0);
  const WebhookDeliveryRecord oldSuccess = delivery(hook, 10, "success"), oldFailed = delivery(hook, 20, "failed");
  const WebhookDeliveryRecord oldPending = delivery(hook, 30), recent = delivery(hook, 95, "success");
  const WebhookDeliveryRecord otherOld = delivery(other, 10, "success");
  auto exists = [&](const WebhookDeliveryRecord& d) {
    return store_->readResult([&](StoreReader& r) { return r.findWebhookDelivery(org_.id, d.id).has_value(); });
  };
  RetentionPolicy keepMinute;
  keepMinute.webhookDeliveries = 60s;
  EXPECT_EQ(syncWait(purgeOldWebhookDeliveries(*store_, keepMinute, at(100), 1)), 2) << "one per webhook per call";
  EXPECT_EQ(syncWait(purgeOldWebhookDeliveries(*store_, keepMinute, at(100), 1)), 1);
  EXPECT_EQ(syncWait(purgeOldWebhookDeliveries(*store_, keepMinute, at(100), 1)), 0);
  EXPECT_FALSE(exists(oldSuccess));
  EXPECT_FALSE(exists(oldFailed));
  EXPECT_FALSE(exists(otherOld));
  EXPECT_TRUE(exists(oldPending)) << "a delivery still being tried is kept whatever its age";
  EXPECT_TRUE(exists(recent));
  EXPECT_EQ(syncWait(purgeOldWebhookDeliveries(*store_, RetentionPolicy{}, at(1000))), 0) << "no policy: kept";
  EXPECT_TRUE(exists(recent));
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreWebhooksTest, ::testing::ValuesIn(storeBackends()), backendTestName);

}  // namespace
}  // namespace spooled::server
