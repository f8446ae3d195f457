// Live events: GET /api/v1/events (the organization's events, as SSE), /api/v1/events/jobs/{id} (one
// job until it ends), /api/v1/events/queues/{name} (one queue), and GET /api/v1/ws (a WebSocket with
// the official Subscribe / Unsubscribe / Ping commands). Each subscribes to the event bus, scoped to
// the caller's organization and its key's queues, and answers with a LiveStream; the HTTP layer then
// keeps the connection without holding a thread. The credential may also come as `?token=`, which is
// how the official SDK authenticates its WebSocket.
#include <algorithm>
#include <cctype>

#include "common/error_code.hpp"
#include "server/api/api_services.hpp"
#include "server/api/live_stream.hpp"
#include "server/api/validation.hpp"
#include "server/core/queue_control.hpp"

namespace spooled::server {

namespace {

constexpr std::size_t kMaxJobIdFilter = 255;

// Unsubscribes unless released: a handler that throws after subscribing leaves nothing behind.
struct SubscriptionGuard {
  EventBus& bus;
  std::shared_ptr<Subscription> subscription;
  ~SubscriptionGuard() {
    if (subscription) bus.unsubscribe(subscription.get());
  }
  std::shared_ptr<Subscription> release() { return std::exchange(subscription, nullptr); }
};

std::vector<std::string> splitList(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    std::string item = text.substr(start, comma - start);
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    if (!item.empty()) out.push_back(std::move(item));
    start = comma + 1;
  }
  return out;
}

SubscriptionOptions optionsFor(ApiServices& s, const HttpRequest& req) {
  const AuthContext& auth = req.authContext();
  SubscriptionOptions o;
  o.orgId = auth.orgId;
  if (!auth.allowsAllQueues()) o.allowedQueues = auth.queues;
  o.maxBuffered = s.eventBuffer;
  if (auto events = req.queryParam("events")) {
    for (std::string& type : splitList(*events)) o.types.insert(std::move(type));
  }
  return o;
}

// The official `queue` and `job_id` query filters of /events and /ws.
void addQueryFilter(const HttpRequest& req, SubscriptionOptions& o) {
  StreamFilter filter;
  if (auto queue = req.queryParam("queue")) {
    requireQueueName("queue", *queue);
    requireQueueAccess(req.authContext(), *queue);
    filter.queueName = std::move(*queue);
  }
  if (auto job = req.queryParam("job_id")) {
    if (job->empty() || job->size() > kMaxJobIdFilter) throwValidation("job_id", "job_id must be 1-255 characters");
    filter.jobId = std::move(*job);
  }
  if (filter.queueName || filter.jobId) o.filters.push_back(std::move(filter));
}

std::optional<std::string> lastEventId(const HttpRequest& req) {
  if (auto header = req.header("last-event-id")) return header;
  return req.queryParam("last_event_id");
}

bool flag(const HttpRequest& req, const std::string& name) {
  const auto value = req.queryParam(name);
  return value && (*value == "true" || *value == "1");
}

HttpResponse streamResponse(ApiServices& s, SubscriptionGuard& guard, LiveStreamOptions options) {
  HttpResponse response;
  response.stream = std::make_shared<LiveStream>(s.events, guard.release(), std::move(options));
  return response;
}

HttpResponse organizationEvents(ApiServices& s, const HttpRequest& req) {
  SubscriptionOptions o = optionsFor(s, req);
  addQueryFilter(req, o);
  SubscriptionGuard guard{s.events, s.events.subscribe(std::move(o), lastEventId(req)).subscription};
  LiveStreamOptions options;
  options.namedEvents = flag(req, "named_events");
  return streamResponse(s, guard, std::move(options));
}

HttpResponse jobEvents(ApiServices& s, const HttpRequest& req) {
  const AuthContext& auth = req.authContext();
  const std::string id = pathUuid(req, "Job");
  SubscriptionOptions o = optionsFor(s, req);
  o.filters.push_back(StreamFilter{std::nullopt, id});
  // Subscribed before the job is read, so no change falls between its snapshot and the live events.
  SubscriptionGuard guard{s.events, s.events.subscribe(std::move(o), lastEventId(req)).subscription};
  const auto job = s.store.readResult([&](StoreReader& r) { return r.findJob(auth.orgId, id); });
  if (!job) throw ApiError(ErrorCode::NotFound, "Job not found");
  requireQueueAccess(auth, job->queueName);
  LiveStreamOptions options;
  options.namedEvents = flag(req, "named_events");
  options.endsWithJob = true;
  const std::string status(toString(job->status));
  options.first.push_back(jobStatusSnapshot(auth.orgId, id, job->queueName, status, nowMs()));
  options.endAfterFirst = isFinalStatusName(status);
  return streamResponse(s, guard, std::move(options));
}

HttpResponse queueEvents(ApiServices& s, const HttpRequest& req) {
  const AuthContext& auth = req.authContext();
  const std::string name = req.pathParam("name");
  requireQueueName("queue_name", name);
  requireQueueAccess(auth, name);
  SubscriptionOptions o = optionsFor(s, req);
  o.filters.push_back(StreamFilter{name, std::nullopt});
  SubscriptionGuard guard{s.events, s.events.subscribe(std::move(o), lastEventId(req)).subscription};
  const QueueStatsView stats = QueueControl(s.store, s.notifier, s.jobs.now()).stats(auth.orgId, name);
  LiveStreamOptions options;
  options.namedEvents = flag(req, "named_events");
  options.first.push_back(queueStatsEvent(auth.orgId, name, stats.pendingJobs, stats.processingJobs,
                                          stats.completedJobs24h, stats.failedJobs24h, nowMs()));
  // Then a QueueStats every few seconds, as the official server sends (queue_stats_publisher.hpp).
  auto stream = std::make_shared<LiveStream>(s.events, guard.release(), std::move(options));
  s.queueStats.watch(stream, auth.orgId, name);
  HttpResponse response;
  response.stream = std::move(stream);
  return response;
}

HttpResponse webSocket(ApiServices& s, const HttpRequest& req) {
  const auto upgrade = req.header("upgrade");
  std::string lowered = upgrade.value_or("");
  std::transform(lowered.begin(), lowered.end(), lowered.begin(), [](unsigned char c) { return std::tolower(c); });
  if (lowered != "websocket")
    throw ApiError(ErrorCode::BadRequest, "GET /api/v1/ws needs a WebSocket upgrade (Upgrade: websocket)");
  const AuthContext& auth = req.authContext();
  SubscriptionOptions o = optionsFor(s, req);
  addQueryFilter(req, o);
  SubscriptionGuard guard{s.events, s.events.subscribe(std::move(o)).subscription};
  LiveStreamOptions options;
  options.kind = ResponseStream::Kind::WebSocket;
  HttpResponse response;
  if (!auth.allowsAllQueues()) options.allowedQueues = auth.queues;
  response.stream = std::make_shared<LiveStream>(s.events, guard.release(), std::move(options));
  return response;
}

}  // namespace

void addRealtimeRoutes(Router& router, ApiServices& services) {
  auto bind = [&services](auto fn) { return withServices(services, fn); };
  // Queues scope: a key limited to some queues may stream, and sees only its queues' events.
  router.add("GET", "/api/v1/events", Access::ApiKey, bind(organizationEvents), KeyScope::Queues);
  router.add("GET", "/api/v1/events/jobs/{id}", Access::ApiKey, bind(jobEvents), KeyScope::Queues);
  router.add("GET", "/api/v1/events/queues/{name}", Access::ApiKey, bind(queueEvents), KeyScope::Queues);
  router.add("GET", "/api/v1/ws", Access::ApiKey, bind(webSocket), KeyScope::Queues);
  for (const char* pattern : {"/api/v1/events", "/api/v1/events/jobs/{id}", "/api/v1/events/queues/{name}", "/api/v1/ws"})
    router.allowTokenInQuery("GET", pattern);
}

}  // namespace spooled::server
