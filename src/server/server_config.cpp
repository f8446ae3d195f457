#include "server/server_config.hpp"

#include <arpa/inet.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <iostream>
#include <stdexcept>

namespace spooled::server {

namespace {

bool isIpAddress(const std::string& host) {
  unsigned char buf[16];
  return ::inet_pton(AF_INET, host.c_str(), buf) == 1 || ::inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

bool startsWith(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

// LOG_LEVEL=INFO and --log-level warning are what people type from other tools' habits; both mean
// something we know.
std::string normalizedLogLevel(std::string level) {
  std::transform(level.begin(), level.end(), level.begin(), [](unsigned char ch) { return std::tolower(ch); });
  return level == "warning" ? "warn" : level;
}

void requireInRange(const char* flag, int value, int min, int max) {
  if (value < min || value > max)
    throw std::invalid_argument(std::string(flag) + " must be " + std::to_string(min) + "-" + std::to_string(max) +
                                ", got " + std::to_string(value));
}

}  // namespace

bool isLoopbackHost(const std::string& host) {
  unsigned char v4[4];
  if (::inet_pton(AF_INET, host.c_str(), v4) == 1) return v4[0] == 127;
  unsigned char v6[16];
  if (::inet_pton(AF_INET6, host.c_str(), v6) != 1) return false;
  static const unsigned char kLoopback6[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  return std::equal(std::begin(v6), std::end(v6), std::begin(kLoopback6));
}

long long parseRetention(const char* flag, const std::string& text) {
  if (text.empty()) return 0;
  std::size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  const std::string unit = text.substr(digits);
  static const std::pair<const char*, long long> kUnits[] = {{"", 1}, {"s", 1}, {"m", 60}, {"h", 3600}, {"d", 86400}};
  for (const auto& [name, seconds] : kUnits)
    if (digits > 0 && digits <= 9 && unit == name) return std::stoll(text.substr(0, digits)) * seconds;
  throw std::invalid_argument(std::string(flag) + " must be a duration such as 7d, 12h, 30m or 90s (0: keep forever), got '" +
                              text + "'");
}

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
  static const char* const kEnvironments[] = {"development", "staging", "production"};
  if (std::find(std::begin(kEnvironments), std::end(kEnvironments), c.environment) == std::end(kEnvironments))
    throw std::invalid_argument("--environment must be one of development, staging, production; got '" +
                                c.environment + "'");
  if (c.metricsToken && c.metricsToken->size() < 10)
    throw std::invalid_argument("--metrics-token must be at least 10 characters");
  if (c.registrationMode != "open" && c.registrationMode != "closed")
    throw std::invalid_argument("--registration-mode must be open or closed; got '" + c.registrationMode + "'");
  // HS256 is as strong as its key: below 256 bits it can be brute-forced offline from any token.
  if (c.jwtSecret && c.jwtSecret->size() < 32)
    throw std::invalid_argument("--jwt-secret must be at least 32 characters");
  constexpr int kTenYears = 10 * 366 * 24 * 3600;
  if (c.jwtAccessTtlSecs < 1 || c.jwtAccessTtlSecs > kTenYears)
    throw std::invalid_argument("--jwt-access-ttl-secs must be 1-" + std::to_string(kTenYears) + ", got " +
                                std::to_string(c.jwtAccessTtlSecs));
  if (c.jwtRefreshTtlSecs < 1 || c.jwtRefreshTtlSecs > kTenYears)
    throw std::invalid_argument("--jwt-refresh-ttl-secs must be 1-" + std::to_string(kTenYears) + ", got " +
                                std::to_string(c.jwtRefreshTtlSecs));
  if (c.rateLimitPerSecond < 0 || c.rateLimitPerSecond > 1000000)
    throw std::invalid_argument("--rate-limit-per-second must be 0-1000000 (0: off), got " +
                                std::to_string(c.rateLimitPerSecond));
  if (c.rateLimitBurst < 1 || c.rateLimitBurst > 10000000)
    throw std::invalid_argument("--rate-limit-burst must be 1-10000000, got " + std::to_string(c.rateLimitBurst));
  requireInRange("--metrics-max-queue-series", c.metricsMaxQueueSeries, 1, 100000);
  requireInRange("--max-queues-per-org", c.maxQueuesPerOrg, 1, 10000000);
  requireInRange("--max-workers-per-org", c.maxWorkersPerOrg, 1, 10000000);
  requireInRange("--max-api-keys-per-org", c.maxApiKeysPerOrg, 1, 1000000);
  requireInRange("--max-connections", c.maxConnections, 1, 1000000);
  requireInRange("--event-buffer", c.eventBuffer, 1, 1000000);
  requireInRange("--event-keepalive-secs", c.eventKeepAliveSecs, 1, 3600);
  requireInRange("--db-busy-timeout-ms", c.dbBusyTimeoutMs, 1, 600000);
  requireInRange("--db-pool-size", c.dbPoolSize, 2, 1000);
  requireInRange("--cluster-presence-ms", c.clusterPresenceMs, 100, 600000);
  requireInRange("--threads", c.threads, 0, 1024);
  requireInRange("--webhook-timeout-secs", c.webhookTimeoutSecs, 1, 300);
  requireInRange("--webhook-max-attempts", c.webhookMaxAttempts, 1, 20);
  requireInRange("--webhook-concurrency", c.webhookConcurrency, 1, 1000);
}

int parseServerConfig(int argc, const char* const* argv, ServerConfig& config) {
  CLI::App app{"spooled-server: a self-hosted job-queue server speaking the Spooled REST API v1.\n"
               "Every flag can also be set by the environment variable shown; a flag beats its variable."};
  std::string apiKey;
  std::string adminKey;
  std::string metricsToken;
  std::string jwtSecret;
  app.add_option("--host", config.host, "IP address to listen on")->envname("HOST")->capture_default_str();
  app.add_option("--port", config.port, "TCP port to listen on (0: any free port, logged at start)")
      ->envname("PORT")
      ->capture_default_str();
  app.add_option("--database-url", config.databaseUrl, "Database: sqlite:PATH or postgres://...")
      ->envname("DATABASE_URL")
      ->capture_default_str();
  app.add_option("--db-busy-timeout-ms", config.dbBusyTimeoutMs,
                 "How long a write waits for the database while another process holds its lock; then the write "
                 "fails with 503 SERVICE_UNAVAILABLE. Reads wait at most 250 ms, or this, if shorter")
      ->envname("DB_BUSY_TIMEOUT_MS")
      ->capture_default_str();
  app.add_option("--db-pool-size", config.dbPoolSize,
                 "PostgreSQL: connections each server opens for reads and writes (half of them, at most 8, "
                 "write); three more carry wake-ups and the background-duty lock")
      ->envname("DB_POOL_SIZE")
      ->capture_default_str();
  app.add_option("--cluster-presence-ms", config.clusterPresenceMs,
                 "PostgreSQL: a server with live-event subscribers tells the others this often; servers relay "
                 "events through the database only while some other server announced subscribers within three "
                 "such intervals (and for 1.2 intervals after they start). The same on every server")
      ->envname("CLUSTER_PRESENCE_MS")
      ->capture_default_str();
  std::string retentionCompleted;
  std::string retentionDeadletter;
  app.add_option("--retention-completed", retentionCompleted,
                 "Delete completed and cancelled jobs this long after they finished (7d, 12h, 30m, 90s); "
                 "default: keep them")
      ->envname("RETENTION_COMPLETED");
  app.add_option("--retention-deadletter", retentionDeadletter,
                 "Delete dead-lettered jobs this long after they failed (7d, 12h, ...); default: keep them")
      ->envname("RETENTION_DEADLETTER");
  std::string retentionDeliveries = "7d";
  app.add_option("--retention-webhook-deliveries", retentionDeliveries,
                 "Delete outgoing webhooks' finished deliveries (and their attempt logs) this long after they "
                 "were created (7d, 12h, ...; 0: keep them)")
      ->envname("RETENTION_WEBHOOK_DELIVERIES")
      ->capture_default_str();
  app.add_option("--threads", config.threads,
                 "Threads serving connections and handlers (0: one per core, at least 2); the SQLite writer has "
                 "its own")
      ->envname("SPOOLED_THREADS")
      ->capture_default_str();
  app.add_option("--api-key", apiKey,
                 "API key to accept; registered for the default organization if new. Without it, a key is "
                 "generated and printed once when the database has none")
      ->envname("SPOOLED_API_KEY");
  app.add_option("--admin-key", adminKey, "Key for admin endpoints (X-Admin-Key header)")->envname("ADMIN_API_KEY");
  app.add_option("--log-level", config.logLevel, "trace, debug, info, warn, error, critical or off")
      ->envname("LOG_LEVEL")
      ->capture_default_str();
  app.add_option("--environment", config.environment, "development, staging or production (shown by the dashboard)")
      ->envname("SPOOLED_ENV")
      ->capture_default_str();
  app.add_option("--metrics-token", metricsToken,
                 "Token GET /metrics then requires as `Authorization: Bearer <token>` (default: /metrics is public)")
      ->envname("METRICS_TOKEN");
  app.add_flag("--metrics-public", config.metricsPublic,
               "Serve GET /metrics without a token on any address. Without this flag or --metrics-token, "
               "/metrics answers only when --host is a loopback address, since it names every organization "
               "and queue")
      ->envname("METRICS_PUBLIC");
  app.add_option("--metrics-max-queue-series", config.metricsMaxQueueSeries,
                 "Series per (organization, queue) metric family; further queues are added up under "
                 "organization_id=\"_other\", queue=\"_other\", so a scrape stays small however many queues exist")
      ->envname("METRICS_MAX_QUEUE_SERIES")
      ->capture_default_str();
  app.add_option("--max-queues-per-org", config.maxQueuesPerOrg,
                 "Queues one organization may have (a job on a new name or a queue configuration creates one); "
                 "beyond it: 403 LIMIT_EXCEEDED")
      ->envname("MAX_QUEUES_PER_ORG")
      ->capture_default_str();
  app.add_option("--max-workers-per-org", config.maxWorkersPerOrg,
                 "Workers (not offline) one organization may have registered; beyond it: 403 LIMIT_EXCEEDED")
      ->envname("MAX_WORKERS_PER_ORG")
      ->capture_default_str();
  app.add_option("--max-api-keys-per-org", config.maxApiKeysPerOrg,
                 "Active API keys one organization may have; beyond it: 403 LIMIT_EXCEEDED")
      ->envname("MAX_API_KEYS_PER_ORG")
      ->capture_default_str();
  app.add_option("--registration-mode", config.registrationMode,
                 "open: anyone may create an organization (POST /api/v1/organizations); closed: only with "
                 "X-Admin-Key")
      ->envname("REGISTRATION_MODE")
      ->capture_default_str();
  app.add_option("--jwt-secret", jwtSecret,
                 "Secret (32+ characters) that signs JWTs from /api/v1/auth/login. Without it a random one is made "
                 "at each start, so tokens stop working when the server restarts")
      ->envname("JWT_SECRET");
  app.add_option("--jwt-access-ttl-secs", config.jwtAccessTtlSecs, "Lifetime of JWT access tokens, in seconds")
      ->envname("JWT_ACCESS_TTL_SECS")
      ->capture_default_str();
  app.add_option("--jwt-refresh-ttl-secs", config.jwtRefreshTtlSecs, "Lifetime of JWT refresh tokens, in seconds")
      ->envname("JWT_REFRESH_TTL_SECS")
      ->capture_default_str();
  app.add_option("--rate-limit-per-second", config.rateLimitPerSecond,
                 "Requests per second each API key may make (a key's own rate_limit overrides it); 0 turns rate "
                 "limiting off")
      ->envname("RATE_LIMIT_REQUESTS_PER_SECOND")
      ->capture_default_str();
  app.add_option("--rate-limit-burst", config.rateLimitBurst, "Requests each API key may make at once, above the rate")
      ->envname("RATE_LIMIT_BURST_SIZE")
      ->capture_default_str();
  app.add_option("--event-buffer", config.eventBuffer,
                 "Events a live-stream subscriber may have waiting; one further behind is disconnected as too slow")
      ->envname("EVENT_BUFFER")
      ->capture_default_str();
  app.add_option("--event-keepalive-secs", config.eventKeepAliveSecs,
                 "Quiet seconds after which an event stream or WebSocket sends a keep-alive")
      ->envname("EVENT_KEEPALIVE_SECS")
      ->capture_default_str();
  app.add_option("--github-webhook-secret", config.githubWebhookSecret,
                 "Secret GitHub signs incoming webhooks with (X-Hub-Signature-256)")
      ->envname("GITHUB_WEBHOOK_SECRET");
  app.add_option("--stripe-webhook-secret", config.stripeWebhookSecret,
                 "Secret Stripe signs incoming webhooks with (Stripe-Signature)")
      ->envname("STRIPE_WEBHOOK_SECRET");
  app.add_flag("--webhook-allow-private", config.webhookAllowPrivate,
               "Let outgoing webhooks reach loopback, private and link-local addresses (refused by default)")
      ->envname("WEBHOOK_ALLOW_PRIVATE");
  app.add_option("--webhook-timeout-secs", config.webhookTimeoutSecs,
                 "Deadline of one outgoing webhook attempt (resolve, connect, send, read the answer)")
      ->envname("WEBHOOK_TIMEOUT_SECS")
      ->capture_default_str();
  app.add_option("--webhook-max-attempts", config.webhookMaxAttempts,
                 "Attempts an outgoing webhook delivery gets (backoff 1 s, 2 s, 4 s, ...) before it is failed")
      ->envname("WEBHOOK_MAX_ATTEMPTS")
      ->capture_default_str();
  app.add_option("--webhook-concurrency", config.webhookConcurrency, "Outgoing webhook deliveries in flight at once")
      ->envname("WEBHOOK_CONCURRENCY")
      ->capture_default_str();
  app.add_option("--webhook-delivery", config.webhookDelivery,
                 "Whether this server sends queued outgoing webhook deliveries (false: leave them to other servers)")
      ->envname("WEBHOOK_DELIVERY")
      ->capture_default_str();
  app.add_option("--max-connections", config.maxConnections,
                 "Connections open at once; a new one above it is answered 503 and closed. Lowered at start to "
                 "fit the open-file limit (ulimit -n) minus a reserve")
      ->envname("MAX_CONNECTIONS")
      ->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  // An empty variable (SPOOLED_API_KEY=) means "not set", as shells usually intend.
  if (!apiKey.empty()) config.apiKey = apiKey;
  if (!adminKey.empty()) config.adminKey = adminKey;
  if (!metricsToken.empty()) config.metricsToken = metricsToken;
  if (!jwtSecret.empty()) config.jwtSecret = jwtSecret;
  config.logLevel = normalizedLogLevel(config.logLevel);
  try {
    config.retentionCompletedSecs = parseRetention("--retention-completed", retentionCompleted);
    config.retentionDeadletterSecs = parseRetention("--retention-deadletter", retentionDeadletter);
    config.retentionWebhookDeliveriesSecs =
        parseRetention("--retention-webhook-deliveries", retentionDeliveries);
    validateServerConfig(config);
  } catch (const std::invalid_argument& e) {
    std::cerr << "spooled-server: " << e.what() << "\n";
    return 2;
  }
  return -1;
}

}  // namespace spooled::server
