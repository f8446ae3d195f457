#pragma once
// What every resource call goes through: circuit breaker -> transport -> error mapping, inside the
// retry loop. Resources only say which method, path, body and whether repeating is safe.
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sdk/circuit_breaker.hpp"
#include "sdk/http_transport.hpp"
#include "sdk/retry.hpp"
#include "spooled/client_options.hpp"
#include "spooled/json.hpp"

namespace spooled::detail {

struct ApiCall {
  HttpMethod method = HttpMethod::Get;
  std::string path;  // e.g. "/api/v1/jobs"; dynamic segments through pathSegment()
  std::vector<std::pair<std::string, std::string>> query;
  std::optional<json> body;
  Idempotency idempotency = Idempotency::Unsafe;
  std::chrono::milliseconds extraTimeout{0};
  bool retry = true;      // false: one attempt whatever happens (probes report now, not after a backoff)
  bool textBody = false;  // the answer is text, not JSON (GET /metrics); see ApiCaller::callText
  std::vector<std::pair<std::string, std::string>> headers;  // this call only, e.g. X-Admin-Key

  // GET and DELETE are safe to repeat; a POST only when the resource says so.
  static ApiCall get(std::string path) { return make(HttpMethod::Get, std::move(path), std::nullopt, Idempotency::Safe); }
  static ApiCall del(std::string path) {
    return make(HttpMethod::Delete, std::move(path), std::nullopt, Idempotency::Safe);
  }
  static ApiCall post(std::string path, std::optional<json> body, Idempotency idempotency = Idempotency::Unsafe) {
    return make(HttpMethod::Post, std::move(path), std::move(body), idempotency);
  }
  // PUT replaces with the same values each time, so it is safe to repeat.
  static ApiCall put(std::string path, json body) {
    return make(HttpMethod::Put, std::move(path), std::move(body), Idempotency::Safe);
  }
  // The PATCH bodies of this API set fields to values (no increments), so repeating is harmless.
  static ApiCall patch(std::string path, json body) {
    return make(HttpMethod::Patch, std::move(path), std::move(body), Idempotency::Safe);
  }

 private:
  static ApiCall make(HttpMethod method, std::string path, std::optional<json> body, Idempotency idempotency) {
    ApiCall call;
    call.method = method;
    call.path = std::move(path);
    call.body = std::move(body);
    call.idempotency = idempotency;
    return call;
  }
};

// Percent-encodes an id for use inside a path.
std::string pathSegment(std::string_view id);

class ApiCaller {
 public:
  // `options` must already be resolved (ClientOptions::resolved()).
  explicit ApiCaller(ClientOptions options);

  // The parsed response body (null for an empty body). Throws the mapped SpooledError subclass.
  json call(const ApiCall& call);
  // The response body as text, for the few endpoints that do not answer JSON. Errors as for call().
  std::string callText(ApiCall call);
  void close();
  const ClientOptions& options() const noexcept { return options_; }

 private:
  json attempt(const HttpRequest& request, bool textBody);
  // Waits between retries; close() cuts the wait short and ends the call with CLIENT_CLOSED.
  void sleepBetweenAttempts(std::chrono::milliseconds delay);

  const ClientOptions options_;
  HttpTransport transport_;
  RetryPolicy retry_;
  CircuitBreaker breaker_;
  std::mutex closeMutex_;
  std::condition_variable closed_;
  bool isClosed_ = false;  // guarded by closeMutex_
};

}  // namespace spooled::detail
