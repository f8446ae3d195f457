#pragma once
// Versioned schema changes. Each store applies its own ordered list at open, inside one
// transaction, and records each version in `schema_migrations (version, description, applied_at)`.
// See README.md in this folder before changing the schema.
#include <span>
#include <string_view>

#include "common/time.hpp"

namespace spooled::server {

class SqliteConnection;

struct Migration {
  int version;  // strictly increasing, never reused, never edited once released
  std::string_view description;
  std::string_view sql;  // one or more statements
};

// The SQLite schema, oldest first.
std::span<const Migration> sqliteMigrations();
// The PostgreSQL schema, oldest first, with the same version numbers (applied by
// postgres/pg_migrate.hpp).
std::span<const Migration> pgMigrations();

// Throws std::runtime_error unless the versions strictly increase.
void checkMigrationOrder(std::span<const Migration> migrations);
// Throws std::runtime_error when the database's version `current` is newer than any the list knows.
void requireKnownSchema(int current, std::span<const Migration> migrations);

// Applies the migrations newer than the database's recorded version, all in one transaction, and
// returns how many it applied. Throws std::runtime_error, changing nothing, when the list is not
// strictly increasing or the database was written by a newer build (it has versions we don't know).
int applySqliteMigrations(SqliteConnection& conn, std::span<const Migration> migrations, TimePoint now);

}  // namespace spooled::server
