#include "server/store/postgres/pg_connection.hpp"

#include <cstdlib>

namespace spooled::server {

namespace {

std::string trimmed(const char* text) {
  std::string s = text ? text : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// libpq's view of the parameters: text values, nullptr for NULL.
std::vector<const char*> paramValues(const PgParams& params) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
  return values;
}

}  // namespace

long long PgResult::affected() const {
  const char* text = PQcmdTuples(result_.get());
  return (text && *text) ? std::atoll(text) : 0;
}

PgConnection::PgConnection(std::string url) : url_(std::move(url)) { connect(); }

PgConnection::~PgConnection() {
  if (conn_) PQfinish(conn_);
}

void PgConnection::connect() {
  if (conn_) PQfinish(conn_);
  prepared_.clear();
  // A server that does not answer at all (no refusal) must not hold a writer or a shutdown for long;
  // connect_timeout comes first so that one in the URL overrides it.
  const char* keywords[] = {"connect_timeout", "dbname", nullptr};
  const char* values[] = {"5", url_.c_str(), nullptr};
  conn_ = PQconnectdbParams(keywords, values, 1);
  if (PQstatus(conn_) != CONNECTION_OK) {
    std::string message = "cannot connect to PostgreSQL: " + trimmed(PQerrorMessage(conn_));
    PQfinish(conn_);
    conn_ = nullptr;
    throw PgError(message, "", true);
  }
  // Times are epoch milliseconds and text is UTF-8 whatever the server's defaults are.
  exec("SET client_encoding = 'UTF8'; SET client_min_messages = warning");
}

void PgConnection::reconnect() { connect(); }

bool PgConnection::broken() const { return conn_ == nullptr || PQstatus(conn_) != CONNECTION_OK; }

bool PgConnection::inTransaction() const {
  if (!conn_) return false;
  const auto status = PQtransactionStatus(conn_);
  return status == PQTRANS_INTRANS || status == PQTRANS_INERROR || status == PQTRANS_ACTIVE;
}

bool PgConnection::transactionFailed() const { return conn_ && PQtransactionStatus(conn_) == PQTRANS_INERROR; }

void PgConnection::rollbackQuietly() noexcept {
  try {
    if (!broken() && inTransaction()) exec("ROLLBACK");
  } catch (...) {
  }
}

PgResult PgConnection::check(PGresult* raw, const std::string& sql) {
  PgResult result(raw);
  const auto status = raw ? PQresultStatus(raw) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return result;
  const char* state = raw ? PQresultErrorField(raw, PG_DIAG_SQLSTATE) : nullptr;
  std::string sqlstate = state ? state : "";
  const bool lost = broken() || sqlstate.rfind("08", 0) == 0 || sqlstate == "57P01" || sqlstate == "57P02" ||
                    sqlstate == "57P03";
  std::string message = trimmed(raw ? PQresultErrorMessage(raw) : PQerrorMessage(conn_));
  if (message.empty()) message = trimmed(PQerrorMessage(conn_));
  throw PgError("PostgreSQL: " + message + " (in: " + sql.substr(0, 120) + ")", sqlstate, lost);
}

PgResult PgConnection::query(const std::string& sql, const PgParams& params) {
  if (!conn_) throw PgError("PostgreSQL: not connected", "", true);
  auto it = prepared_.find(sql);
  if (it == prepared_.end()) {
    std::string name = "s" + std::to_string(prepared_.size());
    check(PQprepare(conn_, name.c_str(), sql.c_str(), 0, nullptr), sql);
    it = prepared_.emplace(sql, std::move(name)).first;
  }
  const std::vector<const char*> values = paramValues(params);
  return check(PQexecPrepared(conn_, it->second.c_str(), static_cast<int>(values.size()), values.data(), nullptr,
                              nullptr, 0),
               sql);
}

PgResult PgConnection::queryPlannedEachTime(const std::string& sql, const PgParams& params) {
  if (!conn_) throw PgError("PostgreSQL: not connected", "", true);
  const std::vector<const char*> values = paramValues(params);
  return check(PQexecParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(), nullptr,
                            nullptr, 0),
               sql);
}

void PgConnection::exec(const std::string& sql) {
  if (!conn_) throw PgError("PostgreSQL: not connected", "", true);
  check(PQexec(conn_, sql.c_str()), sql);
}

std::optional<std::string> PgConnection::queryText(const std::string& sql, const PgParams& params) {
  PgResult result = query(sql, params);
  if (result.rows() == 0 || result.isNull(0, 0)) return std::nullopt;
  return result.text(0, 0);
}

}  // namespace spooled::server
