#include "server/auth/auth_context.hpp"

#include <algorithm>

namespace spooled::server {

bool AuthContext::allowsQueue(const std::string& queueName) const {
  if (queues.empty()) return true;
  return std::any_of(queues.begin(), queues.end(),
                     [&](const std::string& q) { return q == "*" || q == queueName; });
}

bool AuthContext::allowsAllQueues() const {
  return queues.empty() || std::find(queues.begin(), queues.end(), "*") != queues.end();
}

}  // namespace spooled::server
