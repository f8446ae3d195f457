#pragma once
// Applies the PostgreSQL migrations at open. Several servers may start at once on one database: an
// advisory lock held for the migration's transaction makes them take turns, so exactly one applies
// each step and the others find it done.
#include <span>

#include "common/time.hpp"
#include "server/store/migrations/migrations.hpp"

namespace spooled::server {

class PgConnection;

// As applySqliteMigrations: all pending steps in one transaction, recorded in schema_migrations;
// throws std::runtime_error, changing nothing, when the database was written by a newer build.
int applyPgMigrations(PgConnection& conn, std::span<const Migration> migrations, TimePoint now);

}  // namespace spooled::server
