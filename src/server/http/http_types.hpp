#pragma once
// The request and response that handlers see. Handlers never touch sockets or Beast types, so every
// route can be unit-tested by building an HttpRequest by hand.
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "server/auth/auth_context.hpp"
#include "spooled/json.hpp"

namespace spooled::server {

struct HttpRequest {
  std::string method;  // upper case: "GET", "POST", ...
  std::string target;  // as sent: path plus query string
  std::string path;    // percent-decoded path, no query string
  std::map<std::string, std::string> query;    // percent-decoded query parameters (last one wins)
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  std::map<std::string, std::string> pathParams;  // filled by the router: "{id}" -> value
  std::string routePattern;                       // filled by the dispatcher: "/api/v1/jobs/{id}" (metrics)
  std::optional<AuthContext> auth;                // filled for routes that need an API key

  // Splits target into path and query (percent-decoding both).
  void setTarget(std::string target);

  std::optional<std::string> header(const std::string& lowerCaseName) const;
  std::optional<std::string> queryParam(const std::string& name) const;
  // The value of a "{name}" segment of the route; throws std::out_of_range when the route has none.
  const std::string& pathParam(const std::string& name) const { return pathParams.at(name); }
  // The caller; throws ApiError(Unauthorized) when the route was not authenticated (a wiring bug).
  const AuthContext& authContext() const;
};

struct HttpResponse {
  int status = 200;
  std::string body;
  std::string contentType = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers, e.g. Allow

  static HttpResponse json(int status, const spooled::json& body);
  // A response without a body (204, or a bare 200 / 503 for probes).
  static HttpResponse empty(int status);
};

// "%41b+c" -> "Ab c" ('+' is a space only when plusIsSpace, i.e. in query strings).
std::string percentDecode(std::string_view text, bool plusIsSpace);

}  // namespace spooled::server
