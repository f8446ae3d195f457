#pragma once
// The duty that fires cron schedules: one thread that sleeps until the earliest next run of any
// schedule (at most a second, so schedules created on other servers are seen), fires what is due
// through ScheduleService::fireDue, and plans again. On a shared PostgreSQL database only the server
// holding the cluster's duties (ClusterSignals::holdsDuties) fires; the compare-and-set in each run's
// transaction keeps a run single even if two ever overlapped.
#include <condition_variable>
#include <mutex>
#include <thread>

#include "server/core/schedule_service.hpp"

namespace spooled::server {

class ScheduleRunner {
 public:
  ScheduleRunner(Store& store, JobEngine& jobs);
  ~ScheduleRunner();  // stop()
  ScheduleRunner(const ScheduleRunner&) = delete;
  ScheduleRunner& operator=(const ScheduleRunner&) = delete;

  void start();
  void stop();  // idempotent; waits for a firing in progress to commit
  // Re-plans at once (a schedule was created, changed or resumed). Thread-safe; never blocks.
  void wake();

 private:
  void run();
  // One round: fire what is due, then how long to sleep.
  std::chrono::milliseconds fireAndPlan();

  Store& store_;
  JobEngine& jobs_;
  ScheduleService service_;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable wakeup_;
  bool stop_ = false;   // guarded by mutex_
  bool woken_ = false;  // guarded by mutex_
};

}  // namespace spooled::server
