#include "server/store/migrations/migrations.hpp"

#include <set>
#include <stdexcept>
#include <string>

#include "server/store/sqlite/sqlite_connection.hpp"

namespace spooled::server {
namespace {

int appliedVersion(SqliteConnection& conn) {
  return std::stoi(conn.queryText("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").value_or("0"));
}

std::set<int> appliedVersions(SqliteConnection& conn) {
  std::set<int> versions;
  SqliteQuery query = conn.prepare("SELECT version FROM schema_migrations");
  while (query.step()) versions.insert(static_cast<int>(query.columnInt(0)));
  return versions;
}

}  // namespace

void checkMigrationOrder(std::span<const Migration> migrations) {
  int previous = 0;
  for (const auto& m : migrations) {
    if (m.version <= previous)
      throw std::runtime_error("schema migrations out of order at version " + std::to_string(m.version));
    previous = m.version;
  }
}

void requireKnownSchema(int current, std::span<const Migration> migrations) {
  const int known = migrations.empty() ? 0 : migrations.back().version;
  if (current > known)
    throw std::runtime_error("the database has schema version " + std::to_string(current) +
                             " but this build knows only up to " + std::to_string(known) +
                             "; it was written by a newer spooled-server");
}

int applySqliteMigrations(SqliteConnection& conn, std::span<const Migration> migrations, TimePoint now) {
  checkMigrationOrder(migrations);
  // IMMEDIATE takes the write lock first, so two processes opening one file cannot both migrate.
  conn.exec("BEGIN IMMEDIATE");
  try {
    conn.exec(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT");
    const int current = appliedVersion(conn);
    requireKnownSchema(current, migrations);
    int applied = 0;
    // Every step not recorded yet, also one numbered below the newest recorded: steps are numbered
    // per feature in advance, so a lower number can arrive in a later release than a higher one.
    const std::set<int> recorded = appliedVersions(conn);
    for (const auto& m : migrations) {
      if (recorded.contains(m.version)) continue;
      conn.exec(std::string(m.sql));
      SqliteQuery record =
          conn.prepare("INSERT INTO schema_migrations (version, description, applied_at) VALUES (?1, ?2, ?3)");
      record.bindInt(1, m.version);
      record.bindText(2, m.description);
      record.bindInt(3, toEpochMs(now));
      record.run();
      ++applied;
    }
    conn.exec("COMMIT");
    return applied;
  } catch (...) {
    if (conn.inTransaction()) conn.exec("ROLLBACK");
    throw;
  }
}

}  // namespace spooled::server
