#include "server/api/account_json.hpp"

namespace spooled::server {

json isoOrNull(const std::optional<TimePoint>& t) { return t ? json(formatIso8601(*t)) : json(nullptr); }

json organizationToJson(const OrganizationRecord& org) {
  return json{{"id", org.id},
              {"name", org.name},
              {"slug", org.slug},
              {"plan_tier", org.planTier},
              {"billing_email", org.billingEmail ? json(*org.billingEmail) : json(nullptr)},
              {"settings", org.settings},
              // Limits cannot be overridden: the self-hosted plan has none.
              {"custom_limits", nullptr},
              {"created_at", formatIso8601(org.createdAt)},
              {"updated_at", formatIso8601(org.updatedAt)}};
}

json organizationSummaryToJson(const OrganizationRecord& org) {
  return json{{"id", org.id},
              {"name", org.name},
              {"slug", org.slug},
              {"plan_tier", org.planTier},
              {"created_at", formatIso8601(org.createdAt)}};
}

json apiKeySummaryToJson(const ApiKeyRecord& key) {
  return json{{"id", key.id},
              {"name", key.name},
              {"queues", key.queues},
              {"rate_limit", key.rateLimit ? json(*key.rateLimit) : json(nullptr)},
              {"is_active", key.isActive},
              {"created_at", formatIso8601(key.createdAt)},
              {"last_used", isoOrNull(key.lastUsed)},
              {"expires_at", isoOrNull(key.expiresAt)}};
}

json createdKeyToJson(const CreatedApiKey& key) {
  return json{{"id", key.record.id},
              {"key", key.rawKey},
              {"name", key.record.name},
              {"created_at", formatIso8601(key.record.createdAt)}};
}

json createdOrganizationToJson(const CreatedOrganization& created) {
  return json{{"organization", organizationToJson(created.organization)},
              {"api_key", createdKeyToJson(created.apiKey)}};
}

}  // namespace spooled::server
