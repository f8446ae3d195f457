// /api/v1/api-keys: list, create, get, update, revoke the caller's organization's keys. A key is
// created with a random raw value that is shown once; only its SHA-256 is stored. Revoking sets
// is_active to false (the row stays, so last_used and the name remain visible). Only keys with every
// queue reach these routes (the route's KeyScope), so a key limited to some queues can neither mint
// nor change keys. Creating or re-activating a key must fit the organization's key limit.
#include <algorithm>

#include "common/error_code.hpp"
#include "server/api/account_json.hpp"
#include "server/api/account_services.hpp"
#include "server/api/api_services.hpp"

namespace spooled::server {

namespace {

constexpr std::size_t kMaxKeysListed = 100;  // as the official backend

std::string keyId(const HttpRequest& req) { return pathUuid(req, "API key"); }

ApiKeyRecord findKey(StoreReader& r, const std::string& orgId, const std::string& id) {
  auto key = r.findApiKey(orgId, id);
  if (!key) throw ApiError(ErrorCode::NotFound, "API key not found");
  return std::move(*key);
}

HttpResponse listKeys(AccountServices& s, const HttpRequest& req) {
  const AuthContext& auth = req.authContext();
  auto keys = s.store.readResult([&](StoreReader& r) { return r.listApiKeys(auth.orgId); });
  std::reverse(keys.begin(), keys.end());  // newest first, as the official backend lists them
  json out = json::array();
  for (std::size_t i = 0; i < keys.size() && i < kMaxKeysListed; ++i) out.push_back(apiKeySummaryToJson(keys[i]));
  return HttpResponse::json(200, out);
}

Task<HttpResponse> createKey(AccountServices& s, const HttpRequest& req) {
  const BodyCall call(req);
  NewApiKey in;
  in.name = readKeyName(call.fields);
  in.queues = readKeyQueues(call.fields).value_or(std::vector<std::string>{});
  in.rateLimit = readKeyRateLimit(call.fields);
  in.expiresAt = readKeyExpiry(call.fields, nowMs());

  const CreatedApiKey created = co_await s.store.write([&](StoreTx& tx) {
    requireApiKeyRoom(tx, s.limits, call.auth.orgId);
    return insertNewApiKey(tx, call.auth.orgId, in, s.keyPrefix);
  });
  json out = createdKeyToJson(created);
  out["expires_at"] = isoOrNull(created.record.expiresAt);
  co_return HttpResponse::json(201, out);
}

HttpResponse getKey(AccountServices& s, const HttpRequest& req) {
  const AuthContext& auth = req.authContext();
  const std::string id = keyId(req);
  const ApiKeyRecord key = s.store.readResult([&](StoreReader& r) { return findKey(r, auth.orgId, id); });
  return HttpResponse::json(200, apiKeySummaryToJson(key));
}

Task<HttpResponse> updateKey(AccountServices& s, const HttpRequest& req) {
  const std::string id = keyId(req);
  const BodyCall call(req);
  const FieldReader& f = call.fields;
  const auto name = f.has("name") ? std::optional<std::string>(readKeyName(f)) : std::nullopt;
  const auto queues = readKeyQueues(f);
  const auto rateLimit = readKeyRateLimit(f);
  const auto isActive = f.optionalBool("is_active");

  const ApiKeyRecord updated = co_await s.store.write([&](StoreTx& tx) {
    ApiKeyRecord key = findKey(tx, call.auth.orgId, id);
    if (name) key.name = *name;
    if (queues) key.queues = *queues;
    if (rateLimit) key.rateLimit = *rateLimit;
    if (isActive && *isActive && !key.isActive) requireApiKeyRoom(tx, s.limits, call.auth.orgId);
    if (isActive) key.isActive = *isActive;
    tx.updateApiKey(key);
    return key;
  });
  s.access.apiKeysChanged();
  co_return HttpResponse::json(200, apiKeySummaryToJson(updated));
}

Task<HttpResponse> revokeKey(AccountServices& s, const HttpRequest& req) {
  const AuthContext& auth = req.authContext();
  const std::string id = keyId(req);
  co_await s.store.write([&](StoreTx& tx) {
    ApiKeyRecord key = findKey(tx, auth.orgId, id);
    key.isActive = false;
    tx.updateApiKey(key);
  });
  s.access.apiKeysChanged();
  co_return HttpResponse::empty(204);
}

}  // namespace

Handler withAccounts(AccountServices& services, AccountHandler fn) {
  return [&services, fn](const HttpRequest& request) -> Task<HttpResponse> { co_return fn(services, request); };
}

Handler withAccounts(AccountServices& services, AccountCoroutine fn) {
  return [&services, fn](const HttpRequest& request) { return fn(services, request); };
}

void addApiKeyRoutes(Router& router, AccountServices& s) {
  router.add("GET", "/api/v1/api-keys", Access::ApiKey, withAccounts(s, listKeys));
  router.add("POST", "/api/v1/api-keys", Access::ApiKey, withAccounts(s, createKey));
  router.add("GET", "/api/v1/api-keys/{id}", Access::ApiKey, withAccounts(s, getKey));
  router.add("PUT", "/api/v1/api-keys/{id}", Access::ApiKey, withAccounts(s, updateKey));
  router.add("DELETE", "/api/v1/api-keys/{id}", Access::ApiKey, withAccounts(s, revokeKey));
}

}  // namespace spooled::server
