#pragma once
// Umbrella header of libspooled: #include "spooled/spooled.hpp" and link spooled::spooled.
#include "spooled/client.hpp"          // SpooledClient, sdkVersion()
#include "spooled/client_options.hpp"  // ClientOptions, RetryOptions, CircuitBreakerOptions
#include "spooled/errors.hpp"          // SpooledError and its subclasses
#include "spooled/jobs.hpp"            // JobsResource and job types
#include "spooled/json.hpp"            // spooled::json (nlohmann::json)
#include "spooled/workers.hpp"         // WorkersResource and worker types
#include "spooled/queues.hpp"          // QueuesResource and queue types
#include "spooled/workflows.hpp"       // WorkflowsResource: jobs with dependencies
#include "spooled/schedules.hpp"       // SchedulesResource and schedule types (cron)
#include "spooled/health.hpp"          // HealthResource: /health, liveness, readiness
#include "spooled/metrics.hpp"         // MetricsResource: Prometheus text
#include "spooled/dashboard.hpp"       // DashboardResource and DashboardData
#include "spooled/api_keys.hpp"        // ApiKeysResource and API-key types
#include "spooled/organizations.hpp"   // OrganizationsResource, usage and plan types
#include "spooled/auth.hpp"            // AuthResource: JWT login, refresh, logout
#include "spooled/admin.hpp"           // AdminResource (X-Admin-Key)
#include "spooled/realtime.hpp"        // RealtimeResource: live events (SSE) with reconnect
#include "spooled/webhooks.hpp"        // WebhooksResource: outgoing webhooks; verifyWebhookSignature
// worker runtime (SpooledWorker, WorkerOptions, JobContext) — added by the worker engineer:
#include "spooled/worker.hpp"           // SpooledWorker, WorkerOptions, JobContext, events, SignalShutdown
