#pragma once
// Who is calling: the organization and API key behind a request, whether it came as the key itself or
// as a JWT issued for it. Every store call a handler makes is scoped by orgId, so one organization
// never sees another's data.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace spooled::server {

// What a key limited to some queues (its `queues` list) may call at all, decided per route (Route::
// keyScope) and checked once, before the handler (AccessControl::requireScope). The table is in
// docs/api.md, and tests/integration/key_scope_test.cpp checks every registered route against it.
enum class KeyScope {
  AllQueues,  // only a key with every queue: API keys, the organization, queue management, dashboard
  Queues,     // any key; the handler keeps a queue-limited key to its queues (jobs, workers, reads)
};

// The JWT a request was authenticated with (absent for a raw API key).
struct AccessToken {
  std::string jti;
  std::int64_t issuedAt = 0;   // seconds since the epoch
  std::int64_t expiresAt = 0;  // seconds since the epoch
};

struct AuthContext {
  std::string orgId;
  std::string apiKeyId;
  std::vector<std::string> queues;  // empty or containing "*": every queue
  std::optional<int> rateLimit;     // the key's own requests per second, overriding the server's
  std::optional<AccessToken> token;

  // True when this key may touch queueName.
  bool allowsQueue(const std::string& queueName) const;
  // True when the key is not limited to some queues.
  bool allowsAllQueues() const;
};

}  // namespace spooled::server
