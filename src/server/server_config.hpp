#pragma once
// Settings of the spooled-server process, from flags and environment variables (a flag beats its
// variable). Invalid values fail fast with a message naming the flag.
#include <optional>
#include <string>

namespace spooled::server {

struct ServerConfig {
  std::string host = "127.0.0.1";
  int port = 8080;  // 0: any free port; the bound port is logged
  std::string databaseUrl = "sqlite:./spooled-data/spooled.db";
  int dbBusyTimeoutMs = 2000;  // a write waits this long for a lock another process holds, then 503
  int dbPoolSize = 10;
  int clusterPresenceMs = 10000;
  // How long finished jobs are kept (core/job_retention.hpp), in seconds; 0 keeps them forever.
  long long retentionCompletedSecs = 0;   // completed and cancelled jobs
  long long retentionDeadletterSecs = 0;  // dead-lettered jobs
  long long retentionWebhookDeliveriesSecs = 7 * 86400;  // outgoing webhooks' finished deliveries         // PostgreSQL: connections for reads and writes (3 more: wake-ups, duties)
  std::optional<std::string> apiKey;    // registered for the default organization at start
  std::optional<std::string> adminKey;  // for admin routes (X-Admin-Key)
  std::string logLevel = "info";        // trace, debug, info, warn, error, critical, off
  // Auth (src/server/auth): who may register organizations, JWT signing and lifetimes, rate limits.
  std::string registrationMode = "closed";  // open: POST /organizations is public; closed: needs X-Admin-Key
  std::optional<std::string> jwtSecret;     // absent: a random secret per start (tokens end with the process)
  int jwtAccessTtlSecs = 24 * 3600;         // access tokens, as the official backend's default
  int jwtRefreshTtlSecs = 24 * 24 * 3600;   // refresh tokens: 24 times longer, as the backend
  int rateLimitPerSecond = 1000;            // per API key; 0 turns rate limiting off
  int rateLimitBurst = 2000;                // requests a key may make at once
  std::string environment = "production";  // development, staging, production: shown by the dashboard
  std::optional<std::string> metricsToken;  // when set, GET /metrics needs `Authorization: Bearer <token>`
  // Without a token /metrics is served only when listening on loopback (it names every organization
  // and queue); metricsPublic serves it without a token on any address.
  bool metricsPublic = false;
  int metricsMaxQueueSeries = 500;  // (organization, queue) series per family; the rest add up in "_other"
  // What one organization may create (core/org_limits.hpp); over it: 403 LIMIT_EXCEEDED.
  int maxQueuesPerOrg = 1000;
  int maxWorkersPerOrg = 10000;
  int maxApiKeysPerOrg = 100;
  // Connections open at once; above it a new one gets 503. Lowered at start to fit the open-file limit.
  int maxConnections = 10000;
  // Live streams (SSE, WebSocket): events one subscriber may have waiting before it is cut off as too
  // slow, and the quiet time after which a stream sends a keep-alive.
  int eventBuffer = 1024;
  int eventKeepAliveSecs = 15;
  // Incoming provider webhooks: the secrets GitHub and Stripe sign with (absent: those routes answer 503).
  std::optional<std::string> githubWebhookSecret;
  std::optional<std::string> stripeWebhookSecret;
  // Outgoing webhooks: whether they may reach loopback, private and link-local addresses; one
  // attempt's deadline; attempts before a delivery is failed; deliveries in flight at once; and
  // whether this server sends at all (another server on the same database may do it instead).
  bool webhookAllowPrivate = false;
  int webhookTimeoutSecs = 10;
  int webhookMaxAttempts = 5;
  int webhookConcurrency = 16;
  bool webhookDelivery = true;
  // Threads that read and write connections and run handlers (0: one per core, at least 2). Handlers
  // never wait on a thread, so more than the cores buys nothing but hand-offs between them.
  int threads = 0;
};

// "7d", "12h", "30m", "90s" or a bare number of seconds, as seconds; "0" or "" is 0 (keep forever).
// Throws std::invalid_argument naming the flag for anything else.
long long parseRetention(const char* flag, const std::string& text);

// True when host is a loopback address (127.0.0.0/8 or ::1): only this machine can connect.
bool isLoopbackHost(const std::string& host);

// Parses argv and the environment into config. Returns -1 when the server should run, otherwise the
// exit code to end with (0 after --help, non-zero after an error, whose message is already printed).
int parseServerConfig(int argc, const char* const* argv, ServerConfig& config);

// Throws std::invalid_argument with a readable message when a value is out of range.
void validateServerConfig(const ServerConfig& config);

}  // namespace spooled::server
