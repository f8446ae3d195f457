#include "server/api/org_usage.hpp"

#include <algorithm>

#include "server/api/validation.hpp"

namespace spooled::server {

namespace {

constexpr const char* kPlanTier = "enterprise";  // the official tier without plan quotas
constexpr const char* kPlanDisplayName = "Self-hosted";
constexpr double kWarningPercent = 80;
constexpr long long kCountEverything = 1LL << 40;  // countQueues' "upTo" that never stops it  // the official backend's threshold for paid plans

// UsageItem without a limit: nothing to compare against, so no percentage and never disabled.
json unlimitedItem(long long current) {
  return json{{"current", current}, {"limit", nullptr}, {"percentage", nullptr}, {"is_disabled", false}};
}

// UsageItem against a cap; adds the official backend's warning when usage is near or at it.
json cappedItem(const char* resource, long long current, long long limit, json& warnings) {
  const double percentage = 100.0 * static_cast<double>(current) / static_cast<double>(limit);
  std::string label = resource;
  std::replace(label.begin(), label.end(), '_', ' ');
  if (percentage >= 100) {
    warnings.push_back({{"resource", resource}, {"message", label + " limit reached"}, {"severity", "critical"}});
  } else if (percentage >= kWarningPercent) {
    warnings.push_back({{"resource", resource},
                        {"message", label + " at " + std::to_string(static_cast<int>(percentage)) + "% of limit"},
                        {"severity", "warning"}});
  }
  return json{{"current", current}, {"limit", limit}, {"percentage", percentage}, {"is_disabled", false}};
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
  c.queues = r.countQueues(orgId, kCountEverything);
  c.workers = r.countLiveWorkers(orgId);
  for (const ApiKeyRecord& key : r.listApiKeys(orgId)) {
    ++c.apiKeysTotal;
    if (key.isActive) ++c.apiKeys;
  }
  return c;
}

json selfHostedPlanJson(const RateLimitSettings& rates, const OrgLimits& limits) {
  return json{{"tier", kPlanTier},
              {"display_name", kPlanDisplayName},
              {"max_jobs_per_day", nullptr},
              {"max_active_jobs", nullptr},
              {"max_queues", limits.maxQueues},
              {"max_workers", limits.maxWorkers},
              {"max_api_keys", limits.maxApiKeys},
              {"max_schedules", nullptr},
              {"max_workflows", nullptr},
              {"max_webhooks", nullptr},
              {"max_payload_size_bytes", kMaxPayloadBytes},
              {"rate_limit_requests_per_second", rates.perSecond},
              {"rate_limit_burst", rates.burst},
              // Jobs are kept until deleted: there is no retention sweep, which 0 stands for.
              {"job_retention_days", 0},
              {"history_retention_days", 0}};
}

json usageInfoJson(const std::string& planTier, const ResourceCounts& c, const RateLimitSettings& rates,
                   const OrgLimits& limits) {
  json plan = selfHostedPlanJson(rates, limits);
  json warnings = json::array();
  json queues = cappedItem("queues", c.queues, limits.maxQueues, warnings);
  json workers = cappedItem("workers", c.workers, limits.maxWorkers, warnings);
  json apiKeys = cappedItem("api_keys", c.apiKeys, limits.maxApiKeys, warnings);
  return json{{"plan", planTier},
              {"plan_display_name", plan["display_name"]},
              {"limits", std::move(plan)},
              {"usage",
               {{"jobs_today", unlimitedItem(c.jobsToday)},
                {"active_jobs", unlimitedItem(c.activeJobs)},
                {"queues", std::move(queues)},
                {"workers", std::move(workers)},
                {"api_keys", std::move(apiKeys)},
                // Not implemented by this server yet, so there are none.
                {"schedules", unlimitedItem(0)},
                {"workflows", unlimitedItem(0)},
                {"webhooks", unlimitedItem(0)}}},
              {"warnings", std::move(warnings)}};
}

json adminUsageJson(const ResourceCounts& c) {
  return json{{"jobs_today", c.jobsToday},
              {"active_jobs", c.activeJobs},
              {"queues", c.queues},
              {"workers", c.workers},
              {"api_keys", c.apiKeys}};
}

}  // namespace spooled::server
