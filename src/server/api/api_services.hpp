#pragma once
// What the resource handlers share: the store and the core services they call, plus the few helpers
// every resource needs (path ids, queue permissions). Route tables are in each resource's file.
#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "server/api/queue_stats_publisher.hpp"
#include "server/api/validation.hpp"
#include "server/core/event_bus.hpp"
#include "server/core/job_engine.hpp"
#include "server/core/job_notifier.hpp"
#include "server/core/metrics_registry.hpp"
#include "server/core/single_flight.hpp"
#include "server/core/worker_registry.hpp"
#include "server/http/router.hpp"
#include "server/store/store.hpp"

namespace spooled::server {

class WebhookOutbox;
class WebhookDeliveryLoop;

struct ApiServices {
  ApiServices(Store& s, JobEngine& j, WorkerRegistry& w, JobNotifier& n) : store(s), jobs(j), workers(w), notifier(n) {}

  Store& store;
  JobEngine& jobs;
  WorkerRegistry& workers;
  JobNotifier& notifier;

  // Set at shutdown so parked claims return promptly.
  std::atomic<bool> shuttingDown{false};

  // Observability (metrics_api.cpp, dashboard_api.cpp). Built with the services, i.e. at server start.
  MetricsRegistry metrics;
  TimePoint startedAt = nowMs();
  std::chrono::steady_clock::time_point startedClock = std::chrono::steady_clock::now();  // uptime, immune to clock jumps
  std::string environment = "production";   // reported by the dashboard, as the official backend's
  std::optional<std::string> metricsToken;  // when set, GET /metrics needs `Authorization: Bearer <it>`
  // Without a token, whether GET /metrics answers at all: on a loopback address or with --metrics-public.
  bool metricsWithoutToken = true;
  SingleFlight metricsRender;  // one scrape rendered at a time; concurrent scrapes share it

  // Live streams (realtime_api.cpp): the bus every committed change reaches, and how many events one
  // subscriber may have waiting before it is cut off.
  EventBus events;
  std::size_t eventBuffer = 1024;
  QueueStatsPublisher queueStats;  // periodic QueueStats on queue streams (published by the background loop)
  // Incoming provider webhooks (incoming_webhooks_api.cpp).
  std::optional<std::string> githubWebhookSecret;
  std::optional<std::string> stripeWebhookSecret;
  // Outgoing webhooks (outgoing_webhooks_api.cpp): the outbox (its cache is dropped when webhooks
  // change), the sender, and whether private addresses may be named. Set at start.
  WebhookOutbox* webhookOutbox = nullptr;
  WebhookDeliveryLoop* webhookDelivery = nullptr;
  bool webhookAllowPrivate = false;
  // Cron schedules (schedules_api.cpp): wakes the firing duty after a change of a schedule's next run.
  std::function<void()> scheduleChanged;
};

// Where a handler with a JSON body starts: the caller, the body (a JSON object) and a reader of it.
struct BodyCall {
  explicit BodyCall(const HttpRequest& request)
      : auth(request.authContext()), body(parseJsonObjectBody(request.body)), fields(body) {}
  BodyCall(const BodyCall&) = delete;
  BodyCall& operator=(const BodyCall&) = delete;

  const AuthContext& auth;
  const json body;
  const FieldReader fields;  // reads body
};

// The "{id}" path parameter when it is a UUID; any other text is 404 (it cannot name a record).
std::string pathUuid(const HttpRequest& request, const std::string& what);

// 403 ACCESS_DENIED when the caller's key is limited to other queues.
void requireQueueAccess(const AuthContext& auth, const std::string& queueName);

// The `{"success": true}` body of worker acknowledgements.
HttpResponse successResponse();

// A route handler that calls fn with the shared services: a plain function for handlers that only
// read, a coroutine for those that write or wait.
using ServiceHandler = HttpResponse (*)(ApiServices&, const HttpRequest&);
using ServiceCoroutine = Task<HttpResponse> (*)(ApiServices&, const HttpRequest&);
Handler withServices(ApiServices& services, ServiceHandler fn);
Handler withServices(ApiServices& services, ServiceCoroutine fn);

void addJobRoutes(Router& router, ApiServices& services);
void addJobAdminRoutes(Router& router, ApiServices& services);  // bulk, stats, status, priority, retry
void addJobAckRoutes(Router& router, ApiServices& services);    // batched acknowledgements (extension)
void addDlqRoutes(Router& router, ApiServices& services);
void addQueueRoutes(Router& router, ApiServices& services);
void addWorkerRoutes(Router& router, ApiServices& services);
void addHealthRoutes(Router& router, ApiServices& services);
void addDashboardRoutes(Router& router, ApiServices& services);
void addMetricsRoutes(Router& router, ApiServices& services);
void addRealtimeRoutes(Router& router, ApiServices& services);          // SSE and WebSocket
void addIncomingWebhookRoutes(Router& router, ApiServices& services);   // /webhooks/{org_id}/...
void addOutgoingWebhookRoutes(Router& router, ApiServices& services);   // /outgoing-webhooks
void addWorkflowRoutes(Router& router, ApiServices& services);          // workflows, job dependencies
void addScheduleRoutes(Router& router, ApiServices& services);          // /schedules (cron)

}  // namespace spooled::server
