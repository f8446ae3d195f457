#include "server/core/schedule_runner.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace spooled::server {

namespace {

using std::chrono::milliseconds;

constexpr milliseconds kLongestSleep{1000};  // how soon a schedule made on another server is seen
constexpr milliseconds kBusyRetry{5};        // a due schedule another transaction holds: look again soon

}  // namespace

ScheduleRunner::ScheduleRunner(Store& store, JobEngine& jobs) : store_(store), jobs_(jobs), service_(store, jobs) {}

ScheduleRunner::~ScheduleRunner() { stop(); }

void ScheduleRunner::start() { thread_ = std::thread([this] { run(); }); }

void ScheduleRunner::stop() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wakeup_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ScheduleRunner::wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  wakeup_.notify_all();
}

milliseconds ScheduleRunner::fireAndPlan() {
  ClusterSignals* cluster = store_.cluster();
  if (cluster && !cluster->holdsDuties()) return kLongestSleep;
  try {
    const int fired = syncWait(service_.fireDue());
    const auto earliest = store_.readResult([](StoreReader& r) { return r.earliestScheduledRun(); });
    if (!earliest) return kLongestSleep;
    const auto until = std::chrono::duration_cast<milliseconds>(*earliest - jobs_.now()());
    // Due already: more than one batch (go on at once), or held by another transaction (look again soon).
    if (until <= milliseconds(0)) return fired > 0 ? milliseconds(0) : kBusyRetry;
    return std::min(until, kLongestSleep);
  } catch (const std::exception& e) {
    spdlog::error("cron schedules: firing failed: {}", e.what());
    return kLongestSleep;
  }
}

void ScheduleRunner::run() {
  std::unique_lock lock(mutex_);
  while (!stop_) {
    lock.unlock();
    const milliseconds sleep = fireAndPlan();
    lock.lock();
    wakeup_.wait_for(lock, sleep, [this] { return stop_ || woken_; });
    woken_ = false;
  }
}

}  // namespace spooled::server
