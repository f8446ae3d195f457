#pragma once
// Wakes claimers that wait (long-poll) for jobs on a queue. Thread-safe.
//
// A waiting claim is a suspended coroutine, not a thread: it costs its frame and one entry here, so
// ten thousand idle workers cost megabytes. A waiter takes a ticket BEFORE it looks for jobs, then
// waits for a change since that ticket, so a job created between "found nothing" and "start waiting"
// still wakes it.
//
// Jobs that become due by the clock (scheduled_at, retry backoff) announce nothing, so once per
// `probeInterval` the notifier also wakes the longest-waiting claim of each queue that has waiters:
// one probe per queue, not one per waiter. A probe that finds jobs calls notify() to wake the rest.
#include <chrono>
#include <condition_variable>
#include <coroutine>
#include <cstdint>
#include <functional>
#include <limits>
#include <list>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "common/executor.hpp"

namespace spooled::server {

class JobNotifier {
 public:
  struct Ticket {
    std::uint64_t queueGeneration = 0;
    std::uint64_t globalGeneration = 0;
  };

  // Woken waiters continue on `resumeOn` (nullptr: on the thread that woke them, for unit tests).
  explicit JobNotifier(Executor* resumeOn = nullptr,
                       std::chrono::milliseconds probeInterval = std::chrono::milliseconds(1000));
  // Wakes every waiter still parked.
  ~JobNotifier();
  JobNotifier(const JobNotifier&) = delete;
  JobNotifier& operator=(const JobNotifier&) = delete;

  // Called after a commit that made jobs ready on (orgId, queueName). Wakes at most `readyJobs` waiters
  // (oldest first) — each claims at least one job, so waking more would only make them race for the
  // same rows. A woken claim that fills its whole batch calls notify again for whatever is left.
  void notify(const std::string& orgId, const std::string& queueName,
              std::size_t readyJobs = std::numeric_limits<std::size_t>::max());
  // Several servers on one database: `relay` hears every notify() (not notifyFromPeer), to tell the
  // other processes; their messages come back through notifyFromPeer, which wakes local waiters only.
  // Set before the notifier is shared between threads.
  using Relay = std::function<void(const std::string& orgId, const std::string& queueName, std::size_t readyJobs)>;
  void setRelay(Relay relay) { relay_ = std::move(relay); }
  void notifyFromPeer(const std::string& orgId, const std::string& queueName, std::size_t readyJobs);
  // Wakes every waiter, now and later (server shutdown): waits started afterwards end at once.
  void notifyAll();

  // The current state of (orgId, queueName), to wait on later.
  Ticket ticket(const std::string& orgId, const std::string& queueName);

  enum class WakeReason { Notified, Probe, Timeout };

  // `co_await notifier.wait(...)`: suspends until notify() for this queue (or notifyAll()) happened
  // after `since` was taken, this waiter is picked as the queue's probe, or `timeout` passes.
  class Wait {
   public:
    bool await_ready();
    void await_suspend(std::coroutine_handle<> handle);
    WakeReason await_resume() const { return reason_; }

   private:
    friend class JobNotifier;
    Wait(JobNotifier& notifier, std::string key, Ticket since, std::chrono::steady_clock::time_point deadline)
        : notifier_(notifier), key_(std::move(key)), since_(since), deadline_(deadline) {}

    JobNotifier& notifier_;
    std::string key_;
    Ticket since_;
    std::chrono::steady_clock::time_point deadline_;
    std::coroutine_handle<> handle_;
    WakeReason reason_ = WakeReason::Notified;
    std::list<Wait*>::iterator position_;  // in the queue's waiter list while parked
    std::multimap<std::chrono::steady_clock::time_point, Wait*>::iterator timeoutEntry_;
  };
  Wait wait(const std::string& orgId, const std::string& queueName, Ticket since, std::chrono::milliseconds timeout);

  // Claims parked right now. For metrics and tests.
  std::size_t parkedCount() const;

 private:
  bool changedSince(const std::string& key, Ticket since) const;  // mutex_ held
  void wakeLocal(const std::string& orgId, const std::string& queueName, std::size_t readyJobs);
  using Woken = std::vector<std::coroutine_handle<>>;
  // Takes a waiter out of both indexes and returns its coroutine, to resume once mutex_ is released
  // (a resumed waiter may call back into the notifier). mutex_ held.
  std::coroutine_handle<> unpark(Wait* waiter, WakeReason reason);
  void resumeAll(const Woken& woken) const;
  void timerLoop();

  Executor* resumeOn_;
  Relay relay_;
  const std::chrono::milliseconds probeInterval_;
  mutable std::mutex mutex_;
  std::condition_variable timerWake_;
  std::unordered_map<std::string, std::uint64_t> generation_;  // key: orgId + '\n' + queueName
  std::uint64_t globalGeneration_ = 0;
  std::unordered_map<std::string, std::list<Wait*>> waiters_;  // oldest first
  std::multimap<std::chrono::steady_clock::time_point, Wait*> timeouts_;
  std::size_t parked_ = 0;
  bool closed_ = false;  // after notifyAll(): no wait parks any more
  bool stopping_ = false;
  std::thread timer_;  // last: starts after everything it uses exists
};

}  // namespace spooled::server
