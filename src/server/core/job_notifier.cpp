#include "server/core/job_notifier.hpp"

namespace spooled::server {

namespace {
std::string queueKey(const std::string& orgId, const std::string& queueName) { return orgId + '\n' + queueName; }
}  // namespace

void JobNotifier::notify(const std::string& orgId, const std::string& queueName) {
  {
    std::lock_guard lock(mutex_);
    ++generation_[queueKey(orgId, queueName)];
  }
  cv_.notify_all();
}

void JobNotifier::notifyAll() {
  {
    std::lock_guard lock(mutex_);
    ++globalGeneration_;
  }
  cv_.notify_all();
}

JobNotifier::Ticket JobNotifier::ticket(const std::string& orgId, const std::string& queueName) {
  std::lock_guard lock(mutex_);
  const auto it = generation_.find(queueKey(orgId, queueName));
  return Ticket{it == generation_.end() ? 0 : it->second, globalGeneration_};
}

bool JobNotifier::waitFor(const std::string& orgId, const std::string& queueName, Ticket since,
                          std::chrono::milliseconds timeout) {
  const std::string key = queueKey(orgId, queueName);
  std::unique_lock lock(mutex_);
  return cv_.wait_for(lock, timeout, [&] {
    const auto it = generation_.find(key);
    const std::uint64_t current = it == generation_.end() ? 0 : it->second;
    return current != since.queueGeneration || globalGeneration_ != since.globalGeneration;
  });
}

}  // namespace spooled::server
