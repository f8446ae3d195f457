// GET /metrics: Prometheus text exposition. With --metrics-token it needs `Authorization: Bearer
// <token>` (as the backend's METRICS_TOKEN). Without one it answers only when the server listens on a
// loopback address (or with --metrics-public), because it names every organization and queue. The
// registry holds what was counted as it happened; the gauges that describe the present (queue depth,
// workers) are read from the store at scrape time. A scrape's cost is bounded: the (organization,
// queue) series of each family are capped (the rest add up under "_other"), and scrapes that arrive
// together share one rendering (SingleFlight).
#include <openssl/crypto.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <iterator>
#include <map>

#include "common/error_code.hpp"
#include "server/api/api_services.hpp"

namespace spooled::server {

namespace {

constexpr const char* kWorkerStatuses[] = {"healthy", "degraded", "draining", "offline"};

using QueueKey = std::pair<std::string, std::string>;  // organization, queue
using StatusCounts = std::array<long long, std::size(kAllJobStatuses)>;

bool tokenMatches(const std::optional<std::string>& header, const std::string& expected) {
  static constexpr std::string_view kBearer = "Bearer ";
  if (!header || header->size() != kBearer.size() + expected.size() || header->rfind(kBearer, 0) != 0) return false;
  // Constant time, so the token cannot be guessed byte by byte from response times.
  return CRYPTO_memcmp(header->data() + kBearer.size(), expected.data(), expected.size()) == 0;
}

long long total(const StatusCounts& counts) {
  long long sum = 0;
  for (const long long n : counts) sum += n;
  return sum;
}

// Keeps the `max` queues with the most jobs (ties by name) and adds the others up under "_other", so
// the gauge has at most max + 1 queues however many exist. Returns how many were added up.
long long foldSmallQueues(std::map<QueueKey, StatusCounts>& byQueue, std::size_t max) {
  if (byQueue.size() <= max) return 0;
  std::vector<std::map<QueueKey, StatusCounts>::const_iterator> order;
  order.reserve(byQueue.size());
  for (auto it = byQueue.cbegin(); it != byQueue.cend(); ++it) order.push_back(it);
  std::stable_sort(order.begin(), order.end(), [](const auto& a, const auto& b) { return total(a->second) > total(b->second); });
  std::map<QueueKey, StatusCounts> kept;
  StatusCounts other{};
  for (std::size_t i = 0; i < order.size(); ++i) {
    if (i < max) {
      kept.emplace(order[i]->first, order[i]->second);
      continue;
    }
    for (std::size_t s = 0; s < other.size(); ++s) other[s] += order[i]->second[s];
  }
  const std::string otherLabel(MetricsRegistry::kOtherLabel);
  kept.emplace(QueueKey{otherLabel, otherLabel}, other);
  const long long folded = static_cast<long long>(byQueue.size() - max);
  byQueue = std::move(kept);
  return folded;
}

// Job counts by organization, queue and status. Every status of a queue that has any job is listed,
// zeros included, so a series drops to 0 instead of vanishing when the last such job leaves. Counts
// are indexed by the JobStatus value, which kAllJobStatuses lists in order.
void addQueueDepth(std::vector<ScrapeGauge>& gauges, const std::vector<QueueStatusCount>& rows, std::size_t maxQueues) {
  std::map<QueueKey, StatusCounts> byQueue;
  long long pending = 0;
  long long processing = 0;
  for (const QueueStatusCount& row : rows) {
    auto& counts = byQueue.try_emplace({row.orgId, row.queueName}).first->second;
    counts[static_cast<std::size_t>(row.status)] += row.count;
    if (row.status == JobStatus::Pending) pending += row.count;
    if (row.status == JobStatus::Processing) processing += row.count;
  }
  const long long folded = foldSmallQueues(byQueue, maxQueues);
  ScrapeGauge depth{"spooled_queue_jobs", "Jobs by organization, queue and status, read at scrape time.", {}};
  for (const auto& [key, counts] : byQueue) {
    for (const JobStatus status : kAllJobStatuses) {
      depth.samples.push_back(GaugeSample{
          {{"organization_id", key.first}, {"queue", key.second}, {"status", std::string(toString(status))}},
          static_cast<double>(counts[static_cast<std::size_t>(status)])});
    }
  }
  gauges.push_back(std::move(depth));
  gauges.push_back({"spooled_queue_jobs_other_queues",
                    "Queues added up under queue=\"_other\" in spooled_queue_jobs (beyond the series cap).",
                    {{{}, static_cast<double>(folded)}}});
  // The official backend's unlabelled totals, for dashboards built against it.
  gauges.push_back({"spooled_jobs_pending", "Pending jobs, all queues.", {{{}, static_cast<double>(pending)}}});
  gauges.push_back(
      {"spooled_jobs_processing", "Jobs being processed, all queues.", {{{}, static_cast<double>(processing)}}});
}

void addWorkers(std::vector<ScrapeGauge>& gauges, const std::map<std::string, long long>& byStatus) {
  ScrapeGauge workers{"spooled_workers", "Registered workers by status, read at scrape time.", {}};
  long long active = 0;
  for (const char* status : kWorkerStatuses) {
    const auto it = byStatus.find(status);
    const long long n = it == byStatus.end() ? 0 : it->second;
    workers.samples.push_back(GaugeSample{{{"status", status}}, static_cast<double>(n)});
    if (std::string_view(status) != "offline") active += n;
  }
  gauges.push_back(std::move(workers));
  const auto healthy = byStatus.find("healthy");
  gauges.push_back({"spooled_workers_active", "Workers not offline.", {{{}, static_cast<double>(active)}}});
  gauges.push_back({"spooled_workers_healthy", "Workers reporting healthy.",
                    {{{}, static_cast<double>(healthy == byStatus.end() ? 0 : healthy->second)}}});
}

std::string renderScrape(ApiServices& s) {
  std::vector<ScrapeGauge> gauges;
  bool databaseUp = true;
  try {
    s.store.read([&](StoreReader& r) {
      addQueueDepth(gauges, r.countJobsByQueueAndStatus(std::nullopt), s.metrics.maxQueueSeries());
      addWorkers(gauges, r.countWorkersByStatus());
    });
  } catch (const std::exception& e) {
    // A scrape during a database outage still answers, so the outage itself shows up in the metrics.
    spdlog::warn("metrics: cannot read the store: {}", e.what());
    gauges.clear();
    databaseUp = false;
  }
  const double uptime = std::chrono::duration<double>(std::chrono::steady_clock::now() - s.startedClock).count();
  gauges.push_back({"spooled_database_up", "1 when the store answered this scrape.", {{{}, databaseUp ? 1.0 : 0.0}}});
  gauges.push_back({"spooled_uptime_seconds", "Seconds since the server started.", {{{}, uptime}}});
  gauges.push_back({"spooled_build_info", "Always 1; the labels say which server this is.",
                    {{{{"version", SPOOLED_VERSION}, {"environment", s.environment}}, 1.0}}});
  return s.metrics.render(gauges);
}

Task<HttpResponse> metrics(ApiServices& s, const HttpRequest& req) {
  if (s.metricsToken) {
    if (!tokenMatches(req.header("authorization"), *s.metricsToken))
      throw ApiError(ErrorCode::Unauthorized, "GET /metrics requires Authorization: Bearer <metrics token>");
  } else if (!s.metricsWithoutToken) {
    throw ApiError(ErrorCode::Forbidden,
                   "GET /metrics names every organization and queue, so without a token it is served only on a "
                   "loopback address; start the server with --metrics-token (METRICS_TOKEN) or --metrics-public");
  }
  std::function<std::string()> render = [&s] { return renderScrape(s); };
  Task<SingleFlight::Text> shared = s.metricsRender.share(std::move(render));
  const SingleFlight::Text text = co_await std::move(shared);
  HttpResponse response;
  response.status = 200;
  response.contentType = "text/plain; version=0.0.4; charset=utf-8";
  response.body = *text;
  co_return response;
}

}  // namespace

void addMetricsRoutes(Router& router, ApiServices& s) {
  // Public at the routing level: the optional metrics token is checked by the handler, since it is
  // not an API key.
  router.add("GET", "/metrics", Access::Public, withServices(s, metrics));
}

}  // namespace spooled::server
