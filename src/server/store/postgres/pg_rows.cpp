#include "server/store/postgres/pg_rows.hpp"

#include <map>
#include <mutex>
#include <stdexcept>
#include <utility>

#include "server/store/record_columns.hpp"
#include "server/store/schedule_columns.hpp"

namespace spooled::server {
namespace {

using columns::Spec;
using columns::storedJson;

// --- one C++ type <-> one text value ---

PgParam toParam(const std::string& v) { return v; }
PgParam toParam(int v) { return std::to_string(v); }
PgParam toParam(bool v) { return std::string(v ? "true" : "false"); }
PgParam toParam(TimePoint v) { return pgTime(v); }
PgParam toParam(const json& v) { return v.dump(); }
PgParam toParam(JobStatus v) { return std::string(toString(v)); }
PgParam toParam(const std::vector<std::string>& v) { return json(v).dump(); }
template <class T>
PgParam toParam(const std::optional<T>& v) {
  return v ? toParam(*v) : PgParam{};
}

void fromText(const std::string& t, std::string& v) { v = t; }
void fromText(const std::string& t, int& v) { v = std::stoi(t); }
void fromText(const std::string& t, bool& v) { v = t == "t" || t == "true"; }
void fromText(const std::string& t, TimePoint& v) { v = fromEpochMs(std::stoll(t)); }
void fromText(const std::string& t, json& v) { v = storedJson(t); }
void fromText(const std::string& t, std::vector<std::string>& v) { v = storedJson(t).get<std::vector<std::string>>(); }
void fromText(const std::string& t, JobStatus& v) {
  auto status = parseJobStatus(t);
  if (!status) throw std::runtime_error("jobs row has unknown status '" + t + "'");
  v = *status;
}

// The PostgreSQL type of a column, from its C++ type (as toParam writes it).
const char* sqlType(const std::string&) { return "text"; }
const char* sqlType(int) { return "integer"; }
const char* sqlType(bool) { return "boolean"; }
const char* sqlType(TimePoint) { return "bigint"; }
const char* sqlType(const json&) { return "text"; }
const char* sqlType(JobStatus) { return "text"; }
const char* sqlType(const std::vector<std::string>&) { return "text"; }
template <class T>
const char* sqlType(const std::optional<T>&) {
  return sqlType(T{});
}

// One element of an array literal: quoted, with backslashes and quotes escaped; NULL bare.
void appendArrayElement(std::string& out, const PgParam& value) {
  if (!value) {
    out += "NULL";
    return;
  }
  out += '"';
  for (char c : *value) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
}

template <class Record>
constexpr std::size_t keyCount() {
  return columns::Spec<Record>::kOrgScoped ? 2 : 1;
}

template <class Record>
bool written(std::size_t index, std::uint64_t columns) {
  return index < keyCount<Record>() || ((columns >> index) & 1U);
}

// Statement texts by column set: a store's writers share them, so the map is guarded.
template <class Record>
const std::string& cachedText(std::uint64_t columns, bool many, std::string (*make)(std::uint64_t)) {
  static std::mutex mutex;
  static std::map<std::pair<std::uint64_t, bool>, std::string> texts;
  const std::lock_guard lock(mutex);
  auto [it, added] = texts.try_emplace({columns, many});
  if (added) it->second = make(columns);
  return it->second;
}

template <class Record>
std::string updateOfText(std::uint64_t columns) {
  std::vector<std::string> sets;
  std::vector<std::string> keys;
  std::size_t index = 0;
  int number = 0;
  auto add = [&](const char* name, const auto&) {
    if (written<Record>(index, columns)) {
      const std::string term = std::string(name) + " = $" + std::to_string(++number);
      (index < keyCount<Record>() ? keys : sets).push_back(term);
    }
    ++index;
  };
  Record sample;
  Spec<Record>::fields(add, sample);
  return std::string("UPDATE ") + Spec<Record>::kTable + " SET " + columns::joined(sets, ", ") + " WHERE " +
         columns::joined(keys, " AND ");
}

// UPDATE t SET c = v.c ... FROM unnest($1::text[], ...) AS v(id, ...) WHERE t.id = v.id [AND t.org_id = v.org_id]
template <class Record>
std::string updateManyOfText(std::uint64_t columns) {
  std::vector<std::string> arrays, names, sets, keys;
  std::size_t index = 0;
  auto add = [&](const char* name, const auto& value) {
    if (written<Record>(index, columns)) {
      arrays.push_back("$" + std::to_string(arrays.size() + 1) + "::" + sqlType(value) + "[]");
      names.emplace_back(name);
      const std::string term = std::string(name) + " = v." + name;
      (index < keyCount<Record>() ? keys : sets).push_back(index < keyCount<Record>() ? "t." + term : term);
    }
    ++index;
  };
  Record sample;
  Spec<Record>::fields(add, sample);
  return std::string("UPDATE ") + Spec<Record>::kTable + " AS t SET " + columns::joined(sets, ", ") +
         " FROM unnest(" + columns::joined(arrays, ", ") + ") AS v(" + columns::joined(names, ", ") + ") WHERE " +
         columns::joined(keys, " AND ");
}

template <class Record>
std::string insertManyText() {
  std::vector<std::string> arrays, names;
  auto add = [&](const char* name, const auto& value) {
    arrays.push_back("$" + std::to_string(arrays.size() + 1) + "::" + sqlType(value) + "[]");
    names.emplace_back(name);
  };
  Record sample;
  Spec<Record>::fields(add, sample);
  return std::string("INSERT INTO ") + Spec<Record>::kTable + " (" + columns::joined(names, ", ") +
         ") SELECT * FROM unnest(" + columns::joined(arrays, ", ") + ")";
}

template <class T>
void readField(const PgResult& r, int row, int column, T& v) {
  fromText(r.text(row, column), v);
}
template <class T>
void readField(const PgResult& r, int row, int column, std::optional<T>& v) {
  if (r.isNull(row, column)) {
    v.reset();
  } else {
    fromText(r.text(row, column), v.emplace());
  }
}

}  // namespace

template <class Record>
const std::string& PgRows<Record>::select() {
  static const std::string sql = columns::selectSql<Record>();
  return sql;
}

template <class Record>
const std::string& PgRows<Record>::insert() {
  static const std::string sql = columns::insertSql<Record>('$');
  return sql;
}

template <class Record>
const std::string& PgRows<Record>::update() {
  static const std::string sql = columns::updateSql<Record>('$');
  return sql;
}

template <class Record>
PgParams PgRows<Record>::bind(const Record& record) {
  PgParams params;
  auto bindOne = [&](const char*, const auto& value) { params.push_back(toParam(value)); };
  Spec<Record>::fields(bindOne, record);
  return params;
}

template <class Record>
const std::string& PgRows<Record>::updateOf(std::uint64_t columns) {
  return cachedText<Record>(columns, false, &updateOfText<Record>);
}

template <class Record>
PgParams PgRows<Record>::bindOf(const Record& record, std::uint64_t columns) {
  PgParams params;
  std::size_t index = 0;
  auto bindOne = [&](const char*, const auto& value) {
    if (written<Record>(index++, columns)) params.push_back(toParam(value));
  };
  Spec<Record>::fields(bindOne, record);
  return params;
}

template <class Record>
const std::string& PgRows<Record>::updateManyOf(std::uint64_t columns) {
  return cachedText<Record>(columns, true, &updateManyOfText<Record>);
}

template <class Record>
const std::string& PgRows<Record>::insertMany() {
  static const std::string sql = insertManyText<Record>();
  return sql;
}

template <class Record>
PgParams PgRows<Record>::bindManyOf(const std::vector<Record>& records, std::uint64_t columns) {
  std::vector<std::string> arrays;
  for (std::size_t r = 0; r < records.size(); ++r) {
    std::size_t index = 0;
    std::size_t column = 0;
    auto bindOne = [&](const char*, const auto& value) {
      if (written<Record>(index++, columns)) {
        if (r == 0) arrays.emplace_back("{");
        std::string& array = arrays[column++];
        if (r > 0) array += ',';
        appendArrayElement(array, toParam(value));
      }
    };
    Spec<Record>::fields(bindOne, records[r]);
  }
  PgParams params;
  for (std::string& array : arrays) params.push_back(std::move(array += '}'));
  return params;
}

template <class Record>
std::vector<Record> PgRows<Record>::readAll(const PgResult& result) {
  std::vector<Record> records;
  records.reserve(static_cast<std::size_t>(result.rows()));
  for (int row = 0; row < result.rows(); ++row) {
    Record record;
    int column = 0;
    auto readOne = [&](const char*, auto& value) { readField(result, row, column++, value); };
    Spec<Record>::fields(readOne, record);
    records.push_back(std::move(record));
  }
  return records;
}

template <class Record>
std::optional<Record> PgRows<Record>::readOne(const PgResult& result) {
  auto all = readAll(result);
  if (all.empty()) return std::nullopt;
  return std::move(all.front());
}

template struct PgRows<JobRecord>;
template struct PgRows<WorkerRecord>;
template struct PgRows<OrganizationRecord>;
template struct PgRows<ApiKeyRecord>;
template struct PgRows<QueueRecord>;
template struct PgRows<OutgoingWebhookRecord>;
template struct PgRows<WebhookDeliveryRecord>;
template struct PgRows<WorkflowRecord>;
template struct PgRows<JobDependencyRecord>;
template struct PgRows<ScheduleRecord>;
template struct PgRows<ScheduleRunRecord>;

const std::string& pgUpsertQueueSql() {
  static const std::string sql = columns::upsertQueueSql('$');
  return sql;
}

}  // namespace spooled::server
