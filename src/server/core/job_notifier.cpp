#include "server/core/job_notifier.hpp"

#include <algorithm>
#include <vector>

namespace spooled::server {

namespace {
std::string queueKey(const std::string& orgId, const std::string& queueName) { return orgId + '\n' + queueName; }
}  // namespace

JobNotifier::JobNotifier(Executor* resumeOn, std::chrono::milliseconds probeInterval)
    : resumeOn_(resumeOn), probeInterval_(probeInterval), timer_([this] { timerLoop(); }) {}

JobNotifier::~JobNotifier() {
  notifyAll();
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  timerWake_.notify_all();
  timer_.join();
}

void JobNotifier::notify(const std::string& orgId, const std::string& queueName, std::size_t readyJobs) {
  wakeLocal(orgId, queueName, readyJobs);
  if (relay_) relay_(orgId, queueName, readyJobs);
}

void JobNotifier::notifyFromPeer(const std::string& orgId, const std::string& queueName, std::size_t readyJobs) {
  wakeLocal(orgId, queueName, readyJobs);
}

void JobNotifier::wakeLocal(const std::string& orgId, const std::string& queueName, std::size_t readyJobs) {
  const std::string key = queueKey(orgId, queueName);
  Woken woken;
  {
    std::lock_guard lock(mutex_);
    ++generation_[key];
    const auto it = waiters_.find(key);
    if (it == waiters_.end()) return;
    const std::size_t count = std::min(readyJobs, it->second.size());
    for (std::size_t i = 0; i < count; ++i) woken.push_back(unpark(it->second.front(), WakeReason::Notified));
  }
  resumeAll(woken);
}

void JobNotifier::notifyAll() {
  Woken woken;
  {
    std::lock_guard lock(mutex_);
    ++globalGeneration_;
    closed_ = true;
    while (!timeouts_.empty()) woken.push_back(unpark(timeouts_.begin()->second, WakeReason::Notified));
  }
  resumeAll(woken);
}

void JobNotifier::resumeAll(const Woken& woken) const {
  for (std::coroutine_handle<> handle : woken) resumeOn(resumeOn_, handle);
}

JobNotifier::Ticket JobNotifier::ticket(const std::string& orgId, const std::string& queueName) {
  std::lock_guard lock(mutex_);
  const auto it = generation_.find(queueKey(orgId, queueName));
  return Ticket{it == generation_.end() ? 0 : it->second, globalGeneration_};
}

JobNotifier::Wait JobNotifier::wait(const std::string& orgId, const std::string& queueName, Ticket since,
                                    std::chrono::milliseconds timeout) {
  return Wait(*this, queueKey(orgId, queueName), since, std::chrono::steady_clock::now() + timeout);
}

std::size_t JobNotifier::parkedCount() const {
  std::lock_guard lock(mutex_);
  return parked_;
}

bool JobNotifier::changedSince(const std::string& key, Ticket since) const {
  if (closed_ || globalGeneration_ != since.globalGeneration) return true;
  const auto it = generation_.find(key);
  return (it == generation_.end() ? 0 : it->second) != since.queueGeneration;
}

std::coroutine_handle<> JobNotifier::unpark(Wait* waiter, WakeReason reason) {
  auto list = waiters_.find(waiter->key_);
  list->second.erase(waiter->position_);
  if (list->second.empty()) waiters_.erase(list);
  timeouts_.erase(waiter->timeoutEntry_);
  --parked_;
  waiter->reason_ = reason;
  return waiter->handle_;
}

bool JobNotifier::Wait::await_ready() {
  std::lock_guard lock(notifier_.mutex_);
  if (notifier_.changedSince(key_, since_)) return true;
  if (deadline_ <= std::chrono::steady_clock::now()) {
    reason_ = WakeReason::Timeout;
    return true;
  }
  return false;
}

void JobNotifier::Wait::await_suspend(std::coroutine_handle<> handle) {
  bool wakeTimer = false;
  {
    std::unique_lock lock(notifier_.mutex_);
    handle_ = handle;
    if (notifier_.changedSince(key_, since_)) {  // changed between await_ready and now
      reason_ = WakeReason::Notified;
      lock.unlock();
      resumeOn(notifier_.resumeOn_, handle);
      return;
    }
    auto& list = notifier_.waiters_[key_];
    position_ = list.insert(list.end(), this);
    timeoutEntry_ = notifier_.timeouts_.emplace(deadline_, this);
    wakeTimer = timeoutEntry_ == notifier_.timeouts_.begin();
    ++notifier_.parked_;
  }
  if (wakeTimer) notifier_.timerWake_.notify_one();  // a new earliest deadline
}

void JobNotifier::timerLoop() {
  auto nextProbe = std::chrono::steady_clock::now() + probeInterval_;
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    const auto until = timeouts_.empty() ? nextProbe : std::min(nextProbe, timeouts_.begin()->first);
    timerWake_.wait_until(lock, until);
    const auto now = std::chrono::steady_clock::now();
    Woken woken;
    while (!timeouts_.empty() && timeouts_.begin()->first <= now)
      woken.push_back(unpark(timeouts_.begin()->second, WakeReason::Timeout));
    if (now >= nextProbe) {
      std::vector<Wait*> probes;
      for (auto& [key, list] : waiters_) probes.push_back(list.front());
      for (Wait* probe : probes) woken.push_back(unpark(probe, WakeReason::Probe));
      nextProbe = now + probeInterval_;
    }
    lock.unlock();
    resumeAll(woken);
    lock.lock();
  }
}

}  // namespace spooled::server
