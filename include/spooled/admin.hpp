#pragma once
// The admin API: every organization on the server, with usage; creating organizations and keys for
// them; plan changes; deletion; platform stats; the plan list. Sent with X-Admin-Key, so the client
// needs ClientOptions::adminKey (the server's --admin-key); without it every call throws
// AuthenticationError before anything is sent.
#include <optional>
#include <string>
#include <vector>

#include "spooled/json.hpp"
#include "spooled/organizations.hpp"

namespace spooled {

namespace detail {
class ApiCaller;
}  // namespace detail

struct AdminListOrganizationsParams {
  std::optional<std::string> planTier{};
  std::optional<std::string> search{};     // in name or slug
  std::optional<int> limit{};              // 1-100, server default 50
  std::optional<int> offset{};
  std::optional<std::string> sortBy{};     // name, slug, plan_tier, created_at (default), updated_at
  std::optional<std::string> sortOrder{};  // asc, desc (default)
};

struct AdminUsageStats {
  long long jobsToday = 0;
  long long activeJobs = 0;
  long long queues = 0;
  long long workers = 0;
  long long apiKeys = 0;
};

struct AdminOrganizationSummary {
  std::string id{};
  std::string name{};
  std::string slug{};
  std::string planTier{};
  std::optional<std::string> billingEmail{};
  std::string createdAt{};
  std::string updatedAt{};
  AdminUsageStats usage{};
};

struct AdminOrganizationList {
  std::vector<AdminOrganizationSummary> organizations{};
  long long total = 0;  // matching organizations, all pages
  int limit = 0;
  int offset = 0;

  static AdminOrganizationList fromJson(const json& body);
};

struct AdminOrganizationDetail {
  Organization organization{};
  OrganizationUsage usageInfo{};
  long long apiKeysCount = 0;
  long long totalJobs = 0;

  static AdminOrganizationDetail fromJson(const json& body);
};

struct AdminCreateOrganizationParams {
  std::string name{};
  std::string slug{};
  std::optional<std::string> billingEmail{};
  std::optional<std::string> planTier{};
};

// Unset members are left unchanged.
struct AdminUpdateOrganizationParams {
  std::optional<std::string> planTier{};
  std::optional<std::string> billingEmail{};
  std::optional<json> settings{};
};

struct AdminCreateApiKeyParams {
  std::string name{};
  std::optional<std::vector<std::string>> queues{};  // server default: every queue
};

struct PlanCount {
  std::string plan{};
  long long count = 0;
};

struct PlatformStats {
  long long organizationsTotal = 0;
  std::vector<PlanCount> organizationsByPlan{};
  long long organizationsCreatedToday = 0;
  long long organizationsCreatedThisWeek = 0;
  long long jobsTotalActive = 0;
  long long jobsPending = 0;
  long long jobsProcessing = 0;
  long long jobsCompleted24h = 0;
  long long jobsFailed24h = 0;
  long long workersTotal = 0;  // with a heartbeat in the last minute
  long long workersHealthy = 0;
  long long workersDegraded = 0;
  std::string apiVersion{};
  long long uptimeSeconds = 0;

  static PlatformStats fromJson(const json& body);
};

// Obtained from SpooledClient::admin(); lives as long as the client. Thread-safe. Every call throws
// a SpooledError subclass on failure (see errors.hpp).
class AdminResource {
 public:
  AdminResource(const AdminResource&) = delete;
  AdminResource& operator=(const AdminResource&) = delete;

  AdminOrganizationList listOrganizations(const AdminListOrganizationsParams& params = {});
  CreateOrganizationResult createOrganization(const AdminCreateOrganizationParams& params);
  AdminOrganizationDetail getOrganization(const std::string& id);
  Organization updateOrganization(const std::string& id, const AdminUpdateOrganizationParams& params);
  // hardDelete: remove the organization and all its data; otherwise mark it deleted and revoke its keys.
  void deleteOrganization(const std::string& id, bool hardDelete = false);
  InitialApiKey createApiKey(const std::string& organizationId, const AdminCreateApiKeyParams& params);
  // Accepted for compatibility; this server keeps no usage counters to reset.
  void resetUsage(const std::string& organizationId);
  PlatformStats getStats();
  std::vector<PlanLimits> listPlans();

 private:
  friend class SpooledClient;
  explicit AdminResource(detail::ApiCaller& api) : api_(api) {}
  detail::ApiCaller& api_;
};

}  // namespace spooled
