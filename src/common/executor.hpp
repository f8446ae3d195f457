#pragma once
// Where a suspended request continues. Code that wakes coroutines (the store's writer thread after a
// commit, the job notifier after a notify) hands them to an Executor instead of resuming them itself,
// so the writer goes straight back to committing and a woken request runs on a worker thread.
#include <coroutine>
#include <functional>

namespace spooled {

class Executor {
 public:
  virtual ~Executor() = default;
  // Runs fn soon on one of the executor's threads. Thread-safe; must not run fn before returning.
  virtual void post(std::function<void()> fn) = 0;
};

// Resumes `handle` through `executor`, or on the calling thread when there is none (unit tests).
inline void resumeOn(Executor* executor, std::coroutine_handle<> handle) {
  if (executor != nullptr)
    executor->post([handle] { handle.resume(); });
  else
    handle.resume();
}

}  // namespace spooled
