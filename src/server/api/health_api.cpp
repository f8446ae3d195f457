// /health, /health/live, /health/ready: public probes, shaped as the official backend's.
#include "server/api/api_services.hpp"

namespace spooled::server {

namespace {

// Never throws and never waits long: the store reads with its read timeout and only reports what it
// knows about writes (docs/reliability.md, "Storage faults").
StoreHealth storeHealth(Store& store) {
  try {
    return store.health();
  } catch (const std::exception& e) {
    return StoreHealth{e.what(), e.what()};  // a probe reports, it never fails
  }
}

json check(const std::optional<std::string>& problem) {
  json out{{"ok", !problem}};
  if (problem) out["error"] = *problem;
  return out;
}

HttpResponse health(ApiServices& s, const HttpRequest&) {
  const StoreHealth store = storeHealth(s.store);
  // No cache exists here, and the official backend reports an absent cache as healthy. The version is
  // left out of this unauthenticated answer, as there. `checks` (an extension) says which part fails.
  return HttpResponse::json(200, json{{"status", store.ok() ? "healthy" : "degraded"},
                                      {"database", store.ok()},
                                      {"cache", true},
                                      {"checks",
                                       {{"database_read", check(store.readProblem)},
                                        {"database_write", check(store.writeProblem)}}}});
}

HttpResponse live(ApiServices&, const HttpRequest&) { return HttpResponse::empty(200); }

// Ready only while reads work and writes succeed: an instance whose commits fail must not get traffic.
HttpResponse ready(ApiServices& s, const HttpRequest&) {
  return HttpResponse::empty(!s.shuttingDown && storeHealth(s.store).ok() ? 200 : 503);
}

}  // namespace

void addHealthRoutes(Router& router, ApiServices& s) {
  router.add("GET", "/health", Access::Public, withServices(s, health));
  router.add("GET", "/health/live", Access::Public, withServices(s, live));
  router.add("GET", "/health/ready", Access::Public, withServices(s, ready));
}

}  // namespace spooled::server
