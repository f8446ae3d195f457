#pragma once
// Organizations: create one (public when the server allows registration), read and change the
// caller's own, see its usage against the plan, and manage its webhook token. Field names mirror
// the wire's snake_case fields in camelCase; times are ISO-8601 strings.
#include <optional>
#include <string>
#include <vector>

#include "spooled/json.hpp"

namespace spooled {

namespace detail {
class ApiCaller;
}  // namespace detail

struct Organization {
  std::string id{};
  std::string name{};
  std::string slug{};
  std::string planTier{};  // free, starter, pro, enterprise (self-hosted: every tier is unlimited)
  std::optional<std::string> billingEmail{};
  json settings = json::object();
  std::optional<json> customLimits{};
  std::string createdAt{};
  std::string updatedAt{};

  static Organization fromJson(const json& body);
};

struct OrganizationSummary {
  std::string id{};
  std::string name{};
  std::string slug{};
  std::string planTier{};
  std::string createdAt{};

  static OrganizationSummary fromJson(const json& body);
};

struct CreateOrganizationParams {
  std::string name{};  // 3-100 chars
  std::string slug{};  // 3-50 chars: lowercase letters, digits, single hyphens; starts with a letter
  std::optional<std::string> billingEmail{};
};

// A key created together with an organization (or by the admin API): its raw value is shown once.
struct InitialApiKey {
  std::string id{};
  std::string key{};
  std::string name{};
  std::string createdAt{};

  static InitialApiKey fromJson(const json& body);
};

struct CreateOrganizationResult {
  Organization organization{};
  InitialApiKey apiKey{};  // full access to every queue

  static CreateOrganizationResult fromJson(const json& body);
};

// Unset members are left unchanged.
struct UpdateOrganizationParams {
  std::optional<std::string> name{};
  std::optional<std::string> billingEmail{};
  std::optional<json> settings{};  // a JSON object; replaces the stored one
};

// A plan's limits; an empty optional means unlimited.
struct PlanLimits {
  std::string tier{};
  std::string displayName{};
  std::optional<long long> maxJobsPerDay{};
  std::optional<long long> maxActiveJobs{};
  std::optional<long long> maxQueues{};
  std::optional<long long> maxWorkers{};
  std::optional<long long> maxApiKeys{};
  std::optional<long long> maxSchedules{};
  std::optional<long long> maxWorkflows{};
  std::optional<long long> maxWebhooks{};
  long long maxPayloadSizeBytes = 0;
  int rateLimitRequestsPerSecond = 0;
  int rateLimitBurst = 0;
  int jobRetentionDays = 0;
  int historyRetentionDays = 0;

  static PlanLimits fromJson(const json& body);
};

struct UsageItem {
  long long current = 0;
  std::optional<long long> limit{};  // empty: unlimited
  std::optional<double> percentage{};
  bool isDisabled = false;

  static UsageItem fromJson(const json& body);
};

struct ResourceUsage {
  UsageItem jobsToday{};
  UsageItem activeJobs{};
  UsageItem queues{};
  UsageItem workers{};
  UsageItem apiKeys{};
  UsageItem schedules{};
  UsageItem workflows{};
  UsageItem webhooks{};

  static ResourceUsage fromJson(const json& body);
};

struct UsageWarning {
  std::string resource{};
  std::string message{};
  std::string severity{};  // "warning" or "critical"
};

struct OrganizationUsage {
  std::string plan{};
  std::string planDisplayName{};
  PlanLimits limits{};
  ResourceUsage usage{};
  std::vector<UsageWarning> warnings{};

  static OrganizationUsage fromJson(const json& body);
};

struct WebhookToken {
  std::optional<std::string> token{};       // empty after clearWebhookToken()
  std::optional<std::string> webhookUrl{};  // where external services post events

  static WebhookToken fromJson(const json& body);
};

// Obtained from SpooledClient::organizations(); lives as long as the client. Thread-safe. Every call
// throws a SpooledError subclass on failure (see errors.hpp).
class OrganizationsResource {
 public:
  OrganizationsResource(const OrganizationsResource&) = delete;
  OrganizationsResource& operator=(const OrganizationsResource&) = delete;

  // Works without credentials when the server's registration is open; otherwise the server wants its
  // admin key (set ClientOptions::adminKey). Not retried on ambiguous failures.
  CreateOrganizationResult create(const CreateOrganizationParams& params);
  // The caller's own organization (a list of one).
  std::vector<OrganizationSummary> list();
  Organization get(const std::string& id);
  Organization update(const std::string& id, const UpdateOrganizationParams& params);
  // Refused (409) while the organization has active jobs or workers.
  void remove(const std::string& id);
  OrganizationUsage getUsage();
  WebhookToken getWebhookToken();
  // A new token; the old one stops working at once.
  WebhookToken regenerateWebhookToken();
  void clearWebhookToken();

 private:
  friend class SpooledClient;
  explicit OrganizationsResource(detail::ApiCaller& api) : api_(api) {}
  detail::ApiCaller& api_;
};

}  // namespace spooled
