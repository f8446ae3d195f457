// GET /metrics: Prometheus text exposition. Public, as on the official backend's API port, unless the
// server was started with --metrics-token; then it needs `Authorization: Bearer <token>` (as the
// backend's METRICS_TOKEN). The registry holds what was counted as it happened; the gauges that
// describe the present (queue depth, workers) are read from the store here, at scrape time.
#include <openssl/crypto.h>
#include <spdlog/spdlog.h>

#include <array>
#include <iterator>
#include <map>

#include "common/error_code.hpp"
#include "server/api/api_services.hpp"

namespace spooled::server {

namespace {

constexpr const char* kWorkerStatuses[] = {"healthy", "degraded", "draining", "offline"};
// Far above any real worker count of one organization; the gauge is a count, not a listing.
constexpr int kMaxWorkersPerOrganization = 100000;

bool tokenMatches(const std::optional<std::string>& header, const std::string& expected) {
  static constexpr std::string_view kBearer = "Bearer ";
  if (!header || header->size() != kBearer.size() + expected.size() || header->rfind(kBearer, 0) != 0) return false;
  // Constant time, so the token cannot be guessed byte by byte from response times.
  return CRYPTO_memcmp(header->data() + kBearer.size(), expected.data(), expected.size()) == 0;
}

// Job counts by organization, queue and status. Every status of a queue that has any job is listed,
// zeros included, so a series drops to 0 instead of vanishing when the last such job leaves. Counts
// are indexed by the JobStatus value, which kAllJobStatuses lists in order.
void addQueueDepth(std::vector<ScrapeGauge>& gauges, const std::vector<QueueStatusCount>& rows) {
  std::map<std::pair<std::string, std::string>, std::array<long long, std::size(kAllJobStatuses)>> byQueue;
  long long pending = 0;
  long long processing = 0;
  for (const QueueStatusCount& row : rows) {
    auto& counts = byQueue.try_emplace({row.orgId, row.queueName}).first->second;
    counts[static_cast<std::size_t>(row.status)] += row.count;
    if (row.status == JobStatus::Pending) pending += row.count;
    if (row.status == JobStatus::Processing) processing += row.count;
  }
  ScrapeGauge depth{"spooled_queue_jobs", "Jobs by organization, queue and status, read at scrape time.", {}};
  for (const auto& [key, counts] : byQueue) {
    for (const JobStatus status : kAllJobStatuses) {
      depth.samples.push_back(GaugeSample{
          {{"organization_id", key.first}, {"queue", key.second}, {"status", std::string(toString(status))}},
          static_cast<double>(counts[static_cast<std::size_t>(status)])});
    }
  }
  gauges.push_back(std::move(depth));
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

HttpResponse metrics(ApiServices& s, const HttpRequest& req) {
  if (s.metricsToken && !tokenMatches(req.header("authorization"), *s.metricsToken))
    throw ApiError(ErrorCode::Unauthorized, "GET /metrics requires Authorization: Bearer <metrics token>");

  std::vector<ScrapeGauge> gauges;
  bool databaseUp = true;
  try {
    s.store.read([&](StoreReader& r) {
      addQueueDepth(gauges, r.countJobsByQueueAndStatus(std::nullopt));
      std::map<std::string, long long> workersByStatus;
      for (const OrganizationRecord& org : r.listOrganizations()) {
        WorkerQuery q;
        q.orgId = org.id;
        q.limit = kMaxWorkersPerOrganization;
        for (const WorkerRecord& w : r.listWorkers(q)) ++workersByStatus[w.status];
      }
      addWorkers(gauges, workersByStatus);
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

  HttpResponse response;
  response.status = 200;
  response.contentType = "text/plain; version=0.0.4; charset=utf-8";
  response.body = s.metrics.render(gauges);
  return response;
}

}  // namespace

void addMetricsRoutes(Router& router, ApiServices& s) {
  // Public at the routing level: the optional metrics token is checked by the handler, since it is
  // not an API key.
  router.add("GET", "/metrics", Access::Public, withServices(s, metrics));
}

}  // namespace spooled::server
