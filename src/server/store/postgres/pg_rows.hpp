#pragma once
// Record <-> PostgreSQL row, derived from the one column list of each record (record_columns.hpp):
// times are BIGINT epoch milliseconds, JSON is TEXT, booleans are BOOLEAN, as text parameters.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "server/store/postgres/pg_connection.hpp"
#include "server/store/records.hpp"
#include "server/store/webhook_records.hpp"

namespace spooled::server {

template <class Record>
struct PgRows {
  // "SELECT <every column> FROM <table> " — append a WHERE clause.
  static const std::string& select();
  // INSERT of every column, parameters $1..$N in column order.
  static const std::string& insert();
  // UPDATE of every column but the keys, bound like insert(): "WHERE id = $1" (and "AND org_id = $2"
  // for organization-scoped records, so an update never crosses organizations).
  static const std::string& update();
  static PgParams bind(const Record& record);
  // UPDATE of the keys and the columns in `columns` (bit i: column i, as columns::changedColumns) of one
  // row, numbered $1.. in that order; bindOf binds a record to it.
  static const std::string& updateOf(std::uint64_t columns);
  static PgParams bindOf(const Record& record, std::uint64_t columns);
  // The same columns of many rows in one statement: each column's values travel as one array
  // parameter and the rows are matched on their keys. bindManyOf binds the records to it.
  static const std::string& updateManyOf(std::uint64_t columns);
  // INSERT of every column of many rows, bound with bindManyOf(records, ~0): one array per column.
  static const std::string& insertMany();
  static PgParams bindManyOf(const std::vector<Record>& records, std::uint64_t columns);
  static std::vector<Record> readAll(const PgResult& result);
  static std::optional<Record> readOne(const PgResult& result);
};

extern template struct PgRows<JobRecord>;
extern template struct PgRows<WorkerRecord>;
extern template struct PgRows<OrganizationRecord>;
extern template struct PgRows<ApiKeyRecord>;
extern template struct PgRows<QueueRecord>;
extern template struct PgRows<OutgoingWebhookRecord>;
extern template struct PgRows<WebhookDeliveryRecord>;
extern template struct PgRows<WorkflowRecord>;
extern template struct PgRows<JobDependencyRecord>;

// Insert of a queue that, when (org_id, queue_name) exists, updates that row but keeps its id and created_at.
const std::string& pgUpsertQueueSql();

inline PgParam pgInt(std::int64_t value) { return std::to_string(value); }
inline PgParam pgTime(TimePoint t) { return std::to_string(toEpochMs(t)); }

}  // namespace spooled::server
