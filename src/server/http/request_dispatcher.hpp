#pragma once
// Turns one HttpRequest into one HttpResponse: route lookup (404 / 405), the route's access checks
// (API key or JWT, admin key), the per-key rate limit, the handler, and error mapping. Never throws.
// Runs on a worker-pool thread, so handlers may block on the store. Thread-safe once built.
#include "server/auth/access_control.hpp"
#include "server/http/router.hpp"

namespace spooled::server {

class MetricsRegistry;

class RequestDispatcher {
 public:
  // Both must outlive the dispatcher.
  RequestDispatcher(const Router& router, const AccessControl& access) : router_(router), access_(access) {}

  HttpResponse dispatch(HttpRequest request) const;

  // Counts each request (method, route pattern, status, duration). Set before serving; may be null.
  void setMetrics(MetricsRegistry* metrics) { metrics_ = metrics; }

 private:
  HttpResponse route(HttpRequest& request) const;

  const Router& router_;
  const AccessControl& access_;
  MetricsRegistry* metrics_ = nullptr;
};

}  // namespace spooled::server
