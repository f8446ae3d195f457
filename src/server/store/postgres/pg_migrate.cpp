#include "server/store/postgres/pg_migrate.hpp"

#include <set>
#include <stdexcept>
#include <string>

#include "server/store/postgres/pg_connection.hpp"
#include "server/store/postgres/pg_rows.hpp"

namespace spooled::server {

namespace {
// Any fixed number: the advisory lock that serialises migrations of one database.
constexpr const char* kMigrationLock = "7305129845201";
}  // namespace

int applyPgMigrations(PgConnection& conn, std::span<const Migration> migrations, TimePoint now) {
  checkMigrationOrder(migrations);
  conn.exec("BEGIN");
  try {
    conn.exec(std::string("SELECT pg_advisory_xact_lock(") + kMigrationLock + ")");
    conn.exec(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at BIGINT NOT NULL)");
    const int current = std::stoi(conn.queryText("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").value_or("0"));
    requireKnownSchema(current, migrations);
    int applied = 0;
    // Every step not recorded yet, also one numbered below the newest recorded (see migrations.cpp).
    std::set<int> recorded;
    const PgResult rows = conn.query("SELECT version FROM schema_migrations");
    for (int row = 0; row < rows.rows(); ++row) recorded.insert(std::stoi(rows.text(row, 0)));
    for (const auto& m : migrations) {
      if (recorded.contains(m.version)) continue;
      conn.exec(std::string(m.sql));
      conn.query("INSERT INTO schema_migrations (version, description, applied_at) VALUES ($1, $2, $3)",
                 {pgInt(m.version), std::string(m.description), pgTime(now)});
      ++applied;
    }
    conn.exec("COMMIT");
    return applied;
  } catch (...) {
    try {
      if (conn.inTransaction()) conn.exec("ROLLBACK");
    } catch (...) {  // the error that got us here is the one to report
    }
    throw;
  }
}

}  // namespace spooled::server
