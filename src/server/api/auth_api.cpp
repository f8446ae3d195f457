// /api/v1/auth: exchange an API key for JWTs (login), refresh an access token, validate a token,
// describe the current token (me), and log out (revoke). As in the official backend, login, refresh,
// validate and me are public routes: they check the token in the body or header themselves.
#include "common/error_code.hpp"
#include "server/api/account_json.hpp"
#include "server/api/account_services.hpp"
#include "server/api/api_services.hpp"
#include "server/auth/access_control.hpp"

namespace spooled::server {

namespace {

std::string isoFromSeconds(std::int64_t secs) { return formatIso8601(fromEpochMs(secs * 1000)); }

json claimsToJson(const JwtClaims& c) {
  return json{{"sub", c.sub},   {"api_key_id", c.apiKeyId}, {"org_id", c.orgId},
              // organization_id too: the official SDKs' typed claims read that name.
              {"organization_id", c.orgId},
              {"iat", c.iat},   {"exp", c.exp},             {"nbf", c.nbf},
              {"jti", c.jti},   {"queues", c.queues},       {"token_type", c.tokenType}};
}

HttpResponse login(AccountServices& s, const HttpRequest& req) {
  const json body = parseJsonObjectBody(req.body);
  const std::string apiKey = FieldReader(body).requiredString("api_key", 10, 512);
  const IssuedTokens tokens = s.tokens.login(apiKey);
  return HttpResponse::json(200, json{{"access_token", tokens.accessToken},
                                      {"refresh_token", tokens.refreshToken},
                                      {"token_type", "Bearer"},
                                      {"expires_in", tokens.expiresIn},
                                      {"refresh_expires_in", tokens.refreshExpiresIn}});
}

HttpResponse refresh(AccountServices& s, const HttpRequest& req) {
  const json body = parseJsonObjectBody(req.body);
  const std::string token = FieldReader(body).requiredString("refresh_token", 10, 8192);
  const RefreshedToken refreshed = s.tokens.refresh(token);
  return HttpResponse::json(
      200, json{{"access_token", refreshed.accessToken}, {"token_type", "Bearer"}, {"expires_in", refreshed.expiresIn}});
}

HttpResponse validate(AccountServices& s, const HttpRequest& req) {
  const json body = parseJsonObjectBody(req.body);
  const std::string token = FieldReader(body).requiredString("token", 1, 8192);
  const TokenInspection inspection = s.tokens.inspect(token);
  if (!inspection.claims) {
    // `error` as the official backend answers; `message` as the official SDKs read it.
    return HttpResponse::json(200, json{{"valid", false}, {"error", inspection.error}, {"message", inspection.error}});
  }
  return HttpResponse::json(200, json{{"valid", true}, {"claims", claimsToJson(*inspection.claims)}});
}

// Public route, JWT only (as the backend): an API key has no issue or expiry time to report.
HttpResponse me(AccountServices& s, const HttpRequest& req) {
  const auto credential = bearerCredential(req.header("authorization"));
  if (!credential) throw ApiError(ErrorCode::Unauthorized, "Missing or invalid Authorization header");
  const JwtClaims claims = s.tokens.verifiedClaims(*credential);
  return HttpResponse::json(200, json{{"organization_id", claims.orgId},
                                      {"api_key_id", claims.apiKeyId},
                                      {"queues", claims.queues},
                                      {"issued_at", isoFromSeconds(claims.iat)},
                                      {"expires_at", isoFromSeconds(claims.exp)}});
}

// Revokes the access token the request came with and the refresh token in the body, if any (the
// official SDKs send it as refresh_token). Both stay refused after a restart: the store keeps them.
Task<HttpResponse> logout(AccountServices& s, const HttpRequest& req) {
  const AuthContext& auth = req.authContext();
  std::optional<JwtClaims> refreshClaims;
  if (req.body.find_first_not_of(" \t\r\n") != std::string::npos) {
    const json body = parseJsonObjectBody(req.body);
    if (const auto token = FieldReader(body).optionalString("refresh_token", 1, 8192)) {
      JwtClaims claims = s.tokens.verifiedClaims(*token);
      // A caller may end its own sessions only.
      if (claims.orgId != auth.orgId || claims.apiKeyId != auth.apiKeyId)
        throw ApiError(ErrorCode::Unauthorized, "Invalid or expired token");
      refreshClaims = std::move(claims);
    }
  }
  // An API key has no session: with neither token there is nothing to log out, as the backend says.
  if (!auth.token && !refreshClaims)
    throw ApiError(ErrorCode::Unauthorized, "Logout needs a JWT access token or a refresh_token");
  if (auth.token) co_await s.tokens.revoke(auth.token->jti, auth.token->expiresAt);
  if (refreshClaims) co_await s.tokens.revoke(refreshClaims->jti, refreshClaims->exp);
  co_return HttpResponse::empty(204);
}

}  // namespace

void addAuthRoutes(Router& router, AccountServices& s) {
  router.add("POST", "/api/v1/auth/login", Access::Public, withAccounts(s, login));
  router.add("POST", "/api/v1/auth/refresh", Access::Public, withAccounts(s, refresh));
  router.add("POST", "/api/v1/auth/validate", Access::Public, withAccounts(s, validate));
  router.add("GET", "/api/v1/auth/me", Access::Public, withAccounts(s, me));
  router.add("POST", "/api/v1/auth/logout", Access::ApiKey, withAccounts(s, logout), KeyScope::Queues);
}

}  // namespace spooled::server
