#include "sdk/api_caller.hpp"

#include <string>

#include "sdk/error_mapping.hpp"
#include "spooled/client.hpp"
#include "spooled/errors.hpp"

namespace spooled::detail {
namespace {

std::string userAgentFor(const ClientOptions& options) {
  return options.userAgent.empty() ? std::string("spooled-cpp/") + sdkVersion() : options.userAgent;
}

TransportConfig transportConfig(const ClientOptions& options) {
  std::string baseUrl = options.baseUrl;
  while (!baseUrl.empty() && baseUrl.back() == '/') baseUrl.pop_back();
  return TransportConfig{.baseUrl = std::move(baseUrl),
                         // A JWT, when given, is the credential; otherwise the API key.
                         .apiKey = options.accessToken.empty() ? options.apiKey : options.accessToken,
                         .userAgent = userAgentFor(options),
                         .connectTimeout = options.connectTimeout,
                         .requestTimeout = options.requestTimeout,
                         .headers = options.headers};
}

}  // namespace

std::string pathSegment(std::string_view id) { return percentEncode(id); }

ApiCaller::ApiCaller(ClientOptions options)
    : options_(std::move(options)),
      transport_(transportConfig(options_)),
      retry_(options_.retry),
      breaker_(options_.circuitBreaker) {}

json ApiCaller::call(const ApiCall& call) {
  const HttpRequest request{.method = call.method,
                            .path = call.path,
                            .query = call.query,
                            .body = call.body,
                            .extraTimeout = call.extraTimeout,
                            .headers = call.headers};
  if (!call.retry) return attempt(request, call.textBody);
  return runWithRetry(
      retry_, call.idempotency, [this](std::chrono::milliseconds delay) { sleepBetweenAttempts(delay); },
      [&] { return attempt(request, call.textBody); });
}

std::string ApiCaller::callText(ApiCall call) {
  call.textBody = true;
  return this->call(call).get<std::string>();
}

json ApiCaller::attempt(const HttpRequest& request, bool textBody) {
  breaker_.beforeCall();
  HttpResponse response;
  try {
    response = transport_.send(request);
  } catch (const NetworkError&) {
    breaker_.recordFailure();
    throw;
  } catch (const TimeoutError&) {
    breaker_.recordFailure();
    throw;
  } catch (...) {
    // CLIENT_CLOSED or out of memory: says nothing about the server's health.
    breaker_.recordSuccess();
    throw;
  }
  if (response.status >= 500) {
    breaker_.recordFailure();
  } else {
    breaker_.recordSuccess();
  }

  if (response.status >= 400) {
    throwForResponse(ErrorResponse{.status = response.status,
                                   .body = response.body,
                                   .retryAfter = response.header("retry-after"),
                                   .requestId = response.header("x-request-id").value_or("")});
  }
  if (textBody) return json(std::move(response.body));
  if (response.body.empty()) return nullptr;
  json parsed = json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    throw SpooledError("the Spooled server answered " + std::to_string(response.status) + " " +
                           std::string(methodName(request.method)) + " " + request.path + " with a body that is not JSON",
                       response.status, "INVALID_RESPONSE");
  }
  return parsed;
}

void ApiCaller::sleepBetweenAttempts(std::chrono::milliseconds delay) {
  std::unique_lock lock(closeMutex_);
  if (closed_.wait_for(lock, delay, [this] { return isClosed_; })) {
    throw SpooledError("the SpooledClient was closed while waiting to retry", 0, "CLIENT_CLOSED");
  }
}

void ApiCaller::close() {
  {
    const std::lock_guard lock(closeMutex_);
    isClosed_ = true;
  }
  closed_.notify_all();
  transport_.close();
}

}  // namespace spooled::detail
