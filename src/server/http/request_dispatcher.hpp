#pragma once
// Turns one HttpRequest into one HttpResponse: route lookup (404 / 405), the route's access checks
// (API key or JWT, admin key), the per-key rate limit, the handler, and error mapping. Never throws.
// Starts on the pool thread that read the request (handlers may read the store there); a handler that
// waits for a commit or a job suspends and continues on a pool thread later. Thread-safe once built.
#include <functional>

#include "server/auth/access_control.hpp"
#include "server/http/router.hpp"

namespace spooled::server {

class MetricsRegistry;

class RequestDispatcher {
 public:
  // Both must outlive the dispatcher.
  RequestDispatcher(const Router& router, const AccessControl& access) : router_(router), access_(access) {}

  using Responder = std::function<void(HttpResponse)>;
  // Serves the request; `respond` is called exactly once, on whichever thread finished it.
  void dispatch(HttpRequest request, Responder respond) const;

  // Counts each request (method, route pattern, status, duration). Set before serving; may be null.
  void setMetrics(MetricsRegistry* metrics) { metrics_ = metrics; }

  // Several servers on one database: a request other than GET or HEAD answers only once the live
  // events of its changes are on their way to every server. The barrier returns true when they are;
  // otherwise it calls `proceed` later, on a thread where the request may continue. Set before
  // serving; unset, responses go at once.
  using ResponseBarrier = std::function<bool(std::function<void()> proceed)>;
  void setResponseBarrier(ResponseBarrier barrier) { barrier_ = std::move(barrier); }

 private:
  Task<HttpResponse> serve(HttpRequest request) const;
  Task<HttpResponse> route(HttpRequest& request) const;

  const Router& router_;
  const AccessControl& access_;
  MetricsRegistry* metrics_ = nullptr;
  ResponseBarrier barrier_;
};

}  // namespace spooled::server
