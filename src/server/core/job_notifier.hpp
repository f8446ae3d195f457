#pragma once
// Wakes claimers that wait (long-poll) for jobs on a queue. Thread-safe.
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>

namespace spooled::server {

class JobNotifier {
 public:
  // Called after a commit that made jobs ready on (orgId, queueName).
  void notify(const std::string& orgId, const std::string& queueName);
  // Blocks until notify() for this queue, or until timeout; returns true when notified.
  bool waitFor(const std::string& orgId, const std::string& queueName, std::chrono::milliseconds timeout);
  // Wakes every waiter (server shutdown).
  void notifyAll();

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::map<std::string, unsigned long long> generation_;  // key: orgId + '\n' + queueName
  unsigned long long globalGeneration_ = 0;
};

}  // namespace spooled::server
