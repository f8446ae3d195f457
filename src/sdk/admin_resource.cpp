// AdminResource and the admin types' fromJson (include/spooled/admin.hpp).
#include "sdk/api_caller.hpp"
#include "sdk/call_helpers.hpp"
#include "sdk/json_fields.hpp"
#include "spooled/admin.hpp"
#include "spooled/errors.hpp"

namespace spooled {
namespace {

using detail::ApiCall;
using detail::putField;
using detail::readField;
using detail::requireField;

const std::string kAdmin = "/api/v1/admin";

std::string organizationPath(const std::string& id, const char* action = nullptr) {
  return detail::resourcePath(kAdmin + "/organizations", id, action);
}

}  // namespace

AdminOrganizationList AdminOrganizationList::fromJson(const json& body) {
  const json& o = detail::requireObject(body, "organization list");
  AdminOrganizationList list;
  readField(o, "total", list.total);
  readField(o, "limit", list.limit);
  readField(o, "offset", list.offset);
  if (const auto it = o.find("organizations"); it != o.end() && it->is_array()) {
    for (const json& row : *it) {
      const json& r = detail::requireObject(row, "organization");
      AdminOrganizationSummary s;
      requireField(r, "id", s.id);
      readField(r, "name", s.name);
      readField(r, "slug", s.slug);
      readField(r, "plan_tier", s.planTier);
      readField(r, "billing_email", s.billingEmail);
      readField(r, "created_at", s.createdAt);
      readField(r, "updated_at", s.updatedAt);
      const json& u = detail::childObject(r, "usage");
      readField(u, "jobs_today", s.usage.jobsToday);
      readField(u, "active_jobs", s.usage.activeJobs);
      readField(u, "queues", s.usage.queues);
      readField(u, "workers", s.usage.workers);
      readField(u, "api_keys", s.usage.apiKeys);
      list.organizations.push_back(std::move(s));
    }
  }
  return list;
}

AdminOrganizationDetail AdminOrganizationDetail::fromJson(const json& body) {
  const json& o = detail::requireObject(body, "organization detail");
  AdminOrganizationDetail d;
  d.organization = Organization::fromJson(o);  // the detail carries every Organization field
  if (o.contains("usage_info") && !o.at("usage_info").is_null()) d.usageInfo = OrganizationUsage::fromJson(o.at("usage_info"));
  readField(o, "api_keys_count", d.apiKeysCount);
  readField(o, "total_jobs", d.totalJobs);
  return d;
}

PlatformStats PlatformStats::fromJson(const json& body) {
  const json& o = detail::requireObject(body, "platform stats");
  PlatformStats s;
  const json& orgs = detail::childObject(o, "organizations");
  readField(orgs, "total", s.organizationsTotal);
  readField(orgs, "created_today", s.organizationsCreatedToday);
  readField(orgs, "created_this_week", s.organizationsCreatedThisWeek);
  if (const auto it = orgs.find("by_plan"); it != orgs.end() && it->is_array()) {
    for (const json& row : *it) {
      PlanCount count;
      readField(row, "plan", count.plan);
      readField(row, "count", count.count);
      s.organizationsByPlan.push_back(std::move(count));
    }
  }
  const json& jobs = detail::childObject(o, "jobs");
  readField(jobs, "total_active", s.jobsTotalActive);
  readField(jobs, "pending", s.jobsPending);
  readField(jobs, "processing", s.jobsProcessing);
  readField(jobs, "completed_24h", s.jobsCompleted24h);
  readField(jobs, "failed_24h", s.jobsFailed24h);
  const json& workers = detail::childObject(o, "workers");
  readField(workers, "total", s.workersTotal);
  readField(workers, "healthy", s.workersHealthy);
  readField(workers, "degraded", s.workersDegraded);
  const json& system = detail::childObject(o, "system");
  readField(system, "api_version", s.apiVersion);
  readField(system, "uptime_seconds", s.uptimeSeconds);
  return s;
}

namespace {

// Every admin call goes through here: the key is checked before anything is sent, as the official SDK does.
json adminCall(detail::ApiCaller& api, ApiCall call) {
  const std::string& adminKey = api.options().adminKey;
  if (adminKey.empty()) throw AuthenticationError("the admin API needs an admin key: set ClientOptions::adminKey");
  call.headers.emplace_back("X-Admin-Key", adminKey);
  return api.call(call);
}

}  // namespace

AdminOrganizationList AdminResource::listOrganizations(const AdminListOrganizationsParams& params) {
  ApiCall call = ApiCall::get(kAdmin + "/organizations");
  detail::addQuery(call, "plan_tier", params.planTier);
  detail::addQuery(call, "search", params.search);
  detail::addQuery(call, "limit", params.limit);
  detail::addQuery(call, "offset", params.offset);
  detail::addQuery(call, "sort_by", params.sortBy);
  detail::addQuery(call, "sort_order", params.sortOrder);
  return AdminOrganizationList::fromJson(adminCall(api_, std::move(call)));
}

CreateOrganizationResult AdminResource::createOrganization(const AdminCreateOrganizationParams& params) {
  json body = json::object();
  putField(body, "name", params.name);
  putField(body, "slug", params.slug);
  putField(body, "billing_email", params.billingEmail);
  putField(body, "plan_tier", params.planTier);
  return CreateOrganizationResult::fromJson(adminCall(api_, ApiCall::post(kAdmin + "/organizations", std::move(body))));
}

AdminOrganizationDetail AdminResource::getOrganization(const std::string& id) {
  return AdminOrganizationDetail::fromJson(adminCall(api_, ApiCall::get(organizationPath(id))));
}

Organization AdminResource::updateOrganization(const std::string& id, const AdminUpdateOrganizationParams& params) {
  json body = json::object();
  putField(body, "plan_tier", params.planTier);
  putField(body, "billing_email", params.billingEmail);
  putField(body, "settings", params.settings);
  return Organization::fromJson(adminCall(api_, ApiCall::patch(organizationPath(id), std::move(body))));
}

void AdminResource::deleteOrganization(const std::string& id, bool hardDelete) {
  ApiCall call = ApiCall::del(organizationPath(id));
  if (hardDelete) call.query.emplace_back("hard_delete", "true");
  adminCall(api_, std::move(call));
}

InitialApiKey AdminResource::createApiKey(const std::string& organizationId, const AdminCreateApiKeyParams& params) {
  json body = json::object();
  putField(body, "name", params.name);
  putField(body, "queues", params.queues);
  return InitialApiKey::fromJson(adminCall(api_, ApiCall::post(organizationPath(organizationId, "api-keys"), std::move(body))));
}

void AdminResource::resetUsage(const std::string& organizationId) {
  adminCall(api_, ApiCall::post(organizationPath(organizationId, "reset-usage"), std::nullopt, detail::Idempotency::Safe));
}

PlatformStats AdminResource::getStats() { return PlatformStats::fromJson(adminCall(api_, ApiCall::get(kAdmin + "/stats"))); }

std::vector<PlanLimits> AdminResource::listPlans() {
  const json response = adminCall(api_, ApiCall::get(kAdmin + "/plans"));
  if (!response.is_array()) detail::throwInvalidResponse("plans", "expected a JSON array");
  std::vector<PlanLimits> plans;
  for (const json& row : response) plans.push_back(PlanLimits::fromJson(row));
  return plans;
}

}  // namespace spooled
