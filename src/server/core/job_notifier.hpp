#pragma once
// Wakes claimers that wait (long-poll) for jobs on a queue. Thread-safe.
//
// A waiter takes a ticket BEFORE it looks for jobs, then waits for a change since that ticket, so a
// job created between "found nothing" and "start waiting" still wakes it.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace spooled::server {

class JobNotifier {
 public:
  struct Ticket {
    std::uint64_t queueGeneration = 0;
    std::uint64_t globalGeneration = 0;
  };

  // Called after a commit that made jobs ready on (orgId, queueName).
  void notify(const std::string& orgId, const std::string& queueName);
  // Wakes every waiter (server shutdown).
  void notifyAll();

  // The current state of (orgId, queueName), to wait on later.
  Ticket ticket(const std::string& orgId, const std::string& queueName);
  // Blocks until notify() for this queue (or notifyAll()) happened after `since` was taken, or until
  // timeout. Returns true when notified.
  bool waitFor(const std::string& orgId, const std::string& queueName, Ticket since,
               std::chrono::milliseconds timeout);

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::map<std::string, std::uint64_t> generation_;  // key: orgId + '\n' + queueName
  std::uint64_t globalGeneration_ = 0;
};

}  // namespace spooled::server
