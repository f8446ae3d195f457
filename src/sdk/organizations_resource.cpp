// OrganizationsResource and the organization types' fromJson (include/spooled/organizations.hpp).
#include "sdk/api_caller.hpp"
#include "sdk/call_helpers.hpp"
#include "sdk/json_fields.hpp"
#include "spooled/organizations.hpp"

namespace spooled {
namespace {

using detail::ApiCall;
using detail::putField;
using detail::readField;
using detail::requireField;

const std::string kOrganizations = "/api/v1/organizations";

std::string organizationPath(const std::string& id) { return detail::resourcePath(kOrganizations, id); }

// A nested object the contract promises; absent or null leaves the defaults.
template <class T>
T readNested(const json& o, const char* key) {
  const auto it = o.find(key);
  if (it == o.end() || it->is_null()) return T{};
  return T::fromJson(*it);
}

}  // namespace

Organization Organization::fromJson(const json& body) {
  const json& o = detail::requireObject(body, "organization");
  Organization org;
  requireField(o, "id", org.id);
  readField(o, "name", org.name);
  readField(o, "slug", org.slug);
  readField(o, "plan_tier", org.planTier);
  readField(o, "billing_email", org.billingEmail);
  readField(o, "settings", org.settings);
  readField(o, "custom_limits", org.customLimits);
  readField(o, "created_at", org.createdAt);
  readField(o, "updated_at", org.updatedAt);
  return org;
}

OrganizationSummary OrganizationSummary::fromJson(const json& body) {
  const json& o = detail::requireObject(body, "organization summary");
  OrganizationSummary org;
  requireField(o, "id", org.id);
  readField(o, "name", org.name);
  readField(o, "slug", org.slug);
  readField(o, "plan_tier", org.planTier);
  readField(o, "created_at", org.createdAt);
  return org;
}

InitialApiKey InitialApiKey::fromJson(const json& body) {
  const json& o = detail::requireObject(body, "API key");
  InitialApiKey key;
  requireField(o, "id", key.id);
  requireField(o, "key", key.key);
  readField(o, "name", key.name);
  readField(o, "created_at", key.createdAt);
  return key;
}

CreateOrganizationResult CreateOrganizationResult::fromJson(const json& body) {
  const json& o = detail::requireObject(body, "created organization");
  if (!o.contains("organization")) detail::throwInvalidResponse("organization", "missing");
  if (!o.contains("api_key")) detail::throwInvalidResponse("api_key", "missing");
  return CreateOrganizationResult{Organization::fromJson(o.at("organization")), InitialApiKey::fromJson(o.at("api_key"))};
}

PlanLimits PlanLimits::fromJson(const json& body) {
  const json& o = detail::requireObject(body, "plan limits");
  PlanLimits p;
  readField(o, "tier", p.tier);
  readField(o, "display_name", p.displayName);
  readField(o, "max_jobs_per_day", p.maxJobsPerDay);
  readField(o, "max_active_jobs", p.maxActiveJobs);
  readField(o, "max_queues", p.maxQueues);
  readField(o, "max_workers", p.maxWorkers);
  readField(o, "max_api_keys", p.maxApiKeys);
  readField(o, "max_schedules", p.maxSchedules);
  readField(o, "max_workflows", p.maxWorkflows);
  readField(o, "max_webhooks", p.maxWebhooks);
  readField(o, "max_payload_size_bytes", p.maxPayloadSizeBytes);
  readField(o, "rate_limit_requests_per_second", p.rateLimitRequestsPerSecond);
  readField(o, "rate_limit_burst", p.rateLimitBurst);
  readField(o, "job_retention_days", p.jobRetentionDays);
  readField(o, "history_retention_days", p.historyRetentionDays);
  return p;
}

UsageItem UsageItem::fromJson(const json& body) {
  const json& o = detail::requireObject(body, "usage item");
  UsageItem item;
  readField(o, "current", item.current);
  readField(o, "limit", item.limit);
  readField(o, "percentage", item.percentage);
  readField(o, "is_disabled", item.isDisabled);
  return item;
}

ResourceUsage ResourceUsage::fromJson(const json& body) {
  const json& o = detail::requireObject(body, "usage");
  ResourceUsage u;
  u.jobsToday = readNested<UsageItem>(o, "jobs_today");
  u.activeJobs = readNested<UsageItem>(o, "active_jobs");
  u.queues = readNested<UsageItem>(o, "queues");
  u.workers = readNested<UsageItem>(o, "workers");
  u.apiKeys = readNested<UsageItem>(o, "api_keys");
  u.schedules = readNested<UsageItem>(o, "schedules");
  u.workflows = readNested<UsageItem>(o, "workflows");
  u.webhooks = readNested<UsageItem>(o, "webhooks");
  return u;
}

OrganizationUsage OrganizationUsage::fromJson(const json& body) {
  const json& o = detail::requireObject(body, "usage info");
  OrganizationUsage u;
  readField(o, "plan", u.plan);
  readField(o, "plan_display_name", u.planDisplayName);
  u.limits = readNested<PlanLimits>(o, "limits");
  u.usage = readNested<ResourceUsage>(o, "usage");
  if (const auto it = o.find("warnings"); it != o.end() && it->is_array()) {
    for (const json& w : *it) {
      const json& wo = detail::requireObject(w, "usage warning");
      UsageWarning warning;
      readField(wo, "resource", warning.resource);
      readField(wo, "message", warning.message);
      readField(wo, "severity", warning.severity);
      u.warnings.push_back(std::move(warning));
    }
  }
  return u;
}

WebhookToken WebhookToken::fromJson(const json& body) {
  const json& o = detail::requireObject(body, "webhook token");
  WebhookToken t;
  readField(o, "token", t.token);
  if (!t.token) readField(o, "webhook_token", t.token);
  readField(o, "webhook_url", t.webhookUrl);
  return t;
}

CreateOrganizationResult OrganizationsResource::create(const CreateOrganizationParams& params) {
  json body = json::object();
  putField(body, "name", params.name);
  putField(body, "slug", params.slug);
  putField(body, "billing_email", params.billingEmail);
  ApiCall call = ApiCall::post(kOrganizations, std::move(body));
  // A server with closed registration lets the admin key through.
  if (!api_.options().adminKey.empty()) call.headers.emplace_back("X-Admin-Key", api_.options().adminKey);
  return CreateOrganizationResult::fromJson(api_.call(call));
}

std::vector<OrganizationSummary> OrganizationsResource::list() {
  const json response = api_.call(ApiCall::get(kOrganizations));
  if (!response.is_array()) detail::throwInvalidResponse("organizations", "expected a JSON array");
  std::vector<OrganizationSummary> orgs;
  for (const json& row : response) orgs.push_back(OrganizationSummary::fromJson(row));
  return orgs;
}

Organization OrganizationsResource::get(const std::string& id) {
  return Organization::fromJson(api_.call(ApiCall::get(organizationPath(id))));
}

Organization OrganizationsResource::update(const std::string& id, const UpdateOrganizationParams& params) {
  json body = json::object();
  putField(body, "name", params.name);
  putField(body, "billing_email", params.billingEmail);
  putField(body, "settings", params.settings);
  return Organization::fromJson(api_.call(ApiCall::put(organizationPath(id), std::move(body))));
}

void OrganizationsResource::remove(const std::string& id) { api_.call(ApiCall::del(organizationPath(id))); }

OrganizationUsage OrganizationsResource::getUsage() {
  return OrganizationUsage::fromJson(api_.call(ApiCall::get(kOrganizations + "/usage")));
}

WebhookToken OrganizationsResource::getWebhookToken() {
  return WebhookToken::fromJson(api_.call(ApiCall::get(kOrganizations + "/webhook-token")));
}

WebhookToken OrganizationsResource::regenerateWebhookToken() {
  return WebhookToken::fromJson(api_.call(ApiCall::post(kOrganizations + "/webhook-token/regenerate", std::nullopt)));
}

void OrganizationsResource::clearWebhookToken() {
  // Clearing twice leaves no token either way, so a retry is harmless.
  api_.call(ApiCall::post(kOrganizations + "/webhook-token/clear", std::nullopt, detail::Idempotency::Safe));
}

}  // namespace spooled
