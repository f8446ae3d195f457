#pragma once
// The server's threads: they read and write connections AND run request handlers and the coroutines
// woken after a commit or a notify. One pool for both, so a request crosses no thread between its
// bytes arriving and its handler running, and a handler woken by a commit writes its answer on the
// thread that woke it. Handlers never block on a commit or a long-poll, so a few threads (about one per
// core) serve every request.
#include <boost/asio/io_context.hpp>
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
  // Where sockets and timers of the HTTP server live.
  boost::asio::io_context& context();
  // Abandons what is queued and ends the threads soon (a drain that timed out).
  void stop();
  // Waits for the work already posted (and what it posts) to finish, then ends the threads. Every
  // socket must be closed first: a pending read is work too.
  void join();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace spooled::server
