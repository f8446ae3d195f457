#pragma once
// An organization's resource counts and the self-hosted plan they are measured against. Self-hosted
// Spooled has one plan with no quotas: every limit is null (unlimited), so no warning is ever raised;
// the counts are real, for dashboards and capacity planning.
#include <string>

#include "server/auth/access_control.hpp"
#include "server/store/store.hpp"

namespace spooled::server {

struct ResourceCounts {
  long long jobsToday = 0;    // created since 00:00 UTC
  long long activeJobs = 0;   // pending, scheduled or processing
  long long totalJobs = 0;    // every job the store still holds
  long long queues = 0;       // queues with jobs or a configuration
  long long workers = 0;      // healthy or degraded
  long long apiKeys = 0;      // active keys
  long long apiKeysTotal = 0; // including revoked ones
};

ResourceCounts countResources(StoreReader& reader, const std::string& orgId, TimePoint now);

// The one plan (PlanLimits): no quotas; the rate limit is the server's per-key default.
json selfHostedPlanJson(const RateLimitSettings& limits);

// UsageInfo: {plan, plan_display_name, limits, usage: {jobs_today, active_jobs, ...}, warnings}.
json usageInfoJson(const std::string& planTier, const ResourceCounts& counts, const RateLimitSettings& limits);

// AdminUsageStats: {jobs_today, active_jobs, queues, workers, api_keys}.
json adminUsageJson(const ResourceCounts& counts);

// Midnight UTC of the day `now` falls in.
TimePoint startOfUtcDay(TimePoint now);

}  // namespace spooled::server
