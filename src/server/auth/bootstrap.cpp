#include "server/auth/bootstrap.hpp"

#include <spdlog/spdlog.h>

#include "common/ids.hpp"
#include "server/auth/api_key_format.hpp"

namespace spooled::server {

OrganizationRecord ensureOrganization(StoreTx& tx, const std::string& slug, const std::string& name) {
  if (auto org = tx.findOrganizationBySlug(slug)) return *org;
  OrganizationRecord org;
  org.id = newUuid();
  org.name = name;
  org.slug = slug;
  // Every organization starts with a webhook token, as the official backend's do.
  org.webhookToken = "whk_" + randomHex(32);
  org.createdAt = nowMs();
  org.updatedAt = org.createdAt;
  tx.insertOrganization(org);
  return org;
}

ApiKeyRecord insertApiKey(StoreTx& tx, const std::string& orgId, const std::string& rawKey, const std::string& name) {
  ApiKeyRecord key;
  key.id = newUuid();
  key.orgId = orgId;
  key.name = name;
  key.keyHash = sha256Hex(rawKey);
  key.createdAt = nowMs();
  tx.insertApiKey(key);
  return key;
}

namespace {

bool anyKeyStored(StoreReader& r) {
  for (const auto& org : r.listOrganizations())
    if (!r.listApiKeys(org.id).empty()) return true;
  return false;
}

}  // namespace

BootstrapOutcome bootstrapApiKeys(Store& store, const std::optional<std::string>& apiKey, std::ostream& out,
                                  const std::string& keyPrefix) {
  BootstrapOutcome outcome;
  // One transaction: two servers starting on one database cannot both create the default organization.
  store.writeNow([&](StoreTx& tx) {
    outcome = {};
    if (apiKey) {
      if (auto known = tx.findApiKeyByHash(sha256Hex(*apiKey))) {
        outcome.orgId = known->orgId;
        if (!known->isActive) spdlog::warn("the API key given with --api-key is revoked; requests with it will get 401");
        return;
      }
      const auto org = ensureOrganization(tx, kDefaultOrgSlug, "Default");
      insertApiKey(tx, org.id, *apiKey, "bootstrap (--api-key)");
      outcome.orgId = org.id;
      outcome.registeredGivenKey = true;
      return;
    }
    if (anyKeyStored(tx)) return;
    const auto org = ensureOrganization(tx, kDefaultOrgSlug, "Default");
    std::string raw = newRawApiKey(keyPrefix);
    insertApiKey(tx, org.id, raw, "bootstrap (generated)");
    outcome.orgId = org.id;
    outcome.createdKey = std::move(raw);
  });

  if (outcome.registeredGivenKey) {
    spdlog::info("registered the given API key for organization '{}'", kDefaultOrgSlug);
  } else if (outcome.createdKey) {
    // Printed once and never stored in clear: the only chance to copy it.
    out << "\nNo API key existed, so one was created for organization '" << kDefaultOrgSlug << "'.\n"
        << "Store it now; it will not be shown again:\n\n    " << *outcome.createdKey << "\n\n"
        << "Use it as:  Authorization: Bearer " << *outcome.createdKey << "\n\n"
        << std::flush;
  } else if (!apiKey) {
    spdlog::info("API keys exist; no key given with --api-key, none created");
  }
  return outcome;
}

}  // namespace spooled::server
