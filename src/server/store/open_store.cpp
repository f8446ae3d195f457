#include <algorithm>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>

#include "server/store/postgres/pg_store.hpp"
#include "server/store/sqlite/sqlite_store.hpp"
#include "server/store/store.hpp"

namespace spooled::server {
namespace {

bool startsWith(std::string_view text, std::string_view prefix) { return text.substr(0, prefix.size()) == prefix; }

bool endsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

// The file path named by a SQLite URL, or nullopt when the URL is not a SQLite one.
// "sqlite:PATH" and "sqlite://PATH" (so "sqlite:///abs/file.db" is absolute), or a bare "*.db" path.
std::optional<std::string> sqlitePath(std::string_view url) {
  for (std::string_view scheme : {"sqlite://", "sqlite:"})
    if (startsWith(url, scheme)) return std::string(url.substr(scheme.size()));
  if (endsWith(url, ".db") && url.find("://") == std::string_view::npos) return std::string(url);
  return std::nullopt;
}

std::unique_ptr<Store> openSqlite(const std::string& path, const std::string& url, const StoreOptions& options) {
  if (path.empty()) throw std::runtime_error("database URL '" + url + "' names no file (try sqlite:data/spooled.db)");
  // Each connection of the pool opens the path anew, so a private in-memory database cannot work.
  if (path == ":memory:" || startsWith(path, "file:"))
    throw std::runtime_error("database URL '" + url + "': SQLite needs a file path, e.g. sqlite:data/spooled.db");
  std::filesystem::path file(path);
  if (file.has_parent_path()) {
    std::error_code error;
    std::filesystem::create_directories(file.parent_path(), error);
    if (error)
      throw std::runtime_error("cannot create the folder of SQLite database '" + path + "': " + error.message());
  }
  SqliteStoreOptions sqliteOptions;
  sqliteOptions.busyTimeoutMs = options.busyTimeoutMs;
  return std::make_unique<SqliteStore>(path, sqliteOptions);
}

}  // namespace

std::unique_ptr<Store> openStore(const std::string& databaseUrl, const StoreOptions& options) {
  if (auto path = sqlitePath(databaseUrl)) return openSqlite(*path, databaseUrl, options);
  if (startsWith(databaseUrl, "postgres://") || startsWith(databaseUrl, "postgresql://"))
  {
    PgStoreOptions pgOptions;
    pgOptions.poolSize = static_cast<std::size_t>(std::max(2, options.poolSize));
    pgOptions.clusterPresence = std::chrono::milliseconds(options.clusterPresenceMs);
    pgOptions.lockTimeoutMs = options.busyTimeoutMs;
    return std::make_unique<PgStore>(databaseUrl, pgOptions);
  }
  throw std::runtime_error("unsupported database URL '" + databaseUrl +
                           "': use sqlite:PATH (e.g. sqlite:data/spooled.db) or postgres://user:pass@host/db");
}

}  // namespace spooled::server
