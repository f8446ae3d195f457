#include "server/server_app.hpp"

#include <spdlog/spdlog.h>

#include <stdexcept>
#include <thread>

#include "common/ids.hpp"
#include "server/api/account_services.hpp"
#include "server/api/api_services.hpp"
#include "server/core/schedule_runner.hpp"
#include "server/auth/access_control.hpp"
#include "server/auth/api_key_auth.hpp"
#include "server/auth/api_key_format.hpp"
#include "server/auth/bootstrap.hpp"
#include "server/auth/cluster_rate_sync.hpp"
#include "server/auth/token_service.hpp"
#include "server/core/cluster_event_relay.hpp"
#include "server/core/job_engine.hpp"
#include "server/core/job_notifier.hpp"
#include "server/core/job_retention.hpp"
#include "server/core/webhook_outbox.hpp"
#include "server/core/worker_registry.hpp"
#include "server/http/http_server.hpp"
#include "server/http/request_dispatcher.hpp"
#include "server/http/router.hpp"
#include "server/open_file_limit.hpp"
#include "server/store/cluster_event_barrier.hpp"
#include "server/webhook/webhook_delivery_loop.hpp"
#include "server/worker_pool.hpp"

namespace spooled::server {

namespace {

constexpr auto kReapInterval = std::chrono::seconds(1);
constexpr int kSweepEveryNthTick = 5;  // silent workers are marked offline every ~5 s
constexpr int kRetentionEveryNthTick = 10;  // finished jobs past their retention are deleted every ~10 s
constexpr int kQueueStatsEveryNthTick = 5;  // queue streams get QueueStats every ~5 s, as the official server
// Handlers never wait on a thread (commits and long-polls suspend), so about one thread per core
// serves every request: more only adds hand-offs between threads. Two at least, so one slow read
// (bounded at 250 ms) never stops the server.
std::size_t poolThreads(int configured) {
  if (configured > 0) return static_cast<std::size_t>(configured);
  return std::max(2u, std::thread::hardware_concurrency());
}

TokenSettings tokenSettings(const ServerConfig& config) {
  TokenSettings settings;
  if (config.jwtSecret) {
    settings.secret = *config.jwtSecret;
  } else {
    // Tokens still work; they just end with this process, which is fine for trying things out.
    settings.secret = randomHex(32);
    spdlog::warn("no --jwt-secret (JWT_SECRET) given: JWTs are signed with a random secret and stop working when "
                 "the server restarts");
  }
  settings.accessTtlSecs = config.jwtAccessTtlSecs;
  settings.refreshTtlSecs = config.jwtRefreshTtlSecs;
  return settings;
}

RetentionPolicy retentionPolicy(const ServerConfig& config) {
  RetentionPolicy policy;
  if (config.retentionCompletedSecs > 0) policy.completed = std::chrono::seconds(config.retentionCompletedSecs);
  if (config.retentionDeadletterSecs > 0) policy.deadletter = std::chrono::seconds(config.retentionDeadletterSecs);
  if (config.retentionWebhookDeliveriesSecs > 0)
    policy.webhookDeliveries = std::chrono::seconds(config.retentionWebhookDeliveriesSecs);
  return policy;
}

}  // namespace

// Declaration order is construction order; each part only refers to parts above it.
struct ServerApp::Parts {
  Parts(std::unique_ptr<Store> s, const ServerConfig& config)
      : pool(poolThreads(config.threads)),
        store(std::move(s)),
        notifier(&pool),
        jobs(*store, notifier),
        outbox(config.webhookMaxAttempts),
        workers(*store),
        auth(*store),
        tokens(*store, auth, tokenSettings(config)),
        admin(config.adminKey),
        access(auth, tokens, admin, RateLimitSettings{config.rateLimitPerSecond, config.rateLimitBurst}),
        services(*store, jobs, workers, notifier),
        accounts(*store, tokens, admin, access),
        dispatcher(router, access),
        scheduleRunner(*store, jobs) {
    store->setResumeExecutor(&pool);
    services.scheduleChanged = [this] { scheduleRunner.wake(); };
  }

  WorkerPool pool;  // first built, last gone: everything below may post to it
  std::unique_ptr<Store> store;
  JobNotifier notifier;
  JobEngine jobs;
  WebhookOutbox outbox;  // outgoing webhooks: delivery rows written in each change's transaction
  WorkerRegistry workers;
  ApiKeyAuth auth;
  TokenService tokens;
  AdminAuth admin;
  AccessControl access;
  ApiServices services;
  AccountServices accounts;
  Router router;
  RequestDispatcher dispatcher;
  std::unique_ptr<HttpServer> http;
  std::unique_ptr<WebhookDeliveryLoop> webhookDelivery;  // sends what the outbox stored
  // Several servers on one database: live events and request-rate buckets cross processes.
  std::unique_ptr<ClusterEventRelay> eventRelay;
  std::unique_ptr<ClusterRateSync> rateSync;
  ScheduleRunner scheduleRunner;  // after http: constructed last, so destroyed first
};

ServerApp::ServerApp(ServerConfig config) : config_(std::move(config)) {}

ServerApp::~ServerApp() { stop(); }

int ServerApp::start(std::ostream& keyOut) {
  std::unique_ptr<Store> store;
  try {
    StoreOptions storeOptions;
    storeOptions.busyTimeoutMs = config_.dbBusyTimeoutMs;
    storeOptions.poolSize = config_.dbPoolSize;
    storeOptions.clusterPresenceMs = config_.clusterPresenceMs;
    store = openStore(config_.databaseUrl, storeOptions);
  } catch (const std::exception& e) {
    throw std::runtime_error("cannot open database " + config_.databaseUrl + ": " + e.what());
  }
  spdlog::info("database: {} ({})", config_.databaseUrl, store->backendName());
  parts_ = std::make_unique<Parts>(std::move(store), config_);

  // Several servers on one database: wake-ups cross processes, and one of them does the duties.
  if (ClusterSignals* cluster = parts_->store->cluster()) {
    JobNotifier& notifier = parts_->notifier;
    cluster->onReady([&notifier](const std::string& org, const std::string& queue, std::size_t count) {
      notifier.notifyFromPeer(org, queue, count);
    });
    notifier.setRelay([cluster](const std::string& org, const std::string& queue, std::size_t count) {
      cluster->publishReady(org, queue, count);
    });
    parts_->eventRelay = std::make_unique<ClusterEventRelay>(parts_->services.events, *cluster);
    parts_->rateSync = std::make_unique<ClusterRateSync>(parts_->access.limiter(), *cluster);
    // A change's response waits for its events to be sent, so the client's next change (through any
    // server) reaches every subscriber after them. Continuations go to the pool, not the publisher.
    if (auto* barrier = dynamic_cast<ClusterEventBarrier*>(cluster)) {
      WorkerPool& pool = parts_->pool;
      parts_->dispatcher.setResponseBarrier([barrier, &pool](std::function<void()> proceed) {
        return barrier->whenEventsSent([&pool, proceed = std::move(proceed)] { pool.post(proceed); });
      });
    }
  }

  const std::string keyPrefix = apiKeyPrefixFor(config_.environment);
  bootstrapApiKeys(*parts_->store, config_.apiKey, keyOut, keyPrefix);
  const OrgLimits limits{config_.maxQueuesPerOrg, config_.maxWorkersPerOrg, config_.maxApiKeysPerOrg};
  parts_->jobs.setOrgLimits(limits);
  parts_->workers.setOrgLimits(limits);
  parts_->accounts.limits = limits;

  addHealthRoutes(parts_->router, parts_->services);
  addJobRoutes(parts_->router, parts_->services);
  addJobAdminRoutes(parts_->router, parts_->services);
  addJobAckRoutes(parts_->router, parts_->services);
  addDlqRoutes(parts_->router, parts_->services);
  addWorkflowRoutes(parts_->router, parts_->services);
  addQueueRoutes(parts_->router, parts_->services);
  addWorkerRoutes(parts_->router, parts_->services);
  parts_->accounts.openRegistration = config_.registrationMode == "open";
  parts_->accounts.keyPrefix = keyPrefix;
  addApiKeyRoutes(parts_->router, parts_->accounts);
  addOrganizationRoutes(parts_->router, parts_->accounts);
  addAuthRoutes(parts_->router, parts_->accounts);
  addAdminRoutes(parts_->router, parts_->accounts);
  addDashboardRoutes(parts_->router, parts_->services);
  addMetricsRoutes(parts_->router, parts_->services);
  parts_->services.eventBuffer = static_cast<std::size_t>(config_.eventBuffer);
  parts_->services.githubWebhookSecret = config_.githubWebhookSecret;
  parts_->services.stripeWebhookSecret = config_.stripeWebhookSecret;
  addRealtimeRoutes(parts_->router, parts_->services);
  addIncomingWebhookRoutes(parts_->router, parts_->services);
  startWebhooks();
  addScheduleRoutes(parts_->router, parts_->services);
  // Metrics: job events from the engine, one record per request from the dispatcher. Both are wired
  // before the server accepts a connection, as addListener and setMetrics require.
  parts_->services.environment = config_.environment;
  parts_->services.metricsToken = config_.metricsToken;
  parts_->services.metricsWithoutToken = config_.metricsPublic || isLoopbackHost(config_.host);
  parts_->services.metrics.setMaxQueueSeries(static_cast<std::size_t>(config_.metricsMaxQueueSeries));
  if (!config_.metricsToken && !parts_->services.metricsWithoutToken)
    spdlog::warn("GET /metrics is refused (403): it names every organization and queue, and --host {} is not a "
                 "loopback address; set --metrics-token (METRICS_TOKEN) to serve it to Prometheus",
                 config_.host);
  parts_->jobs.addListener(&parts_->services.metrics);
  // Live streams hear every committed change of jobs, queues and workers through the same feed.
  parts_->jobs.addListener(&parts_->services.events);
  parts_->workers.setFeed(&parts_->jobs.feed());
  parts_->dispatcher.setMetrics(&parts_->services.metrics);

  HttpServerOptions options;
  options.host = config_.host;
  options.port = config_.port;
  const std::uint64_t fileLimit = openFileLimit();
  const int capacity = connectionCapacity(config_.maxConnections, fileLimit);
  if (capacity < config_.maxConnections)
    spdlog::warn("--max-connections {} lowered to {}: the process may open {} files (ulimit -n); raise that limit "
                 "to allow more connections",
                 config_.maxConnections, capacity, fileLimit);
  options.maxConnections = static_cast<std::size_t>(capacity);
  options.streamKeepAlive = std::chrono::seconds(config_.eventKeepAliveSecs);
  parts_->http = std::make_unique<HttpServer>(parts_->dispatcher, parts_->pool, options);
  const int port = parts_->http->start();

  background_ = std::thread([this] { runBackgroundLoops(); });
  // Cron schedules fire on their own thread, at the second they are due (core/schedule_runner.hpp).
  parts_->scheduleRunner.start();
  return port;
}

const Router& ServerApp::router() const {
  if (!parts_) throw std::logic_error("ServerApp::router() before start()");
  return parts_->router;
}

void ServerApp::stop() {
  if (!parts_) return;
  parts_->services.shuttingDown = true;
  parts_->notifier.notifyAll();
  // Live streams end with a message saying why (clients reconnect elsewhere), then drain closes them.
  parts_->services.events.closeAll("server shutting down");
  if (parts_->http) parts_->http->stop();
  // After the drain (no test request still waits on it), before the pool its commits resume on.
  if (parts_->webhookDelivery) parts_->webhookDelivery->stop();
  {
    std::lock_guard lock(backgroundMutex_);
    backgroundStop_ = true;
  }
  backgroundWake_.notify_all();
  if (background_.joinable()) background_.join();
  parts_->scheduleRunner.stop();
  // Every request has been answered and every loop has ended: let the pool finish what it holds,
  // then the store can close. Messages from other servers stop before the notifier goes.
  parts_->pool.join();
  if (ClusterSignals* cluster = parts_->store->cluster()) cluster->onReady(nullptr);
  parts_->rateSync.reset();
  parts_->eventRelay.reset();
  parts_.reset();
}

void ServerApp::startWebhooks() {
  WebhookDeliveryOptions options;
  options.sender.allowPrivate = config_.webhookAllowPrivate;
  options.sender.timeout = std::chrono::seconds(config_.webhookTimeoutSecs);
  options.maxInFlight = config_.webhookConcurrency;
  options.deliver = config_.webhookDelivery;
  parts_->webhookDelivery = std::make_unique<WebhookDeliveryLoop>(*parts_->store, options);
  parts_->webhookDelivery->setResumeExecutor(&parts_->pool);
  WebhookDeliveryLoop* delivery = parts_->webhookDelivery.get();
  parts_->outbox.setWaker([delivery] { delivery->wake(); });
  // Inside each change's transaction (the rows), and after its commit (the wake-up).
  parts_->jobs.addTxListener(&parts_->outbox);
  parts_->jobs.addListener(&parts_->outbox);
  parts_->services.webhookOutbox = &parts_->outbox;
  parts_->services.webhookDelivery = delivery;
  parts_->services.webhookAllowPrivate = config_.webhookAllowPrivate;
  addOutgoingWebhookRoutes(parts_->router, parts_->services);
  parts_->webhookDelivery->start();
  if (config_.webhookAllowPrivate)
    spdlog::warn("--webhook-allow-private: outgoing webhooks may reach loopback, private and link-local addresses");
}

void ServerApp::runBackgroundLoops() {
  int tick = 0;
  int statsTick = 0;  // counts every tick, duties or not
  ClusterSignals* cluster = parts_->store->cluster();
  std::unique_lock lock(backgroundMutex_);
  while (!backgroundWake_.wait_for(lock, kReapInterval, [this] { return backgroundStop_; })) {
    lock.unlock();
    // Every server sends its own queue streams their periodic stats (no cluster duty).
    if (++statsTick % kQueueStatsEveryNthTick == 0) {
      try {
        parts_->services.queueStats.publish(*parts_->store, parts_->notifier, parts_->jobs.now());
      } catch (const std::exception& e) {
        spdlog::error("queue stream stats failed: {}", e.what());
      }
    }
    // On a shared database one server does the duties each tick; the others stand by and take over
    // at their next tick once its connection (and so its lock) is gone.
    if (cluster && !cluster->holdsDuties()) {
      lock.lock();
      continue;
    }
    // A failing loop must not end the process: the next tick tries again, and the error is logged.
    try {
      if (const int moved = syncWait(parts_->jobs.reapExpiredLeases()); moved > 0)
        spdlog::info("returned {} job(s) with expired leases to their queues", moved);
    } catch (const std::exception& e) {
      spdlog::error("lease reaper failed: {}", e.what());
    }
    if (const RetentionPolicy retention = retentionPolicy(config_); retention.any() && tick % kRetentionEveryNthTick == 0) {
      try {
        if (const long long deleted = syncWait(purgeExpiredJobs(*parts_->store, retention, nowMs())); deleted > 0)
          spdlog::info("deleted {} finished job(s) past their retention", deleted);
        if (const long long deleted = syncWait(purgeOldWebhookDeliveries(*parts_->store, retention, nowMs())); deleted > 0)
          spdlog::info("deleted {} finished webhook deliveries past their retention", deleted);
      } catch (const std::exception& e) {
        spdlog::error("retention failed: {}", e.what());
      }
    }
    if (++tick % kSweepEveryNthTick == 0) {
      try {
        if (const int marked = syncWait(parts_->workers.markSilentWorkersOffline()); marked > 0)
          spdlog::info("marked {} silent worker(s) offline", marked);
      } catch (const std::exception& e) {
        spdlog::error("worker sweep failed: {}", e.what());
      }
    }
    lock.lock();
  }
}

}  // namespace spooled::server
