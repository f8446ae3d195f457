#include "server/store/sqlite/sqlite_rows.hpp"

#include <map>
#include <mutex>
#include <stdexcept>

#include "common/bounded_json.hpp"
#include "server/store/record_columns.hpp"
#include "server/store/schedule_columns.hpp"

namespace spooled::server {
namespace {

using columns::Spec;
using columns::storedJson;

// --- one C++ type <-> one column value ---

void bindValue(SqliteQuery& q, int i, const std::string& v) { q.bindText(i, v); }
void bindValue(SqliteQuery& q, int i, int v) { q.bindInt(i, v); }
void bindValue(SqliteQuery& q, int i, bool v) { q.bindInt(i, v ? 1 : 0); }
void bindValue(SqliteQuery& q, int i, TimePoint v) { q.bindInt(i, toEpochMs(v)); }
void bindValue(SqliteQuery& q, int i, const json& v) { q.bindText(i, v.dump()); }
void bindValue(SqliteQuery& q, int i, JobStatus v) { q.bindText(i, toString(v)); }
void bindValue(SqliteQuery& q, int i, const std::vector<std::string>& v) { q.bindText(i, json(v).dump()); }
template <class T>
void bindValue(SqliteQuery& q, int i, const std::optional<T>& v) {
  if (v) {
    bindValue(q, i, *v);
  } else {
    q.bindNull(i);
  }
}

void readValue(const SqliteQuery& q, int c, std::string& v) { v = q.columnText(c); }
void readValue(const SqliteQuery& q, int c, int& v) { v = static_cast<int>(q.columnInt(c)); }
void readValue(const SqliteQuery& q, int c, bool& v) { v = q.columnInt(c) != 0; }
void readValue(const SqliteQuery& q, int c, TimePoint& v) { v = fromEpochMs(q.columnInt(c)); }
void readValue(const SqliteQuery& q, int c, json& v) { v = storedJson(q.columnText(c)); }
void readValue(const SqliteQuery& q, int c, std::vector<std::string>& v) {
  v = storedJson(q.columnText(c)).get<std::vector<std::string>>();
}
void readValue(const SqliteQuery& q, int c, JobStatus& v) {
  std::string text = q.columnText(c);
  auto status = parseJobStatus(text);
  if (!status) throw std::runtime_error("jobs row has unknown status '" + text + "'");
  v = *status;
}
template <class T>
void readValue(const SqliteQuery& q, int c, std::optional<T>& v) {
  if (q.isNull(c)) {
    v.reset();
  } else {
    readValue(q, c, v.emplace());
  }
}

// The keys (id, and org_id for organization-scoped records) that every UPDATE binds.

template <class Record>
constexpr std::size_t keyCount() {
  return Spec<Record>::kOrgScoped ? 2 : 1;
}

}  // namespace

template <class Record>
const std::string& SqliteRows<Record>::select() {
  static const std::string sql = columns::selectSql<Record>();
  return sql;
}

template <class Record>
const std::string& SqliteRows<Record>::insert() {
  static const std::string sql = columns::insertSql<Record>('?');
  return sql;
}

template <class Record>
const std::string& SqliteRows<Record>::update() {
  static const std::string sql = columns::updateSql<Record>('?');
  return sql;
}

template <class Record>
std::uint64_t SqliteRows<Record>::changedColumns(const Record& before, const Record& after) {
  return columns::changedColumns(before, after);
}

template <class Record>
const std::string& SqliteRows<Record>::updateOf(std::uint64_t columns) {
  // One text per set of columns; a store writes from one thread, but the map is cheap to guard.
  static std::mutex mutex;
  static std::map<std::uint64_t, std::string> texts;
  const std::lock_guard lock(mutex);
  auto [it, added] = texts.try_emplace(columns);
  if (added) it->second = columns::updateSql<Record>('?', columns);
  return it->second;
}

template <class Record>
void SqliteRows<Record>::bind(SqliteQuery& query, const Record& record, std::uint64_t columns) {
  int index = 1;
  auto bindOne = [&](const char*, const auto& value) {
    const bool key = index <= static_cast<int>(keyCount<Record>());
    if (key || ((columns >> (index - 1)) & 1U)) bindValue(query, index, value);
    ++index;
  };
  Spec<Record>::fields(bindOne, record);
}

template <class Record>
Record SqliteRows<Record>::read(const SqliteQuery& query) {
  Record record;
  int column = 0;
  auto readField = [&](const char*, auto& value) { readValue(query, column++, value); };
  Spec<Record>::fields(readField, record);
  return record;
}

template <class Record>
std::vector<Record> SqliteRows<Record>::readAll(SqliteQuery& query) {
  std::vector<Record> records;
  while (query.step()) records.push_back(read(query));
  return records;
}

template <class Record>
std::optional<Record> SqliteRows<Record>::readOne(SqliteQuery& query) {
  if (!query.step()) return std::nullopt;
  return read(query);
}

template struct SqliteRows<JobRecord>;
template struct SqliteRows<WorkerRecord>;
template struct SqliteRows<OrganizationRecord>;
template struct SqliteRows<ApiKeyRecord>;
template struct SqliteRows<QueueRecord>;
template struct SqliteRows<OutgoingWebhookRecord>;
template struct SqliteRows<WebhookDeliveryRecord>;
template struct SqliteRows<WorkflowRecord>;
template struct SqliteRows<JobDependencyRecord>;
template struct SqliteRows<ScheduleRecord>;
template struct SqliteRows<ScheduleRunRecord>;

const std::string& upsertQueueSql() {
  static const std::string sql = columns::upsertQueueSql('?');
  return sql;
}

void bindParams(SqliteQuery& query, std::initializer_list<SqlParam> params) {
  int index = 1;
  for (const auto& param : params) {
    if (const auto* text = std::get_if<std::string_view>(&param)) {
      query.bindText(index++, *text);
    } else {
      query.bindInt(index++, std::get<std::int64_t>(param));
    }
  }
}

}  // namespace spooled::server
