// Shared request-rate buckets (migration 8): one statement per sync carries every key's uses, so the
// cost is one round trip per server per sync interval, whatever the request rate.
#include <spdlog/spdlog.h>

#include <unordered_map>

#include "server/store/postgres/pg_cluster_signals.hpp"
#include "spooled/json.hpp"

namespace spooled::server {

namespace {

// A new row starts full, less what was used. `last_used`, `per_second` and `burst` carry the report
// into DO UPDATE (EXCLUDED only has the table's columns). Rows are locked in key order, so two servers
// syncing overlapping keys at once cannot deadlock. Debt (servers together admitted more than the
// bucket held, e.g. each starting from a full copy) is paid back by refusing; it is floored at ten
// bursts so that uses reported twice (a sync whose outcome was unknown) cannot lock a key out for long.
constexpr const char* kSyncSql = R"sql(
INSERT INTO request_rate_buckets AS b (bucket_key, tokens, refilled_at, per_second, burst, last_used)
SELECT u.k, GREATEST(-10 * u.burst, u.burst - u.used), clock_timestamp(), u.rate, u.burst, u.used
FROM jsonb_to_recordset($1::jsonb) AS u(k text, used float8, rate float8, burst float8)
ORDER BY u.k
ON CONFLICT (bucket_key) DO UPDATE SET
  tokens = GREATEST(-10 * EXCLUDED.burst,
                    LEAST(EXCLUDED.burst,
                          b.tokens + GREATEST(0, EXTRACT(EPOCH FROM EXCLUDED.refilled_at - b.refilled_at)::float8)
                                         * EXCLUDED.per_second)
                    - EXCLUDED.last_used),
  refilled_at = GREATEST(b.refilled_at, EXCLUDED.refilled_at),
  per_second = EXCLUDED.per_second,
  burst = EXCLUDED.burst,
  last_used = EXCLUDED.last_used
RETURNING bucket_key, tokens
)sql";

}  // namespace

std::vector<double> PgClusterSignals::syncRateBuckets(const std::vector<BucketUse>& uses) {
  std::vector<double> levels(uses.size(), 0.0);
  if (uses.empty()) return levels;
  json rows = json::array();
  for (const BucketUse& use : uses)
    rows.push_back({{"k", use.key}, {"used", use.used}, {"rate", use.perSecond}, {"burst", use.burst}});
  std::lock_guard lock(rateMutex_);
  try {
    if (!rate_ || rate_->broken()) rate_ = std::make_unique<PgConnection>(url_);
    const PgResult result = rate_->query(kSyncSql, {rows.dump()});
    std::unordered_map<std::string, double> byKey;
    for (int row = 0; row < result.rows(); ++row) byKey[result.text(row, 0)] = std::stod(result.text(row, 1));
    for (std::size_t i = 0; i < uses.size(); ++i) levels[i] = byKey.at(uses[i].key);
    return levels;
  } catch (...) {
    rate_.reset();
    throw;
  }
}

}  // namespace spooled::server
