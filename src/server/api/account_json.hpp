#pragma once
// Organizations and API keys as the wire shows them (shapes of the official backend's models).
// A key's hash never appears; its raw value only in the answer that created it.
#include "server/api/account_fields.hpp"
#include "server/store/records.hpp"

namespace spooled::server {

// Organization: {id, name, slug, plan_tier, billing_email, settings, custom_limits, created_at, updated_at}.
json organizationToJson(const OrganizationRecord& org);
// OrganizationSummary: {id, name, slug, plan_tier, created_at}.
json organizationSummaryToJson(const OrganizationRecord& org);
// ApiKeySummary: {id, name, queues, rate_limit, is_active, created_at, last_used, expires_at}.
json apiKeySummaryToJson(const ApiKeyRecord& key);
// The once-only answer for a new key: {id, key, name, created_at}.
json createdKeyToJson(const CreatedApiKey& key);
// {organization, api_key: {id, key, name, created_at}}.
json createdOrganizationToJson(const CreatedOrganization& created);

json isoOrNull(const std::optional<TimePoint>& t);

}  // namespace spooled::server
