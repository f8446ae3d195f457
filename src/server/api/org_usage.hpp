#pragma once
// An organization's resource counts and the self-hosted plan they are measured against. Self-hosted
// Spooled has one plan: queues, workers and API keys are capped by the server's --max-*-per-org
// flags (core/org_limits.hpp); everything else is unlimited (null). Usage at 80% of a cap raises a
// warning, at 100% a critical one, as the official backend's.
#include <string>

#include "server/auth/access_control.hpp"
#include "server/core/org_limits.hpp"
#include "server/store/store.hpp"

namespace spooled::server {

struct ResourceCounts {
  long long jobsToday = 0;    // created since 00:00 UTC
  long long activeJobs = 0;   // pending, scheduled or processing
  long long totalJobs = 0;    // every job the store still holds
  long long queues = 0;       // queues with jobs or a configuration
  long long workers = 0;      // not offline (what --max-workers-per-org counts)
  long long apiKeys = 0;      // active keys
  long long apiKeysTotal = 0; // including revoked ones
};

ResourceCounts countResources(StoreReader& reader, const std::string& orgId, TimePoint now);

// The one plan (PlanLimits): the organization caps; the rate limit is the server's per-key default.
json selfHostedPlanJson(const RateLimitSettings& rates, const OrgLimits& limits);

// UsageInfo: {plan, plan_display_name, limits, usage: {jobs_today, active_jobs, ...}, warnings}.
json usageInfoJson(const std::string& planTier, const ResourceCounts& counts, const RateLimitSettings& rates,
                   const OrgLimits& limits);

// AdminUsageStats: {jobs_today, active_jobs, queues, workers, api_keys}.
json adminUsageJson(const ResourceCounts& counts);

// Midnight UTC of the day `now` falls in.
TimePoint startOfUtcDay(TimePoint now);

}  // namespace spooled::server
