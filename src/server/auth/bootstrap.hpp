#pragma once
// First-start credentials, so `make run` gives a working server with no setup:
//  - a key given (--api-key / SPOOLED_API_KEY) that the store does not know is registered (its hash
//    only) for the default organization, which is created when absent (name "Default", slug "default");
//  - no key given and no key stored: the default organization and a fresh key (keyPrefix, i.e.
//    `sk_live_...` or `sk_test_...`, see api_key_format.hpp) are created, and the key is printed once
//    to `out`;
//  - no key given but keys stored: nothing changes.
#include <optional>
#include <ostream>
#include <string>

#include "server/store/store.hpp"

namespace spooled::server {

inline constexpr const char* kDefaultOrgSlug = "default";

struct BootstrapOutcome {
  std::string orgId;                      // organization of the given or created key; empty if neither
  std::optional<std::string> createdKey;  // raw key, when one was generated
  bool registeredGivenKey = false;
};

BootstrapOutcome bootstrapApiKeys(Store& store, const std::optional<std::string>& apiKey, std::ostream& out,
                                  const std::string& keyPrefix);

// Finds the organization with this slug, creating it with this name when absent. Used by bootstrap
// and by tests that need a second organization.
OrganizationRecord ensureOrganization(StoreTx& tx, const std::string& slug, const std::string& name);

// Registers rawKey (its SHA-256 only) for orgId.
ApiKeyRecord insertApiKey(StoreTx& tx, const std::string& orgId, const std::string& rawKey, const std::string& name);

}  // namespace spooled::server
