#include "server/api/org_usage.hpp"

#include <algorithm>

#include "server/api/validation.hpp"

namespace spooled::server {

namespace {

constexpr const char* kPlanTier = "enterprise";  // the official tier without limits
constexpr const char* kPlanDisplayName = "Self-hosted";
constexpr int kNoWorkerLimit = 1000000;  // listWorkers pages; an organization has far fewer workers

// UsageItem without a limit: nothing to compare against, so no percentage and never disabled.
json unlimitedItem(long long current) {
  return json{{"current", current}, {"limit", nullptr}, {"percentage", nullptr}, {"is_disabled", false}};
}

}  // namespace

TimePoint startOfUtcDay(TimePoint now) {
  constexpr long long kDayMs = 24LL * 3600 * 1000;
  return fromEpochMs(toEpochMs(now) / kDayMs * kDayMs);
}

ResourceCounts countResources(StoreReader& r, const std::string& orgId, TimePoint now) {
  ResourceCounts c;
  for (const auto& [status, count] : r.countJobsByStatus(orgId, std::nullopt)) {
    c.totalJobs += count;
    if (status == JobStatus::Pending || status == JobStatus::Scheduled || status == JobStatus::Processing)
      c.activeJobs += count;
  }
  c.jobsToday = r.jobActivity(orgId, std::nullopt, startOfUtcDay(now)).createdSince;
  c.queues = static_cast<long long>(r.listQueueNames(orgId).size());
  WorkerQuery workers;
  workers.orgId = orgId;
  workers.limit = kNoWorkerLimit;
  for (const WorkerRecord& w : r.listWorkers(workers))
    if (w.status == "healthy" || w.status == "degraded") ++c.workers;  // as the backend counts them
  for (const ApiKeyRecord& key : r.listApiKeys(orgId)) {
    ++c.apiKeysTotal;
    if (key.isActive) ++c.apiKeys;
  }
  return c;
}

json selfHostedPlanJson(const RateLimitSettings& limits) {
  return json{{"tier", kPlanTier},
              {"display_name", kPlanDisplayName},
              {"max_jobs_per_day", nullptr},
              {"max_active_jobs", nullptr},
              {"max_queues", nullptr},
              {"max_workers", nullptr},
              {"max_api_keys", nullptr},
              {"max_schedules", nullptr},
              {"max_workflows", nullptr},
              {"max_webhooks", nullptr},
              {"max_payload_size_bytes", kMaxPayloadBytes},
              {"rate_limit_requests_per_second", limits.perSecond},
              {"rate_limit_burst", limits.burst},
              // Jobs are kept until deleted: there is no retention sweep, which 0 stands for.
              {"job_retention_days", 0},
              {"history_retention_days", 0}};
}

json usageInfoJson(const std::string& planTier, const ResourceCounts& c, const RateLimitSettings& limits) {
  json plan = selfHostedPlanJson(limits);
  return json{{"plan", planTier},
              {"plan_display_name", plan["display_name"]},
              {"limits", std::move(plan)},
              {"usage",
               {{"jobs_today", unlimitedItem(c.jobsToday)},
                {"active_jobs", unlimitedItem(c.activeJobs)},
                {"queues", unlimitedItem(c.queues)},
                {"workers", unlimitedItem(c.workers)},
                {"api_keys", unlimitedItem(c.apiKeys)},
                // Not implemented by this server yet, so there are none.
                {"schedules", unlimitedItem(0)},
                {"workflows", unlimitedItem(0)},
                {"webhooks", unlimitedItem(0)}}},
              {"warnings", json::array()}};
}

json adminUsageJson(const ResourceCounts& c) {
  return json{{"jobs_today", c.jobsToday},
              {"active_jobs", c.activeJobs},
              {"queues", c.queues},
              {"workers", c.workers},
              {"api_keys", c.apiKeys}};
}

}  // namespace spooled::server
