#pragma once
// API keys of the caller's organization: list, create (the raw key is returned once), inspect, change
// and revoke. Field names mirror the wire's snake_case fields in camelCase; times are ISO-8601 strings.
#include <optional>
#include <string>
#include <vector>

#include "spooled/json.hpp"

namespace spooled {

namespace detail {
class ApiCaller;
}  // namespace detail

// A key as listed: never its value or hash.
struct ApiKeySummary {
  std::string id{};
  std::string name{};
  std::vector<std::string> queues{};  // empty or "*": every queue
  std::optional<int> rateLimit{};     // requests per second; empty: the server's default
  bool isActive = false;
  std::string createdAt{};
  std::optional<std::string> lastUsed{};
  std::optional<std::string> expiresAt{};

  static ApiKeySummary fromJson(const json& body);
};

struct CreateApiKeyParams {
  std::string name{};                                   // 1-100 chars
  std::optional<std::vector<std::string>> queues{};     // empty: every queue
  std::optional<int> rateLimit{};                       // 1-10000 requests per second
  std::optional<std::string> expiresAt{};               // ISO-8601, in the future
};

struct CreateApiKeyResult {
  std::string id{};
  std::string key{};  // the raw key: shown only in this answer, store it now
  std::string name{};
  std::string createdAt{};
  std::optional<std::string> expiresAt{};

  static CreateApiKeyResult fromJson(const json& body);
};

// Unset members are left unchanged.
struct UpdateApiKeyParams {
  std::optional<std::string> name{};
  std::optional<std::vector<std::string>> queues{};
  std::optional<int> rateLimit{};
  std::optional<bool> isActive{};
};

// Obtained from SpooledClient::apiKeys(); lives as long as the client. Thread-safe. Every call throws
// a SpooledError subclass on failure (see errors.hpp).
class ApiKeysResource {
 public:
  ApiKeysResource(const ApiKeysResource&) = delete;
  ApiKeysResource& operator=(const ApiKeysResource&) = delete;

  std::vector<ApiKeySummary> list();
  // Not retried on ambiguous failures (a repeat would create a second key).
  CreateApiKeyResult create(const CreateApiKeyParams& params);
  ApiKeySummary get(const std::string& id);
  ApiKeySummary update(const std::string& id, const UpdateApiKeyParams& params);
  // The key stops working at once (401); it stays listed with isActive = false.
  void revoke(const std::string& id);

 private:
  friend class SpooledClient;
  explicit ApiKeysResource(detail::ApiCaller& api) : api_(api) {}
  detail::ApiCaller& api_;
};

}  // namespace spooled
