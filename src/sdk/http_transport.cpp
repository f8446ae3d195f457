#include "sdk/http_transport.hpp"

#include <algorithm>
#include <cctype>
#include <functional>
#include <memory>
#include <stdexcept>

#include "spooled/errors.hpp"

namespace spooled::detail {
namespace {

// Idle handles (each with its keep-alive connection) kept for reuse; beyond this many concurrent
// callers, extra handles are freed after use. A worker makes up to `concurrency` calls at once (each
// handler thread acknowledges its own job), and closing the connections above the cap after every
// call cost the server a TCP accept and close per request, so the cap is well above typical worker
// concurrency. An idle handle costs one socket and a few kilobytes.
constexpr std::size_t kMaxIdleHandles = 128;

void initCurlOnce() {
  // curl_global_init is not thread-safe against other curl calls: do it once, before any handle exists.
  static const CURLcode result = curl_global_init(CURL_GLOBAL_DEFAULT);
  if (result != CURLE_OK) {
    throw NetworkError(std::string("libcurl initialisation failed: ") + curl_easy_strerror(result));
  }
}

size_t appendBody(char* data, size_t size, size_t count, void* userdata) {
  static_cast<std::string*>(userdata)->append(data, size * count);
  return size * count;
}

size_t collectHeader(char* data, size_t size, size_t count, void* userdata) {
  auto& headers = *static_cast<std::map<std::string, std::string>*>(userdata);
  std::string_view line(data, size * count);
  // A new status line starts a new header block (after 100 Continue); keep only the final one.
  if (line.starts_with("HTTP/")) {
    headers.clear();
    return size * count;
  }
  const auto colon = line.find(':');
  if (colon == std::string_view::npos) return size * count;
  std::string name(line.substr(0, colon));
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) {
    value.remove_suffix(1);
  }
  headers[std::move(name)] = std::string(value);
  return size * count;
}

[[noreturn]] void throwTransportError(CURLcode code, const char* detail, const std::string& url,
                                      std::chrono::milliseconds timeout) {
  std::string what = std::string(curl_easy_strerror(code));
  if (detail[0] != '\0') what += ": " + std::string(detail);
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
      throw TimeoutError("request to " + url + " timed out after " + std::to_string(timeout.count()) + " ms (" +
                             what + ")",
                         timeout);
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
      throw NetworkError("cannot connect to the Spooled server at " + url + " (" + what + ")", "CONNECTION_FAILED");
    default: throw NetworkError("request to " + url + " failed (" + what + ")");
  }
}

}  // namespace

std::string_view methodName(HttpMethod method) {
  switch (method) {
    case HttpMethod::Get: return "GET";
    case HttpMethod::Post: return "POST";
    case HttpMethod::Put: return "PUT";
    case HttpMethod::Patch: return "PATCH";
    case HttpMethod::Delete: return "DELETE";
  }
  return "GET";
}

std::optional<std::string> HttpResponse::header(std::string_view lowerCaseName) const {
  const auto it = headers.find(std::string(lowerCaseName));
  if (it == headers.end()) return std::nullopt;
  return it->second;
}

std::string percentEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0x0F];
    }
  }
  return out;
}

HttpTransport::HttpTransport(TransportConfig config) : config_(std::move(config)) {
  initCurlOnce();
  headerLines_.push_back("Accept: application/json");
  if (!config_.apiKey.empty()) headerLines_.push_back("Authorization: Bearer " + config_.apiKey);
  // curl would otherwise send "Expect: 100-continue" for bodies over 1 KiB and wait for the answer.
  headerLines_.push_back("Expect:");
  for (const auto& [name, value] : config_.headers) headerLines_.push_back(name + ": " + value);
}

HttpTransport::~HttpTransport() { close(); }

void HttpTransport::close() {
  std::vector<CURL*> idle;
  {
    const std::lock_guard lock(mutex_);
    closed_ = true;
    idle.swap(idle_);
  }
  for (CURL* handle : idle) curl_easy_cleanup(handle);
}

CURL* HttpTransport::acquire() {
  {
    const std::lock_guard lock(mutex_);
    if (closed_) throw SpooledError("the SpooledClient is closed", 0, "CLIENT_CLOSED");
    if (!idle_.empty()) {
      CURL* handle = idle_.back();
      idle_.pop_back();
      return handle;
    }
  }
  CURL* handle = curl_easy_init();
  if (handle == nullptr) throw NetworkError("libcurl could not create a handle");
  return handle;
}

void HttpTransport::release(CURL* handle) {
  {
    const std::lock_guard lock(mutex_);
    if (!closed_ && idle_.size() < kMaxIdleHandles) {
      idle_.push_back(handle);
      return;
    }
  }
  curl_easy_cleanup(handle);
}

std::string HttpTransport::urlFor(const HttpRequest& request) const {
  std::string url = config_.baseUrl + request.path;
  char separator = '?';
  for (const auto& [name, value] : request.query) {
    url += separator;
    url += percentEncode(name);
    url += '=';
    url += percentEncode(value);
    separator = '&';
  }
  return url;
}

HttpResponse HttpTransport::send(const HttpRequest& request) {
  // Returns the handle to the pool however this call ends.
  const std::unique_ptr<CURL, std::function<void(CURL*)>> handle(acquire(), [this](CURL* h) { release(h); });
  CURL* curl = handle.get();
  // Reset clears the previous call's options but keeps the live connection and DNS cache.
  curl_easy_reset(curl);

  const std::string url = urlFor(request);
  // Strings that are not UTF-8 (a handler's raw bytes) go out with U+FFFD in place of the bad bytes:
  // JSON cannot carry them, and refusing would leave the job unsettled until its lease ran out.
  const std::string body =
      request.body ? request.body->dump(-1, ' ', false, json::error_handler_t::replace) : std::string();
  const auto timeout = config_.requestTimeout + request.extraTimeout;
  const std::string method(methodName(request.method));

  // Built per call (a few short strings) so that no curl_slist is shared between threads.
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> headers(nullptr, curl_slist_free_all);
  const auto addHeader = [&headers](const std::string& line) {
    curl_slist* grown = curl_slist_append(headers.get(), line.c_str());
    if (grown == nullptr) throw std::bad_alloc();
    (void)headers.release();
    headers.reset(grown);
  };
  for (const auto& line : headerLines_) addHeader(line);
  for (const auto& [name, value] : request.headers) addHeader(name + ": " + value);
  if (request.body) addHeader("Content-Type: application/json");

  HttpResponse response;
  char errorBuffer[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(curl, CURLOPT_USERAGENT, config_.userAgent.c_str());
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(config_.connectTimeout.count()));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);  // signals are unsafe with many threads
  curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errorBuffer);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, appendBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, collectHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &response.headers);
  if (request.method != HttpMethod::Get) {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
    if (request.method == HttpMethod::Post || request.body) {
      curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
      curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    }
  }

  const CURLcode result = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  const std::string detail(errorBuffer);
  // The handle outlives this call (it goes back to the pool): unhook the per-call buffers now.
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, nullptr);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr);
  if (result != CURLE_OK) throwTransportError(result, detail.c_str(), config_.baseUrl + request.path, timeout);

  response.status = static_cast<int>(status);
  return response;
}

}  // namespace spooled::detail
