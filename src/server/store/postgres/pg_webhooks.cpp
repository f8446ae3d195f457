// Outgoing webhooks and their delivery outbox on PostgreSQL (members of PgReaderImpl and PgTx).
#include <stdexcept>

#include "server/store/postgres/pg_reader.hpp"
#include "server/store/postgres/pg_tx.hpp"

namespace spooled::server {

namespace {

using Webhooks = PgRows<OutgoingWebhookRecord>;
using Deliveries = PgRows<WebhookDeliveryRecord>;

}  // namespace

template <class I>
std::vector<OutgoingWebhookRecord> PgReaderImpl<I>::listOutgoingWebhooks(const std::string& orgId) {
  static const std::string sql = Webhooks::select() + "WHERE org_id = $1 ORDER BY created_at DESC, seq DESC";
  return fetchAll<OutgoingWebhookRecord>(sql, {orgId});
}

template <class I>
std::optional<OutgoingWebhookRecord> PgReaderImpl<I>::findOutgoingWebhook(const std::string& orgId,
                                                                          const std::string& id) {
  static const std::string sql = Webhooks::select() + "WHERE org_id = $1 AND id = $2";
  return fetchOne<OutgoingWebhookRecord>(sql, {orgId, id});
}

template <class I>
std::vector<WebhookDeliveryRecord> PgReaderImpl<I>::listWebhookDeliveries(const std::string& orgId,
                                                                          const std::string& webhookId, int limit) {
  static const std::string sql =
      Deliveries::select() + "WHERE webhook_id = $2 AND org_id = $1 ORDER BY created_at DESC, seq DESC LIMIT $3";
  return fetchAll<WebhookDeliveryRecord>(sql, {orgId, webhookId, pgInt(limit)});
}

template <class I>
std::optional<WebhookDeliveryRecord> PgReaderImpl<I>::findWebhookDelivery(const std::string& orgId,
                                                                          const std::string& deliveryId) {
  // In a write transaction the row is locked: a manual retry and a sender never rewrite it at once.
  return fetchOne<WebhookDeliveryRecord>(Deliveries::select() + "WHERE org_id = $1 AND id = $2" + lock_,
                                         {orgId, deliveryId});
}

#define SPOOLED_WEBHOOK_READERS(I)                                                                              \
  template std::vector<OutgoingWebhookRecord> PgReaderImpl<I>::listOutgoingWebhooks(const std::string&);       \
  template std::optional<OutgoingWebhookRecord> PgReaderImpl<I>::findOutgoingWebhook(const std::string&,       \
                                                                                     const std::string&);      \
  template std::vector<WebhookDeliveryRecord> PgReaderImpl<I>::listWebhookDeliveries(const std::string&,       \
                                                                                     const std::string&, int); \
  template std::optional<WebhookDeliveryRecord> PgReaderImpl<I>::findWebhookDelivery(const std::string&,       \
                                                                                     const std::string&);
SPOOLED_WEBHOOK_READERS(StoreReader)
SPOOLED_WEBHOOK_READERS(StoreTx)
#undef SPOOLED_WEBHOOK_READERS

void PgTx::insertOutgoingWebhook(const OutgoingWebhookRecord& webhook) {
  writeRow(Webhooks::insert(), webhook, "insertOutgoingWebhook");
}

void PgTx::updateOutgoingWebhook(const OutgoingWebhookRecord& webhook) {
  writeRow(Webhooks::update(), webhook, "updateOutgoingWebhook");
}

bool PgTx::deleteOutgoingWebhook(const std::string& orgId, const std::string& id) {
  if (conn_.query("DELETE FROM outgoing_webhooks WHERE org_id = $1 AND id = $2", {orgId, id}).affected() == 0)
    return false;
  conn_.query("DELETE FROM outgoing_webhook_deliveries WHERE org_id = $1 AND webhook_id = $2", {orgId, id});
  return true;
}

void PgTx::recordWebhookOutcome(const std::string& webhookId, bool success, TimePoint at) {
  conn_.query(
      "UPDATE outgoing_webhooks SET failure_count = CASE WHEN $2::boolean THEN 0 ELSE failure_count + 1 END,"
      " last_status = CASE WHEN $2::boolean THEN 'success' ELSE 'failed' END, last_triggered_at = $3 WHERE id = $1",
      {webhookId, std::string(success ? "true" : "false"), pgTime(at)});
}

long long PgTx::deleteWebhookDeliveriesBefore(const std::string& webhookId, TimePoint cutoff, int limit) {
  // On idx_webhook_deliveries_webhook (webhook_id, created_at): the oldest of one webhook come first.
  return conn_
      .query("DELETE FROM outgoing_webhook_deliveries WHERE id IN (SELECT id FROM outgoing_webhook_deliveries"
             " WHERE webhook_id = $1 AND created_at < $2 AND status <> 'pending' ORDER BY created_at LIMIT $3)",
             {webhookId, pgTime(cutoff), pgInt(limit)})
      .affected();
}

void PgTx::insertWebhookDelivery(const WebhookDeliveryRecord& delivery) {
  writeRow(Deliveries::insert(), delivery, "insertWebhookDelivery");
}

void PgTx::updateWebhookDelivery(const WebhookDeliveryRecord& delivery) {
  writeRow(Deliveries::update(), delivery, "updateWebhookDelivery");
}

std::vector<WebhookDeliveryRecord> PgTx::findDueWebhookDeliveries(TimePoint now, int limit) {
  static const std::string sql = Deliveries::select() +
                                 "WHERE status = 'pending' AND next_attempt_at <= $1"
                                 " ORDER BY next_attempt_at, id LIMIT $2 FOR UPDATE SKIP LOCKED";
  return fetchAll<WebhookDeliveryRecord>(sql, {pgTime(now), pgInt(limit)});
}

}  // namespace spooled::server
