// Outgoing webhooks and their delivery outbox on SQLite (members of SqliteReaderImpl and SqliteTx).
#include <stdexcept>

#include "server/store/sqlite/sqlite_reader.hpp"
#include "server/store/sqlite/sqlite_tx.hpp"

namespace spooled::server {

namespace {

using Webhooks = SqliteRows<OutgoingWebhookRecord>;
using Deliveries = SqliteRows<WebhookDeliveryRecord>;

}  // namespace

template <class I>
std::vector<OutgoingWebhookRecord> SqliteReaderImpl<I>::listOutgoingWebhooks(const std::string& orgId) {
  static const std::string sql = Webhooks::select() + "WHERE org_id = ?1 ORDER BY created_at DESC, rowid DESC";
  return fetchAll<OutgoingWebhookRecord>(sql, {orgId});
}

template <class I>
std::optional<OutgoingWebhookRecord> SqliteReaderImpl<I>::findOutgoingWebhook(const std::string& orgId,
                                                                              const std::string& id) {
  static const std::string sql = Webhooks::select() + "WHERE org_id = ?1 AND id = ?2";
  return fetchOne<OutgoingWebhookRecord>(sql, {orgId, id});
}

template <class I>
std::vector<WebhookDeliveryRecord> SqliteReaderImpl<I>::listWebhookDeliveries(const std::string& orgId,
                                                                              const std::string& webhookId, int limit) {
  static const std::string sql =
      Deliveries::select() + "WHERE webhook_id = ?2 AND org_id = ?1 ORDER BY created_at DESC, rowid DESC LIMIT ?3";
  return fetchAll<WebhookDeliveryRecord>(sql, {orgId, webhookId, limit});
}

template <class I>
std::optional<WebhookDeliveryRecord> SqliteReaderImpl<I>::findWebhookDelivery(const std::string& orgId,
                                                                              const std::string& deliveryId) {
  static const std::string sql = Deliveries::select() + "WHERE org_id = ?1 AND id = ?2";
  return fetchOne<WebhookDeliveryRecord>(sql, {orgId, deliveryId});
}

#define SPOOLED_WEBHOOK_READERS(I)                                                                                  \
  template std::vector<OutgoingWebhookRecord> SqliteReaderImpl<I>::listOutgoingWebhooks(const std::string&);       \
  template std::optional<OutgoingWebhookRecord> SqliteReaderImpl<I>::findOutgoingWebhook(const std::string&,       \
                                                                                         const std::string&);      \
  template std::vector<WebhookDeliveryRecord> SqliteReaderImpl<I>::listWebhookDeliveries(const std::string&,       \
                                                                                         const std::string&, int); \
  template std::optional<WebhookDeliveryRecord> SqliteReaderImpl<I>::findWebhookDelivery(const std::string&,       \
                                                                                         const std::string&);
SPOOLED_WEBHOOK_READERS(StoreReader)
SPOOLED_WEBHOOK_READERS(StoreTx)
#undef SPOOLED_WEBHOOK_READERS

void SqliteTx::insertOutgoingWebhook(const OutgoingWebhookRecord& webhook) {
  writeRow(Webhooks::insert(), webhook, "insertOutgoingWebhook");
}

void SqliteTx::updateOutgoingWebhook(const OutgoingWebhookRecord& webhook) {
  writeRow(Webhooks::update(), webhook, "updateOutgoingWebhook");
}

bool SqliteTx::deleteOutgoingWebhook(const std::string& orgId, const std::string& id) {
  SqliteQuery webhook = conn_.prepare("DELETE FROM outgoing_webhooks WHERE org_id = ?1 AND id = ?2");
  bindParams(webhook, {orgId, id});
  webhook.run();
  if (conn_.changes() == 0) return false;
  SqliteQuery deliveries = conn_.prepare("DELETE FROM outgoing_webhook_deliveries WHERE org_id = ?1 AND webhook_id = ?2");
  bindParams(deliveries, {orgId, id});
  deliveries.run();
  return true;
}

void SqliteTx::recordWebhookOutcome(const std::string& webhookId, bool success, TimePoint at) {
  SqliteQuery query = conn_.prepare(
      "UPDATE outgoing_webhooks SET failure_count = CASE WHEN ?2 THEN 0 ELSE failure_count + 1 END,"
      " last_status = CASE WHEN ?2 THEN 'success' ELSE 'failed' END, last_triggered_at = ?3 WHERE id = ?1");
  bindParams(query, {webhookId, std::int64_t{success ? 1 : 0}, toEpochMs(at)});
  query.run();
}

long long SqliteTx::deleteWebhookDeliveriesBefore(const std::string& webhookId, TimePoint cutoff, int limit) {
  // On idx_webhook_deliveries_webhook (webhook_id, created_at): the oldest of one webhook come first.
  SqliteQuery query = conn_.prepare(
      "DELETE FROM outgoing_webhook_deliveries WHERE id IN (SELECT id FROM outgoing_webhook_deliveries"
      " WHERE webhook_id = ?1 AND created_at < ?2 AND status <> 'pending' ORDER BY created_at LIMIT ?3)");
  bindParams(query, {webhookId, toEpochMs(cutoff), std::int64_t{limit}});
  query.run();
  return conn_.changes();
}

void SqliteTx::insertWebhookDelivery(const WebhookDeliveryRecord& delivery) {
  writeRow(Deliveries::insert(), delivery, "insertWebhookDelivery");
}

void SqliteTx::updateWebhookDelivery(const WebhookDeliveryRecord& delivery) {
  writeRow(Deliveries::update(), delivery, "updateWebhookDelivery");
}

std::vector<WebhookDeliveryRecord> SqliteTx::findDueWebhookDeliveries(TimePoint now, int limit) {
  // The WHERE repeats the partial index idx_webhook_deliveries_due word for word.
  static const std::string sql =
      Deliveries::select() + "WHERE status = 'pending' AND next_attempt_at <= ?1 ORDER BY next_attempt_at, id LIMIT ?2";
  return fetchAll<WebhookDeliveryRecord>(sql, {toEpochMs(now), limit});
}

}  // namespace spooled::server
