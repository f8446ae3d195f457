#pragma once
// Record <-> row mapping. Each record type's columns are listed once (in sqlite_rows.cpp); the
// SELECT/INSERT/UPDATE texts, the binding and the reading are all derived from that one list.
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "server/store/records.hpp"
#include "server/store/webhook_records.hpp"
#include "server/store/sqlite/sqlite_connection.hpp"

namespace spooled::server {

template <class Record>
struct SqliteRows {
  // "SELECT <every column> FROM <table> " — append a WHERE clause.
  static const std::string& select();
  // INSERT of every column, parameters ?1..?N in column order.
  static const std::string& insert();
  // UPDATE of every column but the keys, bound exactly like insert(): "WHERE id = ?1" and, for
  // organization-scoped records, "AND org_id = ?2", so an update can never cross organizations.
  static const std::string& update();
  // The columns (bit i: column i, in insert() order) whose values differ between two versions of a row.
  static std::uint64_t changedColumns(const Record& before, const Record& after);
  // UPDATE of just these columns (non-empty, keys excluded), bound like update(). SQLite rewrites the
  // index entries of every column a SET names, changed or not; naming only the changed ones spares
  // the untouched indexes.
  static const std::string& updateOf(std::uint64_t columns);
  // Binds the record's columns to ?1..?N; with `columns`, only the keys and those columns.
  static void bind(SqliteQuery& query, const Record& record, std::uint64_t columns = ~std::uint64_t{0});
  // Reads the current row of a statement built on select().
  static Record read(const SqliteQuery& query);
  static std::vector<Record> readAll(SqliteQuery& query);
  static std::optional<Record> readOne(SqliteQuery& query);
};

extern template struct SqliteRows<JobRecord>;
extern template struct SqliteRows<WorkerRecord>;
extern template struct SqliteRows<OrganizationRecord>;
extern template struct SqliteRows<ApiKeyRecord>;
extern template struct SqliteRows<QueueRecord>;
extern template struct SqliteRows<OutgoingWebhookRecord>;
extern template struct SqliteRows<WebhookDeliveryRecord>;
extern template struct SqliteRows<WorkflowRecord>;
extern template struct SqliteRows<JobDependencyRecord>;

// Insert of a queue that, when (org_id, queue_name) exists, updates that row but keeps its id and created_at.
const std::string& upsertQueueSql();

// A positional query parameter.
using SqlParam = std::variant<std::string_view, std::int64_t>;
// Binds params to ?1, ?2, ... in order.
void bindParams(SqliteQuery& query, std::initializer_list<SqlParam> params);

}  // namespace spooled::server
