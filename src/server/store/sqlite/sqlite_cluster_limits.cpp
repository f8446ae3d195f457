// The claim-rate bucket as a row, as on PostgreSQL (pg_cluster_limits.cpp). Core uses it only when
// several processes share a database; a SQLite server keeps its limits in memory, and this copy keeps
// the two stores on one conformance suite.
#include <algorithm>

#include "server/store/sqlite/sqlite_tx.hpp"

namespace spooled::server {

namespace {

// ?1 org, ?2 queue, ?3 rate per second, ?4 wanted, ?5 now (ms); tokens in millionths. In DO UPDATE,
// bare column names are the existing row's.
constexpr const char* kTakeSql = R"sql(
INSERT INTO claim_rate_buckets (org_id, queue_name, micro_tokens, refilled_at, granted)
VALUES (?1, ?2, (?3 - MIN(?4, ?3)) * 1000000, ?5, MIN(?4, ?3))
ON CONFLICT (org_id, queue_name) DO UPDATE SET
  granted = MIN(?4, MIN(?3 * 1000000, micro_tokens + MAX(0, ?5 - refilled_at) * ?3 * 1000) / 1000000),
  micro_tokens = MIN(?3 * 1000000, micro_tokens + MAX(0, ?5 - refilled_at) * ?3 * 1000)
                 - MIN(?4, MIN(?3 * 1000000, micro_tokens + MAX(0, ?5 - refilled_at) * ?3 * 1000) / 1000000) * 1000000,
  refilled_at = MAX(refilled_at, ?5)
RETURNING granted
)sql";

constexpr const char* kReturnSql = R"sql(
UPDATE claim_rate_buckets SET micro_tokens = MIN(?3 * 1000000, micro_tokens + ?4 * 1000000)
WHERE org_id = ?1 AND queue_name = ?2
)sql";

}  // namespace

int SqliteTx::takeClaimTokens(const std::string& orgId, const std::string& queueName, int ratePerSecond, int wanted,
                              TimePoint now) {
  if (ratePerSecond < 1 || wanted < 1) return 0;
  SqliteQuery query = conn_.prepare(kTakeSql);
  query.bindText(1, orgId);
  query.bindText(2, queueName);
  query.bindInt(3, ratePerSecond);
  query.bindInt(4, wanted);
  query.bindInt(5, toEpochMs(now));
  const int granted = query.step() ? static_cast<int>(query.columnInt(0)) : 0;
  while (query.step()) {
  }
  return std::max(0, granted);
}

void SqliteTx::returnClaimTokens(const std::string& orgId, const std::string& queueName, int ratePerSecond,
                                 int tokens) {
  if (tokens <= 0 || ratePerSecond < 1) return;
  SqliteQuery query = conn_.prepare(kReturnSql);
  query.bindText(1, orgId);
  query.bindText(2, queueName);
  query.bindInt(3, ratePerSecond);
  query.bindInt(4, tokens);
  query.run();
}

}  // namespace spooled::server
