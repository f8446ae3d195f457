// /api/v1/admin: platform administration behind X-Admin-Key (checked by the dispatcher for
// Access::Admin routes): every organization with its usage, creating organizations and keys for them,
// plan changes, deletion, platform stats and the plan list. Shapes as the official backend's.
#include <algorithm>
#include <cctype>

#include "common/error_code.hpp"
#include "server/api/account_json.hpp"
#include "server/api/account_services.hpp"
#include "server/api/api_services.hpp"
#include "server/api/org_usage.hpp"

namespace spooled::server {

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string orgIdParam(const HttpRequest& req) { return pathUuid(req, "Organization"); }

OrganizationRecord findOrganization(StoreReader& r, const std::string& id) {
  auto org = r.findOrganization(id);
  if (!org) throw ApiError(ErrorCode::NotFound, "Organization not found");
  return std::move(*org);
}

bool matchesSearch(const OrganizationRecord& org, const std::string& needle) {
  return lower(org.name).find(needle) != std::string::npos || org.slug.find(needle) != std::string::npos;
}

// Sorts by one of the backend's fields (anything else: created_at), ties broken by id so pages are stable.
void sortOrganizations(std::vector<OrganizationRecord>& orgs, const std::string& sortBy, bool ascending) {
  const auto key = [&](const OrganizationRecord& o) -> std::string {
    if (sortBy == "name") return o.name;
    if (sortBy == "slug") return o.slug;
    if (sortBy == "plan_tier") return o.planTier;
    // Epoch milliseconds, zero-padded so they sort as text.
    const long long ms = toEpochMs(sortBy == "updated_at" ? o.updatedAt : o.createdAt);
    std::string digits = std::to_string(ms);
    return std::string(20 - std::min<std::size_t>(20, digits.size()), '0') + digits;
  };
  std::stable_sort(orgs.begin(), orgs.end(), [&](const OrganizationRecord& a, const OrganizationRecord& b) {
    const std::string ka = key(a), kb = key(b);
    if (ka != kb) return ascending ? ka < kb : ka > kb;
    return a.id < b.id;
  });
}

HttpResponse listOrganizations(AccountServices& s, const HttpRequest& req) {
  const int limit = std::clamp(queryInt(req.queryParam("limit"), "limit", -1000000, 1000000, 50), 1, 100);
  const int offset = std::max(0, queryInt(req.queryParam("offset"), "offset", -1000000000, 1000000000, 0));
  // As the backend: an unknown plan_tier filter is ignored rather than matching nothing.
  std::optional<std::string> planTier = req.queryParam("plan_tier");
  static const char* const kFilterable[] = {"free", "starter", "pro", "enterprise", "deleted"};
  if (planTier && std::find(std::begin(kFilterable), std::end(kFilterable), lower(*planTier)) == std::end(kFilterable))
    planTier.reset();
  const std::string search = lower(req.queryParam("search").value_or(""));
  const bool ascending = lower(req.queryParam("sort_order").value_or("desc")) == "asc";

  const json out = s.store.readResult([&](StoreReader& r) {
    std::vector<OrganizationRecord> orgs = r.listOrganizations();
    std::erase_if(orgs, [&](const OrganizationRecord& o) {
      return (planTier && lower(*planTier) != o.planTier) || (!search.empty() && !matchesSearch(o, search));
    });
    sortOrganizations(orgs, req.queryParam("sort_by").value_or("created_at"), ascending);
    const TimePoint now = nowMs();
    json rows = json::array();
    for (std::size_t i = static_cast<std::size_t>(offset); i < orgs.size() && rows.size() < static_cast<std::size_t>(limit);
         ++i) {
      const OrganizationRecord& o = orgs[i];
      rows.push_back(json{{"id", o.id},
                          {"name", o.name},
                          {"slug", o.slug},
                          {"plan_tier", o.planTier},
                          {"billing_email", o.billingEmail ? json(*o.billingEmail) : json(nullptr)},
                          {"created_at", formatIso8601(o.createdAt)},
                          {"updated_at", formatIso8601(o.updatedAt)},
                          {"usage", adminUsageJson(countResources(r, o.id, now))}});
    }
    return json{{"organizations", rows}, {"total", orgs.size()}, {"limit", limit}, {"offset", offset}};
  });
  return HttpResponse::json(200, out);
}

Task<HttpResponse> createOrganization(AccountServices& s, const HttpRequest& req) {
  const json body = parseJsonObjectBody(req.body);
  const FieldReader f(body);
  NewOrganization in = readNewOrganization(f);
  if (auto tier = readPlanTier(f)) in.planTier = *tier;
  co_return HttpResponse::json(201, createdOrganizationToJson(co_await createOrganizationWithKey(s.store, in, s.keyPrefix)));
}

HttpResponse getOrganization(AccountServices& s, const HttpRequest& req) {
  const std::string id = orgIdParam(req);
  const json out = s.store.readResult([&](StoreReader& r) {
    const OrganizationRecord org = findOrganization(r, id);
    const ResourceCounts counts = countResources(r, id, nowMs());
    json detail = organizationToJson(org);
    detail["usage_info"] = usageInfoJson(org.planTier, counts, s.access.rateLimits(), s.limits);
    detail["api_keys_count"] = counts.apiKeysTotal;
    detail["total_jobs"] = counts.totalJobs;
    return detail;
  });
  return HttpResponse::json(200, out);
}

Task<HttpResponse> updateOrganization(AccountServices& s, const HttpRequest& req) {
  const std::string id = orgIdParam(req);
  const json body = parseJsonObjectBody(req.body);
  const FieldReader f(body);
  const auto planTier = readPlanTier(f);
  const auto billingEmail = readBillingEmail(f);
  const auto settings = readSettings(f);
  // custom_limits is accepted and ignored: the self-hosted plan has no limits to override.
  const OrganizationRecord updated = co_await s.store.write([&](StoreTx& tx) {
    OrganizationRecord org = findOrganization(tx, id);
    if (planTier) org.planTier = *planTier;
    if (billingEmail) org.billingEmail = *billingEmail;
    if (settings) org.settings = *settings;
    org.updatedAt = nowMs();
    tx.updateOrganization(org);
    return org;
  });
  co_return HttpResponse::json(200, organizationToJson(updated));
}

Task<HttpResponse> deleteOrganization(AccountServices& s, const HttpRequest& req) {
  const std::string id = orgIdParam(req);
  const auto hard = req.queryParam("hard_delete");
  const bool hardDelete = hard && (*hard == "true" || *hard == "1");
  co_await s.store.write([&](StoreTx& tx) {
    OrganizationRecord org = findOrganization(tx, id);
    if (hardDelete) {
      tx.deleteOrganization(id);
      return;
    }
    // Soft delete, as the backend: the plan becomes "deleted" and the data stays. Unlike the backend,
    // the organization's keys stop working too, so "deleted" means nobody can use it.
    org.planTier = "deleted";
    org.updatedAt = nowMs();
    tx.updateOrganization(org);
    for (ApiKeyRecord key : tx.listApiKeys(id)) {
      if (!key.isActive) continue;
      key.isActive = false;
      tx.updateApiKey(key);
    }
  });
  s.access.apiKeysChanged();
  co_return HttpResponse::empty(204);
}

Task<HttpResponse> createApiKey(AccountServices& s, const HttpRequest& req) {
  const std::string id = orgIdParam(req);
  const json body = parseJsonObjectBody(req.body);
  const FieldReader f(body);
  NewApiKey in;
  in.name = readKeyName(f);
  in.queues = readKeyQueues(f).value_or(std::vector<std::string>{"*"});  // the backend's default
  const CreatedApiKey created = co_await s.store.write([&](StoreTx& tx) {
    findOrganization(tx, id);
    requireApiKeyRoom(tx, s.limits, id);
    return insertNewApiKey(tx, id, in, s.keyPrefix);
  });
  co_return HttpResponse::json(201, createdKeyToJson(created));
}

// There are no usage counters to reset: every count is computed from the data itself.
HttpResponse resetUsage(AccountServices& s, const HttpRequest& req) {
  const std::string id = orgIdParam(req);
  s.store.read([&](StoreReader& r) { findOrganization(r, id); });
  return HttpResponse::empty(204);
}

HttpResponse platformStats(AccountServices& s, const HttpRequest&) {
  const TimePoint now = nowMs();
  const TimePoint today = startOfUtcDay(now);
  const TimePoint dayAgo = now - std::chrono::hours(24);
  const TimePoint weekAgo = today - std::chrono::hours(24 * 7);
  const TimePoint heartbeatCutoff = now - std::chrono::minutes(1);  // as the backend counts live workers
  const auto uptime =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - s.startedClock).count();

  const json out = s.store.readResult([&](StoreReader& r) {
    const auto orgs = r.listOrganizations();
    std::map<std::string, long long> byPlan;
    long long createdToday = 0, createdThisWeek = 0;
    long long pending = 0, processing = 0, scheduled = 0, completed24h = 0, failed24h = 0;
    long long workers = 0, healthy = 0, degraded = 0;
    for (const OrganizationRecord& org : orgs) {
      ++byPlan[org.planTier];
      if (org.createdAt >= today) ++createdToday;
      if (org.createdAt >= weekAgo) ++createdThisWeek;
      const JobActivity activity = r.jobActivity(org.id, std::nullopt, dayAgo);
      completed24h += activity.completedSince;
      failed24h += activity.failedSince;
      WorkerQuery q;
      q.orgId = org.id;
      q.limit = 1000000;
      for (const WorkerRecord& w : r.listWorkers(q)) {
        if (w.lastHeartbeat <= heartbeatCutoff) continue;
        ++workers;
        if (w.status == "healthy") ++healthy;
        if (w.status == "degraded") ++degraded;
      }
    }
    for (const QueueStatusCount& row : r.countJobsByQueueAndStatus(std::nullopt)) {
      if (row.status == JobStatus::Pending) pending += row.count;
      if (row.status == JobStatus::Processing) processing += row.count;
      if (row.status == JobStatus::Scheduled) scheduled += row.count;
    }
    std::vector<std::pair<std::string, long long>> plans(byPlan.begin(), byPlan.end());
    std::stable_sort(plans.begin(), plans.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    json planRows = json::array();
    for (const auto& [plan, count] : plans) planRows.push_back(json{{"plan", plan}, {"count", count}});
    return json{
        {"organizations",
         {{"total", orgs.size()}, {"by_plan", planRows}, {"created_today", createdToday},
          {"created_this_week", createdThisWeek}}},
        {"jobs",
         {{"total_active", pending + processing + scheduled}, {"pending", pending}, {"processing", processing},
          {"completed_24h", completed24h}, {"failed_24h", failed24h}}},
        {"workers", {{"total", workers}, {"healthy", healthy}, {"degraded", degraded}}},
        {"system", {{"api_version", "v1"}, {"uptime_seconds", uptime}}}};
  });
  return HttpResponse::json(200, out);
}

HttpResponse listPlans(AccountServices& s, const HttpRequest&) {
  return HttpResponse::json(200, json::array({selfHostedPlanJson(s.access.rateLimits(), s.limits)}));
}

}  // namespace

void addAdminRoutes(Router& router, AccountServices& s) {
  const std::string orgs = "/api/v1/admin/organizations";
  router.add("GET", orgs, Access::Admin, withAccounts(s, listOrganizations));
  router.add("POST", orgs, Access::Admin, withAccounts(s, createOrganization));
  router.add("GET", orgs + "/{id}", Access::Admin, withAccounts(s, getOrganization));
  router.add("PATCH", orgs + "/{id}", Access::Admin, withAccounts(s, updateOrganization));
  router.add("DELETE", orgs + "/{id}", Access::Admin, withAccounts(s, deleteOrganization));
  router.add("POST", orgs + "/{id}/api-keys", Access::Admin, withAccounts(s, createApiKey));
  router.add("POST", orgs + "/{id}/reset-usage", Access::Admin, withAccounts(s, resetUsage));
  router.add("GET", "/api/v1/admin/stats", Access::Admin, withAccounts(s, platformStats));
  router.add("GET", "/api/v1/admin/plans", Access::Admin, withAccounts(s, listPlans));
}

}  // namespace spooled::server
