#include "support/http_client.hpp"

#include <curl/curl.h>

#include <cctype>
#include <stdexcept>

namespace spooled::test {

namespace {

// libcurl's global init is not thread-safe; do it once before the first handle.
struct CurlGlobal {
  CurlGlobal() { curl_global_init(CURL_GLOBAL_DEFAULT); }
  ~CurlGlobal() { curl_global_cleanup(); }
};

size_t appendBody(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

size_t appendHeader(char* data, size_t size, size_t count, void* user) {
  const std::string line(data, size * count);
  const auto colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.erase(0, 1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) value.pop_back();
    (*static_cast<Headers*>(user))[name] = value;
  }
  return size * count;
}

}  // namespace

std::optional<std::string> HttpResult::header(const std::string& lowerCaseName) const {
  const auto it = headers.find(lowerCaseName);
  if (it == headers.end()) return std::nullopt;
  return it->second;
}

std::string HttpResult::describe() const {
  return "-> " + std::to_string(status) + " " + (error.empty() ? rawBody.substr(0, 2000) : error);
}

HttpClient::HttpClient(std::string baseUrl, std::optional<std::string> apiKey)
    : baseUrl_(std::move(baseUrl)), apiKey_(std::move(apiKey)) {
  static CurlGlobal global;
  curl_ = curl_easy_init();
  if (curl_ == nullptr) throw std::runtime_error("curl_easy_init failed");
}

HttpClient::~HttpClient() { curl_easy_cleanup(static_cast<CURL*>(curl_)); }

HttpResult HttpClient::request(const std::string& method, const std::string& path, const std::optional<json>& body,
                               const Headers& headers) {
  Headers all = headers;
  std::optional<std::string> raw;
  if (body) {
    raw = body->dump();
    all.emplace("Content-Type", "application/json");
  }
  return perform(method, path, raw, all);
}

HttpResult HttpClient::requestRaw(const std::string& method, const std::string& path, const std::string& rawBody,
                                  const Headers& headers) {
  Headers all = headers;
  all.emplace("Content-Type", "application/json");
  return perform(method, path, rawBody, all);
}

long HttpClient::tryGet(const std::string& path) {
  const long saved = timeoutMs_;
  timeoutMs_ = 2000;
  const HttpResult r = perform("GET", path, std::nullopt, {});
  timeoutMs_ = saved;
  return r.status;
}

HttpResult HttpClient::perform(const std::string& method, const std::string& path,
                               const std::optional<std::string>& body, const Headers& headers) {
  CURL* curl = static_cast<CURL*>(curl_);
  curl_easy_reset(curl);  // keeps the connection cache, so keep-alive is exercised
  HttpResult result;
  const std::string url = baseUrl_ + path;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeoutMs_);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, appendBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &result.rawBody);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, appendHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &result.headers);
  if (method == "HEAD") curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  if (body) {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body->data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body->size()));
  }

  curl_slist* list = nullptr;
  bool hasAuth = false;
  for (const auto& [name, value] : headers) {
    std::string lower = name;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    hasAuth = hasAuth || lower == "authorization";
    list = curl_slist_append(list, (name + ": " + value).c_str());
  }
  if (!hasAuth && apiKey_) list = curl_slist_append(list, ("Authorization: Bearer " + *apiKey_).c_str());
  // libcurl would otherwise wait for "100 Continue" before sending large bodies.
  list = curl_slist_append(list, "Expect:");
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);

  const CURLcode rc = curl_easy_perform(curl);
  curl_slist_free_all(list);
  if (rc != CURLE_OK) {
    result.error = curl_easy_strerror(rc);
    // A stream that was still open at the timeout did answer: its status is kept.
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &result.status);
    return result;
  }
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &result.status);
  if (!result.rawBody.empty()) result.body = json::parse(result.rawBody, nullptr, false);
  if (result.body.is_discarded()) result.body = nullptr;
  return result;
}

}  // namespace spooled::test
