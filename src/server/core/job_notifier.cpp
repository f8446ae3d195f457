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

bool JobNotifier::waitFor(const std::string& orgId, const std::string& queueName, std::chrono::milliseconds timeout) {
  const std::string key = queueKey(orgId, queueName);
  std::unique_lock lock(mutex_);
  const auto startQueue = generation_[key];
  const auto startGlobal = globalGeneration_;
  return cv_.wait_for(lock, timeout, [&] {
    return generation_[key] != startQueue || globalGeneration_ != startGlobal;
  });
}

}  // namespace spooled::server
