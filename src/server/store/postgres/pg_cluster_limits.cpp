// The claim-rate bucket of a queue as a row (migration 8). One upsert refills and takes, so a claim
// pays one round trip for its limit, and the row lock it leaves makes other processes' claims of the
// queue wait for this transaction instead of spending the same tokens.
#include <algorithm>

#include "server/store/postgres/pg_rows.hpp"
#include "server/store/postgres/pg_tx.hpp"

namespace spooled::server {

namespace {

// $1 org, $2 queue, $3 rate per second, $4 wanted, $5 now (ms). Tokens are in millionths; `refilled`
// is the bucket refilled since its last use and capped at one second's worth.
constexpr const char* kTakeSql = R"sql(
INSERT INTO claim_rate_buckets AS b (org_id, queue_name, micro_tokens, refilled_at, granted)
VALUES ($1, $2, ($3::bigint - LEAST($4::bigint, $3::bigint)) * 1000000, $5::bigint, LEAST($4::bigint, $3::bigint))
ON CONFLICT (org_id, queue_name) DO UPDATE SET
  granted = LEAST($4::bigint,
                  LEAST($3::bigint * 1000000, b.micro_tokens + GREATEST(0, $5::bigint - b.refilled_at) * $3::bigint * 1000)
                  / 1000000),
  micro_tokens =
      LEAST($3::bigint * 1000000, b.micro_tokens + GREATEST(0, $5::bigint - b.refilled_at) * $3::bigint * 1000)
      - LEAST($4::bigint,
              LEAST($3::bigint * 1000000, b.micro_tokens + GREATEST(0, $5::bigint - b.refilled_at) * $3::bigint * 1000)
              / 1000000) * 1000000,
  refilled_at = GREATEST(b.refilled_at, $5::bigint)
RETURNING granted
)sql";

constexpr const char* kReturnSql = R"sql(
UPDATE claim_rate_buckets SET micro_tokens = LEAST($3::bigint * 1000000, micro_tokens + $4::bigint * 1000000)
WHERE org_id = $1 AND queue_name = $2
)sql";

}  // namespace

int PgTx::takeClaimTokens(const std::string& orgId, const std::string& queueName, int ratePerSecond, int wanted,
                          TimePoint now) {
  if (ratePerSecond < 1 || wanted < 1) return 0;
  const PgResult r = conn_.query(kTakeSql, {orgId, queueName, pgInt(ratePerSecond), pgInt(wanted), pgTime(now)});
  return std::max(0, static_cast<int>(r.integer(0, 0)));
}

void PgTx::returnClaimTokens(const std::string& orgId, const std::string& queueName, int ratePerSecond, int tokens) {
  if (tokens <= 0 || ratePerSecond < 1) return;
  conn_.query(kReturnSql, {orgId, queueName, pgInt(ratePerSecond), pgInt(tokens)});
}

}  // namespace spooled::server
