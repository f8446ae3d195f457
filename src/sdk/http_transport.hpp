#pragma once
// One HTTP exchange with the Spooled server over libcurl. Knows nothing of retries, breakers or
// error bodies: it sends a request and returns whatever status came back, or throws NetworkError /
// TimeoutError when no response arrived.
//
// Thread-safe. Keeps a small pool of curl easy handles; each keeps its connection alive, so
// back-to-back calls from one thread reuse one TCP (and TLS) connection, and N threads use N.
#include <curl/curl.h>

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "spooled/json.hpp"

namespace spooled::detail {

enum class HttpMethod { Get, Post, Put, Patch, Delete };
std::string_view methodName(HttpMethod method);

struct HttpRequest {
  HttpMethod method = HttpMethod::Get;
  std::string path;  // already percent-encoded, e.g. "/api/v1/jobs/abc"
  std::vector<std::pair<std::string, std::string>> query;  // raw values; encoded by the transport
  std::optional<json> body;  // sent as application/json
  std::chrono::milliseconds extraTimeout{0};  // added to the request timeout (long-poll claims)
  std::vector<std::pair<std::string, std::string>> headers;  // this call only, e.g. X-Admin-Key
};

struct HttpResponse {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // names lower-cased; last value wins

  std::optional<std::string> header(std::string_view lowerCaseName) const;
};

struct TransportConfig {
  std::string baseUrl;  // no trailing slash
  std::string apiKey;  // sent as `Authorization: Bearer <apiKey>` (an API key or a JWT); empty: no Authorization
  std::string userAgent;
  std::chrono::milliseconds connectTimeout{5000};
  std::chrono::milliseconds requestTimeout{30000};
  std::map<std::string, std::string> headers;
};

// Percent-encodes everything outside RFC 3986's unreserved set (for path segments and query values).
std::string percentEncode(std::string_view text);

class HttpTransport {
 public:
  explicit HttpTransport(TransportConfig config);
  ~HttpTransport();
  HttpTransport(const HttpTransport&) = delete;
  HttpTransport& operator=(const HttpTransport&) = delete;

  // Throws NetworkError (code CONNECTION_FAILED when the server cannot have seen the request),
  // TimeoutError, or SpooledError CLIENT_CLOSED after close(). Never throws for an HTTP status.
  HttpResponse send(const HttpRequest& request);
  // Frees idle handles now; handles in use are freed when their call returns.
  void close();

 private:
  CURL* acquire();
  void release(CURL* handle);
  std::string urlFor(const HttpRequest& request) const;

  const TransportConfig config_;
  std::vector<std::string> headerLines_;  // immutable after construction
  std::mutex mutex_;
  std::vector<CURL*> idle_;  // guarded by mutex_
  bool closed_ = false;      // guarded by mutex_
};

}  // namespace spooled::detail
