#include "server/store/postgres/pg_rows.hpp"

#include <stdexcept>

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
