#pragma once
// What the account handlers share (API keys, organizations, auth, admin): the store, the token
// service, the access checks, and the settings they report. Route tables are in each resource's file.
#include <chrono>
#include <string>

#include "server/auth/access_control.hpp"
#include "server/auth/admin_auth.hpp"
#include "server/auth/token_service.hpp"
#include "server/core/org_limits.hpp"
#include "server/http/router.hpp"
#include "server/store/store.hpp"

namespace spooled::server {

struct AccountServices {
  AccountServices(Store& s, const TokenService& t, const AdminAuth& a, const AccessControl& c)
      : store(s), tokens(t), admin(a), access(c) {}

  Store& store;
  const TokenService& tokens;
  const AdminAuth& admin;
  const AccessControl& access;
  bool openRegistration = false;  // --registration-mode open
  std::string keyPrefix = "sk_live_";  // of minted keys, by --environment (auth/api_key_format.hpp)
  OrgLimits limits;               // --max-api-keys-per-org, ... (key creation checks them)
  std::chrono::steady_clock::time_point startedClock = std::chrono::steady_clock::now();  // admin stats uptime
};

// As withServices (api_services.hpp): plain functions for reads, coroutines for writes.
using AccountHandler = HttpResponse (*)(AccountServices&, const HttpRequest&);
using AccountCoroutine = Task<HttpResponse> (*)(AccountServices&, const HttpRequest&);
Handler withAccounts(AccountServices& services, AccountHandler fn);
Handler withAccounts(AccountServices& services, AccountCoroutine fn);

void addApiKeyRoutes(Router& router, AccountServices& services);
void addOrganizationRoutes(Router& router, AccountServices& services);
void addAuthRoutes(Router& router, AccountServices& services);
void addAdminRoutes(Router& router, AccountServices& services);

}  // namespace spooled::server
