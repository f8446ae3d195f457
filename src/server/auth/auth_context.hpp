#pragma once
// Who is calling: the organization and API key behind a request, whether it came as the key itself or
// as a JWT issued for it. Every store call a handler makes is scoped by orgId, so one organization
// never sees another's data.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace spooled::server {

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
