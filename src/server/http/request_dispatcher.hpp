#pragma once
// Turns one HttpRequest into one HttpResponse: route lookup (404 / 405), API-key authentication for
// protected routes, the handler, and error mapping. Never throws. Runs on a worker-pool thread, so
// handlers may block on the store. Thread-safe once built.
#include "server/auth/api_key_auth.hpp"
#include "server/http/router.hpp"

namespace spooled::server {

class RequestDispatcher {
 public:
  // Both must outlive the dispatcher.
  RequestDispatcher(const Router& router, const ApiKeyAuth& auth) : router_(router), auth_(auth) {}

  HttpResponse dispatch(HttpRequest request) const;

 private:
  HttpResponse route(HttpRequest& request) const;

  const Router& router_;
  const ApiKeyAuth& auth_;
};

}  // namespace spooled::server
