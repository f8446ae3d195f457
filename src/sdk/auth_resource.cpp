// AuthResource and the auth types' fromJson (include/spooled/auth.hpp).
#include "sdk/api_caller.hpp"
#include "sdk/json_fields.hpp"
#include "spooled/auth.hpp"

namespace spooled {
namespace {

using detail::ApiCall;
using detail::Idempotency;
using detail::readField;
using detail::requireField;

const std::string kAuth = "/api/v1/auth";

}  // namespace

LoginResult LoginResult::fromJson(const json& body) {
  const json& o = detail::requireObject(body, "login response");
  LoginResult r;
  requireField(o, "access_token", r.accessToken);
  requireField(o, "refresh_token", r.refreshToken);
  readField(o, "token_type", r.tokenType);
  readField(o, "expires_in", r.expiresIn);
  readField(o, "refresh_expires_in", r.refreshExpiresIn);
  return r;
}

RefreshResult RefreshResult::fromJson(const json& body) {
  const json& o = detail::requireObject(body, "refresh response");
  RefreshResult r;
  requireField(o, "access_token", r.accessToken);
  readField(o, "token_type", r.tokenType);
  readField(o, "expires_in", r.expiresIn);
  return r;
}

CurrentUser CurrentUser::fromJson(const json& body) {
  const json& o = detail::requireObject(body, "current user");
  CurrentUser u;
  requireField(o, "organization_id", u.organizationId);
  readField(o, "api_key_id", u.apiKeyId);
  readField(o, "queues", u.queues);
  readField(o, "issued_at", u.issuedAt);
  readField(o, "expires_at", u.expiresAt);
  return u;
}

ValidateTokenResult ValidateTokenResult::fromJson(const json& body) {
  const json& o = detail::requireObject(body, "validate response");
  ValidateTokenResult r;
  readField(o, "valid", r.valid);
  readField(o, "message", r.message);
  if (!r.message) readField(o, "error", r.message);  // the official backend's name for it
  if (const auto it = o.find("claims"); it != o.end() && it->is_object()) {
    TokenClaims c;
    readField(*it, "organization_id", c.organizationId);
    if (c.organizationId.empty()) readField(*it, "org_id", c.organizationId);
    readField(*it, "api_key_id", c.apiKeyId);
    readField(*it, "queues", c.queues);
    readField(*it, "exp", c.exp);
    readField(*it, "iat", c.iat);
    readField(*it, "jti", c.jti);
    readField(*it, "token_type", c.tokenType);
    r.claims = std::move(c);
  }
  return r;
}

LoginResult AuthResource::login(const std::string& apiKey) {
  // Repeating a login only mints another pair of tokens, so a retry is harmless.
  return LoginResult::fromJson(api_.call(ApiCall::post(kAuth + "/login", json{{"api_key", apiKey}}, Idempotency::Safe)));
}

RefreshResult AuthResource::refresh(const std::string& refreshToken) {
  return RefreshResult::fromJson(
      api_.call(ApiCall::post(kAuth + "/refresh", json{{"refresh_token", refreshToken}}, Idempotency::Safe)));
}

void AuthResource::logout(const std::optional<std::string>& refreshToken) {
  std::optional<json> body;
  if (refreshToken) body = json{{"refresh_token", *refreshToken}};
  // Not retried on ambiguous failures: a repeat of a logout that did happen is refused (401), since
  // the token it authenticates with is revoked by then.
  api_.call(ApiCall::post(kAuth + "/logout", std::move(body)));
}

CurrentUser AuthResource::me() { return CurrentUser::fromJson(api_.call(ApiCall::get(kAuth + "/me"))); }

ValidateTokenResult AuthResource::validate(const std::string& token) {
  return ValidateTokenResult::fromJson(
      api_.call(ApiCall::post(kAuth + "/validate", json{{"token", token}}, Idempotency::Safe)));
}

}  // namespace spooled
