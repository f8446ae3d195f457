#pragma once
// A small libcurl HTTP client for tests: request(method, path, body, headers) -> status, headers, body.
// Sends `Authorization: Bearer <apiKey>` unless the key is unset or the caller passes its own
// Authorization header. Reuses one connection (keep-alive). Not thread-safe: one client per thread.
#include <map>
#include <optional>
#include <string>

#include "spooled/json.hpp"

namespace spooled::test {

using Headers = std::map<std::string, std::string>;

struct HttpResult {
  long status = 0;                  // 0 when no answer arrived (connection refused, timeout before the head)
  std::string rawBody;
  json body;                        // rawBody parsed, or null when it is empty or not JSON
  Headers headers;                  // names lower-cased
  std::string error;                // libcurl's message when status is 0

  std::optional<std::string> header(const std::string& lowerCaseName) const;
  // "POST /x -> 400 {...}": for assertion messages.
  std::string describe() const;
};

class HttpClient {
 public:
  HttpClient(std::string baseUrl, std::optional<std::string> apiKey);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  void setApiKey(std::optional<std::string> apiKey) { apiKey_ = std::move(apiKey); }
  void setTimeoutMs(long ms) { timeoutMs_ = ms; }

  // body, when given, is sent as JSON with Content-Type: application/json.
  HttpResult request(const std::string& method, const std::string& path, const std::optional<json>& body = std::nullopt,
                     const Headers& headers = {});
  // Sends rawBody exactly as given (malformed JSON, huge bodies).
  HttpResult requestRaw(const std::string& method, const std::string& path, const std::string& rawBody,
                        const Headers& headers = {});

  HttpResult get(const std::string& path) { return request("GET", path); }
  HttpResult post(const std::string& path, const json& body) { return request("POST", path, body); }
  HttpResult del(const std::string& path) { return request("DELETE", path); }

  // The status of a GET, or 0 when nothing answered; never throws (for readiness polling).
  long tryGet(const std::string& path);

 private:
  HttpResult perform(const std::string& method, const std::string& path, const std::optional<std::string>& body,
                     const Headers& headers);

  std::string baseUrl_;
  std::optional<std::string> apiKey_;
  long timeoutMs_ = 60000;
  void* curl_ = nullptr;  // CURL*
};

}  // namespace spooled::test
