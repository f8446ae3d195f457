#pragma once
// ThreadPool: a fixed set of threads that run submitted tasks in order. The worker claims no more
// jobs than it has free slots, so the queue stays short; the pool never drops a task.
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace spooled::detail {

class ThreadPool {
 public:
  // Starts `threads` threads (at least one).
  explicit ThreadPool(int threads);
  // join().
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  // Queues a task. A task must not throw (the runtime catches everything inside its tasks).
  // Throws std::logic_error after join() has begun.
  void submit(std::function<void()> task);
  // Runs every queued task, then stops and joins the threads. Idempotent; not from a pool thread.
  void join();

 private:
  void runThread();

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> tasks_;  // guarded by mutex_
  bool closing_ = false;                     // guarded by mutex_
  std::vector<std::thread> threads_;
};

}  // namespace spooled::detail
