#include "server/http/request_dispatcher.hpp"

#include <spdlog/spdlog.h>

#include <chrono>

#include "server/http/error_response.hpp"

namespace spooled::server {

namespace {

std::string joinMethods(const std::vector<std::string>& methods) {
  std::string out;
  for (const auto& m : methods) out += (out.empty() ? "" : ", ") + m;
  return out;
}

}  // namespace

HttpResponse RequestDispatcher::dispatch(HttpRequest request) const {
  const auto started = std::chrono::steady_clock::now();
  HttpResponse response = route(request);
  spdlog::debug("{} {} -> {} ({} us)", request.method, request.target, response.status,
                std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started).count());
  return response;
}

HttpResponse RequestDispatcher::route(HttpRequest& request) const {
  try {
    Router::Match match = router_.match(request.method, request.path);
    if (match.kind == Router::Match::Kind::NotFound)
      return errorResponse(ErrorCode::NotFound, "No route for " + request.method + " " + request.path);
    if (match.kind == Router::Match::Kind::MethodNotAllowed) {
      const std::string allow = joinMethods(match.allowedMethods);
      HttpResponse response = errorResponse(ErrorCode::MethodNotAllowed,
                                            "Method " + request.method + " is not allowed on " + request.path,
                                            json{{"allowed_methods", match.allowedMethods}});
      response.headers.emplace_back("Allow", allow);
      return response;
    }
    request.pathParams = std::move(match.params);
    // Authenticate before reading the body, so an anonymous caller learns nothing from validation.
    if (match.route->access == Access::ApiKey) request.auth = auth_.authenticate(request.header("authorization"));
    return match.route->handler(request);
  } catch (...) {
    return errorResponseFor(std::current_exception(), request);
  }
}

}  // namespace spooled::server
