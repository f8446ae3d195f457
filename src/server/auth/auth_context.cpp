#include "server/auth/auth_context.hpp"

#include <algorithm>

namespace spooled::server {

bool AuthContext::allowsQueue(const std::string& queueName) const {
  if (queues.empty()) return true;
  return std::any_of(queues.begin(), queues.end(),
                     [&](const std::string& q) { return q == "*" || q == queueName; });
}

}  // namespace spooled::server
