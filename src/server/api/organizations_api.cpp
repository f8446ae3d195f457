// /api/v1/organizations: registration (public when --registration-mode is open, otherwise only with
// X-Admin-Key), the caller's own organization (list, get, update, delete, members), usage against the
// self-hosted plan, and the organization's webhook token. Another organization's id is 404, exactly
// like an id that does not exist.
#include <algorithm>

#include "common/error_code.hpp"
#include "server/api/account_json.hpp"
#include "server/api/account_services.hpp"
#include "server/api/api_services.hpp"
#include "server/api/org_usage.hpp"

namespace spooled::server {

namespace {

// The caller's own organization, when {id} names it; 404 for any other id.
OrganizationRecord ownOrganization(AccountServices& s, const HttpRequest& req) {
  const AuthContext& auth = req.authContext();
  const std::string id = pathUuid(req, "Organization");
  auto org = id == auth.orgId ? s.store.readResult([&](StoreReader& r) { return r.findOrganization(id); })
                              : std::nullopt;
  if (!org) throw ApiError(ErrorCode::NotFound, "Organization not found");
  return std::move(*org);
}

OrganizationRecord callerOrganization(StoreReader& r, const AuthContext& auth) {
  auto org = r.findOrganization(auth.orgId);
  // The caller's key exists, so its organization does, unless it was deleted a moment ago.
  if (!org) throw ApiError(ErrorCode::NotFound, "Organization not found");
  return std::move(*org);
}

Task<HttpResponse> createOrganization(AccountServices& s, const HttpRequest& req) {
  // Registration is checked before the body, so a closed server reveals nothing about validation.
  if (!s.openRegistration && !s.admin.accepts(req.header("x-admin-key")))
    throw ApiError(ErrorCode::Forbidden, "Organization creation is disabled. Contact admin for access.");
  const json body = parseJsonObjectBody(req.body);
  const NewOrganization in = readNewOrganization(FieldReader(body));
  co_return HttpResponse::json(201, createdOrganizationToJson(co_await createOrganizationWithKey(s.store, in, s.keyPrefix)));
}

HttpResponse listOrganizations(AccountServices& s, const HttpRequest& req) {
  const AuthContext& auth = req.authContext();
  const auto org = s.store.readResult([&](StoreReader& r) { return r.findOrganization(auth.orgId); });
  json out = json::array();
  if (org) out.push_back(organizationSummaryToJson(*org));
  return HttpResponse::json(200, out);
}

HttpResponse getOrganization(AccountServices& s, const HttpRequest& req) {
  return HttpResponse::json(200, organizationToJson(ownOrganization(s, req)));
}

Task<HttpResponse> updateOrganization(AccountServices& s, const HttpRequest& req) {
  const OrganizationRecord existing = ownOrganization(s, req);
  const json body = parseJsonObjectBody(req.body);
  const FieldReader f(body);
  const auto name = f.has("name") ? std::optional<std::string>(readOrganizationName(f)) : std::nullopt;
  const auto billingEmail = readBillingEmail(f);
  const auto settings = readSettings(f);

  const OrganizationRecord updated = co_await s.store.write([&](StoreTx& tx) {
    auto org = tx.findOrganization(existing.id);
    if (!org) throw ApiError(ErrorCode::NotFound, "Organization not found");
    if (name) org->name = *name;
    if (billingEmail) org->billingEmail = *billingEmail;
    if (settings) org->settings = *settings;
    org->updatedAt = nowMs();
    tx.updateOrganization(*org);
    return *org;
  });
  co_return HttpResponse::json(200, organizationToJson(updated));
}

Task<HttpResponse> deleteOrganization(AccountServices& s, const HttpRequest& req) {
  const OrganizationRecord org = ownOrganization(s, req);
  co_await s.store.write([&](StoreTx& tx) {
    // As the official backend: refuse while work is in flight, so nothing is lost silently.
    const ResourceCounts counts = countResources(tx, org.id, nowMs());
    if (counts.activeJobs > 0)
      throw ApiError(ErrorCode::Conflict, "Cannot delete organization with " + std::to_string(counts.activeJobs) +
                                              " active jobs. Cancel or complete all jobs first.");
    if (counts.workers > 0)
      throw ApiError(ErrorCode::Conflict, "Cannot delete organization with " + std::to_string(counts.workers) +
                                              " active workers. Deregister all workers first.");
    tx.deleteOrganization(org.id);
  });
  s.access.apiKeysChanged();
  co_return HttpResponse::empty(204);
}

// There are no user accounts: as in the official backend, the members are the active API keys.
HttpResponse listMembers(AccountServices& s, const HttpRequest& req) {
  const OrganizationRecord org = ownOrganization(s, req);
  const auto keys = s.store.readResult([&](StoreReader& r) { return r.listApiKeys(org.id); });
  json out = json::array();
  for (const ApiKeyRecord& key : keys) {
    if (!key.isActive) continue;
    const bool owner = key.queues.empty() || std::find(key.queues.begin(), key.queues.end(), "*") != key.queues.end();
    out.push_back(json{{"id", key.id},
                       {"user_id", key.id},
                       {"email", org.billingEmail.value_or("")},
                       {"name", key.name},
                       {"role", owner ? "owner" : "member"},
                       {"joined_at", formatIso8601(key.createdAt)}});
  }
  return HttpResponse::json(200, out);
}

HttpResponse usage(AccountServices& s, const HttpRequest& req) {
  const AuthContext& auth = req.authContext();
  const json out = s.store.readResult([&](StoreReader& r) {
    const OrganizationRecord org = callerOrganization(r, auth);
    return usageInfoJson(org.planTier, countResources(r, auth.orgId, nowMs()), s.access.rateLimits(),
                         s.limits);
  });
  return HttpResponse::json(200, out);
}

// Where external services post events for this organization. The scheme follows a TLS-terminating
// proxy's X-Forwarded-Proto, so the URL is the one callers can actually reach.
std::string webhookUrl(const HttpRequest& req, const std::string& orgId) {
  const std::string scheme = req.header("x-forwarded-proto").value_or("http");
  const std::string host = req.header("host").value_or("localhost");
  return scheme + "://" + host + "/api/v1/webhooks/" + orgId + "/custom";
}

json webhookTokenJson(const HttpRequest& req, const OrganizationRecord& org) {
  const json token = org.webhookToken ? json(*org.webhookToken) : json(nullptr);
  // `token` is what the official SDKs read; `webhook_token` and `webhook_url` what the contract shows.
  return json{{"token", token}, {"webhook_token", token}, {"webhook_url", webhookUrl(req, org.id)}};
}

HttpResponse getWebhookToken(AccountServices& s, const HttpRequest& req) {
  const AuthContext& auth = req.authContext();
  const auto org = s.store.readResult([&](StoreReader& r) { return callerOrganization(r, auth); });
  return HttpResponse::json(200, webhookTokenJson(req, org));
}

// Sets (or clears, when token is empty) the caller's webhook token.
Task<OrganizationRecord> setWebhookToken(AccountServices& s, const AuthContext& auth, std::optional<std::string> token) {
  co_return co_await s.store.write([&](StoreTx& tx) {
    OrganizationRecord org = callerOrganization(tx, auth);
    org.webhookToken = std::move(token);
    org.updatedAt = nowMs();
    tx.updateOrganization(org);
    return org;
  });
}

Task<HttpResponse> regenerateWebhookToken(AccountServices& s, const HttpRequest& req) {
  std::optional<std::string> token = generateWebhookToken();  // a named local: see JobEngine::changeOne
  const OrganizationRecord org = co_await setWebhookToken(s, req.authContext(), std::move(token));
  co_return HttpResponse::json(200, webhookTokenJson(req, org));
}

Task<HttpResponse> clearWebhookToken(AccountServices& s, const HttpRequest& req) {
  co_await setWebhookToken(s, req.authContext(), std::nullopt);
  co_return HttpResponse::empty(204);
}

}  // namespace

void addOrganizationRoutes(Router& router, AccountServices& s) {
  const std::string base = "/api/v1/organizations";
  router.add("POST", base, Access::Public, withAccounts(s, createOrganization));
  router.add("GET", base, Access::ApiKey, withAccounts(s, listOrganizations));
  router.add("GET", base + "/usage", Access::ApiKey, withAccounts(s, usage));
  router.add("GET", base + "/webhook-token", Access::ApiKey, withAccounts(s, getWebhookToken));
  router.add("POST", base + "/webhook-token/regenerate", Access::ApiKey, withAccounts(s, regenerateWebhookToken));
  router.add("POST", base + "/webhook-token/clear", Access::ApiKey, withAccounts(s, clearWebhookToken));
  router.add("GET", base + "/{id}", Access::ApiKey, withAccounts(s, getOrganization));
  router.add("PUT", base + "/{id}", Access::ApiKey, withAccounts(s, updateOrganization));
  router.add("DELETE", base + "/{id}", Access::ApiKey, withAccounts(s, deleteOrganization));
  router.add("GET", base + "/{id}/members", Access::ApiKey, withAccounts(s, listMembers));
}

}  // namespace spooled::server
