#pragma once
// The threads that run request handlers and the coroutines woken after a commit or a notify. Handlers
// never block on a commit or a long-poll, so a few threads (about one per core) serve every request.
#include <cstddef>
#include <functional>
#include <memory>

#include "common/executor.hpp"

namespace spooled::server {

class WorkerPool final : public Executor {
 public:
  explicit WorkerPool(std::size_t threads);
  ~WorkerPool() override;  // join()
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  void post(std::function<void()> fn) override;
  // Waits for the work already posted (and what it posts) to finish, then ends the threads.
  void join();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace spooled::server
