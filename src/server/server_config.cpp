#include "server/server_config.hpp"

#include <arpa/inet.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <iostream>
#include <stdexcept>

namespace spooled::server {

namespace {

bool isIpAddress(const std::string& host) {
  unsigned char buf[16];
  return ::inet_pton(AF_INET, host.c_str(), buf) == 1 || ::inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

bool startsWith(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

}  // namespace

void validateServerConfig(const ServerConfig& c) {
  if (!isIpAddress(c.host))
    throw std::invalid_argument("--host must be an IPv4 or IPv6 address (e.g. 127.0.0.1 or 0.0.0.0), got '" + c.host + "'");
  if (c.port < 0 || c.port > 65535) throw std::invalid_argument("--port must be 0-65535, got " + std::to_string(c.port));
  const bool sqlite = startsWith(c.databaseUrl, "sqlite:") && c.databaseUrl.size() > 7;
  const bool postgres = startsWith(c.databaseUrl, "postgres://") || startsWith(c.databaseUrl, "postgresql://");
  if (!sqlite && !postgres)
    throw std::invalid_argument("--database-url must be sqlite:PATH or postgres://..., got '" + c.databaseUrl + "'");
  if (c.apiKey && c.apiKey->size() < 10)
    throw std::invalid_argument("--api-key must be at least 10 characters");
  if (c.adminKey && c.adminKey->size() < 10)
    throw std::invalid_argument("--admin-key must be at least 10 characters");
  static const char* const kLevels[] = {"trace", "debug", "info", "warn", "error", "critical", "off"};
  if (std::find(std::begin(kLevels), std::end(kLevels), c.logLevel) == std::end(kLevels))
    throw std::invalid_argument("--log-level must be one of trace, debug, info, warn, error, critical, off; got '" +
                                c.logLevel + "'");
}

int parseServerConfig(int argc, const char* const* argv, ServerConfig& config) {
  CLI::App app{"spooled-server: a self-hosted job-queue server speaking the Spooled REST API v1.\n"
               "Every flag can also be set by the environment variable shown; a flag beats its variable."};
  std::string apiKey;
  std::string adminKey;
  app.add_option("--host", config.host, "IP address to listen on")->envname("HOST")->capture_default_str();
  app.add_option("--port", config.port, "TCP port to listen on (0: any free port, logged at start)")
      ->envname("PORT")
      ->capture_default_str();
  app.add_option("--database-url", config.databaseUrl, "Database: sqlite:PATH or postgres://...")
      ->envname("DATABASE_URL")
      ->capture_default_str();
  app.add_option("--api-key", apiKey,
                 "API key to accept; registered for the default organization if new. Without it, a key is "
                 "generated and printed once when the database has none")
      ->envname("SPOOLED_API_KEY");
  app.add_option("--admin-key", adminKey, "Key for admin endpoints (X-Admin-Key header)")->envname("ADMIN_API_KEY");
  app.add_option("--log-level", config.logLevel, "trace, debug, info, warn, error, critical or off")
      ->envname("LOG_LEVEL")
      ->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  // An empty variable (SPOOLED_API_KEY=) means "not set", as shells usually intend.
  if (!apiKey.empty()) config.apiKey = apiKey;
  if (!adminKey.empty()) config.adminKey = adminKey;
  try {
    validateServerConfig(config);
  } catch (const std::invalid_argument& e) {
    std::cerr << "spooled-server: " << e.what() << "\n";
    return 2;
  }
  return -1;
}

}  // namespace spooled::server
