#pragma once
// Who is calling: the organization and API key behind a request. Every store call a handler makes is
// scoped by orgId, so one organization never sees another's data.
#include <string>
#include <vector>

namespace spooled::server {

struct AuthContext {
  std::string orgId;
  std::string apiKeyId;
  std::vector<std::string> queues;  // empty or containing "*": every queue

  // True when this key may touch queueName.
  bool allowsQueue(const std::string& queueName) const;
};

}  // namespace spooled::server
