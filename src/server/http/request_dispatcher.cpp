#include "server/http/request_dispatcher.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <optional>

#include "server/core/metrics_registry.hpp"
#include "server/http/error_response.hpp"

namespace spooled::server {

namespace {

std::string joinMethods(const std::vector<std::string>& methods) {
  std::string out;
  for (const auto& m : methods) out += (out.empty() ? "" : ", ") + m;
  return out;
}

long long ceilSeconds(std::chrono::milliseconds ms) { return (ms.count() + 999) / 1000; }

// X-RateLimit-* on every rate-limited answer, so clients can pace themselves before they hit 429.
void addRateLimitHeaders(HttpResponse& response, const RateDecision& decision) {
  const auto resetAt = std::chrono::duration_cast<std::chrono::seconds>(
                           std::chrono::system_clock::now().time_since_epoch()).count() +
                       ceilSeconds(decision.resetAfter);
  response.headers.emplace_back("X-RateLimit-Limit", std::to_string(decision.limit));
  response.headers.emplace_back("X-RateLimit-Remaining", std::to_string(decision.remaining));
  response.headers.emplace_back("X-RateLimit-Reset", std::to_string(resetAt));
}

HttpResponse rateLimited(const RateDecision& decision) {
  const long long retryAfter = std::max<long long>(1, ceilSeconds(decision.retryAfter));
  HttpResponse response = errorResponse(ErrorCode::RateLimited, "Rate limit exceeded; retry after " +
                                                                    std::to_string(retryAfter) + " s",
                                        json{{"retry_after_secs", retryAfter}, {"limit", decision.limit},
                                             {"remaining", decision.remaining}});
  response.headers.emplace_back("Retry-After", std::to_string(retryAfter));
  return response;
}

// The Authorization header, or for routes that allow it a `token` / `api_key` query parameter.
std::optional<std::string> credentialOf(const HttpRequest& request, const Route& route) {
  auto header = request.header("authorization");
  if (header || !route.tokenInQuery) return header;
  if (auto token = request.queryParam("token")) return "Bearer " + *token;
  if (auto key = request.queryParam("api_key")) return "Bearer " + *key;
  return std::nullopt;
}

// What the debug log shows of the target: a credential in the query string stays out of logs.
std::string loggableTarget(const HttpRequest& request) {
  if (request.query.contains("token") || request.query.contains("api_key")) return request.path + "?<redacted>";
  return request.target;
}

}  // namespace

void RequestDispatcher::dispatch(HttpRequest request, Responder respond) const {
  spawn(serve(std::move(request)),
        [respond = std::move(respond)](std::optional<HttpResponse> response, std::exception_ptr) {
          // serve() catches everything, so an empty result would be a bug; answer it as one.
          respond(response ? std::move(*response)
                           : errorResponse(ErrorCode::Internal, "Internal server error"));
        });
}

namespace {

// Suspends until the barrier lets the response go. A named awaiter (GCC 12: no temporaries in co_await).
struct BarrierWait {
  const RequestDispatcher::ResponseBarrier& barrier;
  bool await_ready() const noexcept { return false; }
  bool await_suspend(std::coroutine_handle<> handle) const {
    return !barrier([handle] { handle.resume(); });
  }
  void await_resume() const noexcept {}
};

}  // namespace

Task<HttpResponse> RequestDispatcher::serve(HttpRequest request) const {
  const auto started = std::chrono::steady_clock::now();
  HttpResponse response = co_await route(request);
  if (barrier_ && request.method != "GET" && request.method != "HEAD") {
    BarrierWait wait{barrier_};
    co_await wait;
  }
  if (metrics_ != nullptr)
    metrics_->recordRequest(request.method, request.routePattern, response.status,
                            std::chrono::steady_clock::now() - started);
  spdlog::debug("{} {} -> {} ({} us)", request.method, loggableTarget(request), response.status,
                std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started).count());
  co_return response;
}

Task<HttpResponse> RequestDispatcher::route(HttpRequest& request) const {
  std::optional<RateDecision> rate;  // set once the caller is known, so errors carry the headers too
  HttpResponse response;
  try {
    Router::Match match = router_.match(request.method, request.path);
    if (match.kind == Router::Match::Kind::NotFound)
      co_return errorResponse(ErrorCode::NotFound, "No route for " + request.method + " " + request.path);
    if (match.kind == Router::Match::Kind::MethodNotAllowed) {
      const std::string allow = joinMethods(match.allowedMethods);
      HttpResponse notAllowed = errorResponse(ErrorCode::MethodNotAllowed,
                                              "Method " + request.method + " is not allowed on " + request.path,
                                              json{{"allowed_methods", match.allowedMethods}});
      notAllowed.headers.emplace_back("Allow", allow);
      co_return notAllowed;
    }
    request.pathParams = std::move(match.params);
    request.routePattern = match.route->pattern;
    // Authenticate before reading the body, so an anonymous caller learns nothing from validation.
    switch (match.route->access) {
      case Access::Public:
        break;
      case Access::ApiKey:
        request.auth = access_.authenticate(credentialOf(request, *match.route));
        rate = access_.admit(*request.auth);
        if (rate && !rate->allowed) {
          response = rateLimited(*rate);
          addRateLimitHeaders(response, *rate);
          co_return response;
        }
        access_.requireScope(*request.auth, match.route->keyScope);
        break;
      case Access::Admin:
        access_.requireAdmin(request.header("x-admin-key"));
        break;
    }
    response = co_await match.route->handler(request);
  } catch (...) {
    response = errorResponseFor(std::current_exception(), request);
  }
  if (rate) addRateLimitHeaders(response, *rate);
  co_return response;
}

}  // namespace spooled::server
