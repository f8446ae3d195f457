#pragma once
// Reading and validating the fields of organizations and API keys (rules as the official backend's
// models), and creating both. Shared by the public routes (api_keys_api, organizations_api) and the
// admin routes, so a value the one accepts the other accepts too.
#include <optional>
#include <string>
#include <vector>

#include "server/api/validation.hpp"
#include "server/store/store.hpp"

namespace spooled::server {

inline constexpr std::size_t kMaxSettingsBytes = 64 * 1024;
inline constexpr std::size_t kMaxQueuesPerKey = 50;
inline constexpr const char* kDefaultPlanTier = "enterprise";  // the official tier without limits

struct NewOrganization {
  std::string name;
  std::string slug;
  std::optional<std::string> billingEmail;
  std::string planTier = kDefaultPlanTier;
};

struct NewApiKey {
  std::string name;
  std::vector<std::string> queues;  // empty: every queue
  std::optional<int> rateLimit;
  std::optional<TimePoint> expiresAt;
};

// A created key: the record as stored and the raw key, which exists only in this answer.
struct CreatedApiKey {
  ApiKeyRecord record;
  std::string rawKey;
};

// name 3-100; slug 3-50, lowercase letters, digits and single hyphens, starting with a letter, not
// reserved; billing_email an address.
NewOrganization readNewOrganization(const FieldReader& f);
std::string readOrganizationName(const FieldReader& f);
std::optional<std::string> readBillingEmail(const FieldReader& f);
// free, starter, pro or enterprise (lower-cased); the labels mean nothing here: every tier is unlimited.
std::optional<std::string> readPlanTier(const FieldReader& f);
std::optional<json> readSettings(const FieldReader& f);

// name 1-100 of letters, digits, space, '-', '_', '.', '(' and ')'.
std::string readKeyName(const FieldReader& f);
// Up to 50 names of 1-255 letters, digits, '-', '_', '.' or '*'.
std::optional<std::vector<std::string>> readKeyQueues(const FieldReader& f);
// 1-10000 requests per second.
std::optional<int> readKeyRateLimit(const FieldReader& f);
// In the future.
std::optional<TimePoint> readKeyExpiry(const FieldReader& f, TimePoint now);

std::string generateWebhookToken();

// Inserts a fresh key (its SHA-256 only) for orgId; the raw key is keyPrefix (auth/api_key_format.hpp:
// "sk_live_" or "sk_test_") and 256 random bits in hex.
CreatedApiKey insertNewApiKey(StoreTx& tx, const std::string& orgId, const NewApiKey& key,
                              const std::string& keyPrefix);
// Inserts an organization with a fresh webhook token; 409 CONFLICT when the slug is taken.
OrganizationRecord insertNewOrganization(StoreTx& tx, const NewOrganization& org);

// The organization and its first key, "Initial Admin Key" with access to every queue, as the
// official backend creates them (public registration and admin alike).
struct CreatedOrganization {
  OrganizationRecord organization;
  CreatedApiKey apiKey;
};
Task<CreatedOrganization> createOrganizationWithKey(Store& store, const NewOrganization& org, const std::string& keyPrefix);

}  // namespace spooled::server
