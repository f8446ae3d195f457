// ApiKeysResource and the API-key types' fromJson (include/spooled/api_keys.hpp).
#include "sdk/api_caller.hpp"
#include "sdk/call_helpers.hpp"
#include "sdk/json_fields.hpp"
#include "spooled/api_keys.hpp"

namespace spooled {
namespace {

using detail::ApiCall;
using detail::putField;
using detail::readField;
using detail::requireField;

const std::string kApiKeys = "/api/v1/api-keys";

std::string keyPath(const std::string& id) { return detail::resourcePath(kApiKeys, id); }

}  // namespace

ApiKeySummary ApiKeySummary::fromJson(const json& body) {
  const json& o = detail::requireObject(body, "API key");
  ApiKeySummary key;
  requireField(o, "id", key.id);
  readField(o, "name", key.name);
  readField(o, "queues", key.queues);
  readField(o, "rate_limit", key.rateLimit);
  readField(o, "is_active", key.isActive);
  readField(o, "created_at", key.createdAt);
  readField(o, "last_used", key.lastUsed);
  readField(o, "expires_at", key.expiresAt);
  return key;
}

CreateApiKeyResult CreateApiKeyResult::fromJson(const json& body) {
  const json& o = detail::requireObject(body, "created API key");
  CreateApiKeyResult key;
  requireField(o, "id", key.id);
  requireField(o, "key", key.key);
  readField(o, "name", key.name);
  readField(o, "created_at", key.createdAt);
  readField(o, "expires_at", key.expiresAt);
  return key;
}

std::vector<ApiKeySummary> ApiKeysResource::list() {
  const json response = api_.call(ApiCall::get(kApiKeys));
  if (!response.is_array()) detail::throwInvalidResponse("api-keys", "expected a JSON array");
  std::vector<ApiKeySummary> keys;
  keys.reserve(response.size());
  for (const json& row : response) keys.push_back(ApiKeySummary::fromJson(row));
  return keys;
}

CreateApiKeyResult ApiKeysResource::create(const CreateApiKeyParams& params) {
  json body = json::object();
  putField(body, "name", params.name);
  putField(body, "queues", params.queues);
  putField(body, "rate_limit", params.rateLimit);
  putField(body, "expires_at", params.expiresAt);
  return CreateApiKeyResult::fromJson(api_.call(ApiCall::post(kApiKeys, std::move(body))));
}

ApiKeySummary ApiKeysResource::get(const std::string& id) {
  return ApiKeySummary::fromJson(api_.call(ApiCall::get(keyPath(id))));
}

ApiKeySummary ApiKeysResource::update(const std::string& id, const UpdateApiKeyParams& params) {
  json body = json::object();
  putField(body, "name", params.name);
  putField(body, "queues", params.queues);
  putField(body, "rate_limit", params.rateLimit);
  putField(body, "is_active", params.isActive);
  return ApiKeySummary::fromJson(api_.call(ApiCall::put(keyPath(id), std::move(body))));
}

void ApiKeysResource::revoke(const std::string& id) { api_.call(ApiCall::del(keyPath(id))); }

}  // namespace spooled
