// /health, /health/live, /health/ready: public probes, shaped as the official backend's.
#include "server/api/api_services.hpp"

namespace spooled::server {

namespace {

bool databaseAnswers(Store& store) {
  try {
    return store.ping();
  } catch (...) {
    return false;  // a probe reports, it never fails
  }
}

HttpResponse health(ApiServices& s, const HttpRequest&) {
  const bool db = databaseAnswers(s.store);
  // No cache exists here, and the official backend reports an absent cache as healthy. The version is
  // left out of this unauthenticated answer, as there.
  return HttpResponse::json(200, json{{"status", db ? "healthy" : "degraded"}, {"database", db}, {"cache", true}});
}

HttpResponse live(ApiServices&, const HttpRequest&) { return HttpResponse::empty(200); }

HttpResponse ready(ApiServices& s, const HttpRequest&) {
  return HttpResponse::empty(databaseAnswers(s.store) && !s.shuttingDown ? 200 : 503);
}

}  // namespace

void addHealthRoutes(Router& router, ApiServices& s) {
  router.add("GET", "/health", Access::Public, withServices(s, health));
  router.add("GET", "/health/live", Access::Public, withServices(s, live));
  router.add("GET", "/health/ready", Access::Public, withServices(s, ready));
}

}  // namespace spooled::server
