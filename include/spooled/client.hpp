#pragma once
// SpooledClient: the entry point of the SDK. One client holds a small pool of keep-alive connections,
// the retry policy and the circuit breaker for one server and one API key.
#include <memory>

#include "spooled/admin.hpp"
#include "spooled/api_keys.hpp"
#include "spooled/auth.hpp"
#include "spooled/client_options.hpp"
#include "spooled/dashboard.hpp"
#include "spooled/health.hpp"
#include "spooled/jobs.hpp"
#include "spooled/metrics.hpp"
#include "spooled/organizations.hpp"
#include "spooled/queues.hpp"
#include "spooled/realtime.hpp"
#include "spooled/webhooks.hpp"
#include "spooled/schedules.hpp"
#include "spooled/workers.hpp"
#include "spooled/workflows.hpp"

namespace spooled {

// The SDK version, e.g. "0.1.0" (sent in the User-Agent).
const char* sdkVersion() noexcept;

// Thread-safe: share one client between all threads and workers of a process rather than making one
// per thread (connections are pooled). Neither copyable nor movable, since resources and workers hold
// references to it: own it by value in main() or in a std::shared_ptr / std::unique_ptr.
class SpooledClient {
 public:
  // Resolves environment fallbacks (ClientOptions::resolved). Throws ValidationError when no API key
  // is configured; makes no network call.
  explicit SpooledClient(ClientOptions options = {});
  ~SpooledClient();
  SpooledClient(const SpooledClient&) = delete;
  SpooledClient& operator=(const SpooledClient&) = delete;

  JobsResource& jobs() noexcept { return jobs_; }
  WorkersResource& workers() noexcept { return workers_; }
  QueuesResource& queues() noexcept { return queues_; }
  // Jobs with dependencies between them; see spooled/workflows.hpp.
  WorkflowsResource& workflows() noexcept { return workflows_; }
  // Cron schedules: jobs created on a timetable, in a time zone.
  SchedulesResource& schedules() noexcept { return schedules_; }
  HealthResource& health() noexcept { return health_; }
  MetricsResource& metrics() noexcept { return metrics_; }
  DashboardResource& dashboard() noexcept { return dashboard_; }
  ApiKeysResource& apiKeys() noexcept { return apiKeys_; }
  OrganizationsResource& organizations() noexcept { return organizations_; }
  AuthResource& auth() noexcept { return auth_; }
  // Needs ClientOptions::adminKey.
  AdminResource& admin() noexcept { return admin_; }
  // Live events (SSE) with callbacks and automatic reconnect; see spooled/realtime.hpp.
  RealtimeResource& realtime() noexcept { return realtime_; }
  // Outgoing webhooks (management, deliveries, test, retry); see spooled/webhooks.hpp.
  WebhooksResource& webhooks() noexcept { return webhooks_; }

  // Releases the pooled connections. Idempotent. Calls made after (or racing with) close() throw
  // SpooledError with code "CLIENT_CLOSED". The destructor closes too.
  void close();
  // The resolved options (environment fallbacks applied).
  const ClientOptions& options() const noexcept;

 private:
  std::unique_ptr<detail::ApiCaller> api_;
  JobsResource jobs_;
  WorkersResource workers_;
  QueuesResource queues_;
  ApiKeysResource apiKeys_;
  OrganizationsResource organizations_;
  AuthResource auth_;
  AdminResource admin_;
  HealthResource health_;
  MetricsResource metrics_;
  DashboardResource dashboard_;
  RealtimeResource realtime_;
  WebhooksResource webhooks_;
  WorkflowsResource workflows_;
  SchedulesResource schedules_;
};

}  // namespace spooled
