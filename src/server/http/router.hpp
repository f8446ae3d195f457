#pragma once
// Maps method + path to a handler. Patterns are literal segments and "{name}" segments that match one
// non-empty segment; when several patterns match, the one with a literal earliest wins, so
// "/api/v1/jobs/claim" beats "/api/v1/jobs/{id}". Built once at start-up, then read-only (thread-safe).
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "common/task.hpp"
#include "server/http/http_types.hpp"

namespace spooled::server {

// A route handler is a coroutine: it may suspend (waiting for a commit or a job) without holding a
// thread. The request outlives the handler's Task.
using Handler = std::function<Task<HttpResponse>(const HttpRequest&)>;

enum class Access {
  Public,  // no credentials (health probes, login, open registration); never rate limited
  ApiKey,  // `Authorization: Bearer <API key or JWT access token>`; the handler gets request.auth;
           // rate limited per key
  Admin,   // `X-Admin-Key: <the server's --admin-key>`
};

struct Route {
  std::string method;
  std::string pattern;
  Access access = Access::ApiKey;
  Handler handler;
  std::vector<std::string> segments;  // pattern split on '/'
  // For Access::ApiKey routes: whether a key limited to some queues may call it. Closed by default, so
  // a new route is open to such keys only by a decision made where it is registered.
  KeyScope keyScope = KeyScope::AllQueues;
  // For Access::ApiKey routes: the credential may come as `?token=` (or `?api_key=`) when there is no
  // Authorization header, as browsers' EventSource and WebSocket cannot set headers.
  bool tokenInQuery = false;
};

class Router {
 public:
  void add(std::string method, std::string pattern, Access access, Handler handler,
           KeyScope keyScope = KeyScope::AllQueues);

  struct Match {
    enum class Kind { Found, NotFound, MethodNotAllowed } kind = Kind::NotFound;
    const Route* route = nullptr;                    // when Found
    std::map<std::string, std::string> params;       // when Found
    std::vector<std::string> allowedMethods;         // when MethodNotAllowed
  };
  Match match(const std::string& method, const std::string& path) const;
  // Marks a registered route as taking its credential from the query string too (Route::tokenInQuery).
  void allowTokenInQuery(const std::string& method, const std::string& pattern);

  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

}  // namespace spooled::server
