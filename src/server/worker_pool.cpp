#include "server/worker_pool.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace spooled::server {

namespace asio = boost::asio;

struct WorkerPool::Impl {
  asio::io_context context;
  // Keeps the threads running while nothing is pending, e.g. when every request waits for a commit:
  // without it they would return, and the answers posted after the commit would never be written.
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> keepRunning{context.get_executor()};
  std::vector<std::thread> threads;
  std::mutex joinMutex;
};

WorkerPool::WorkerPool(std::size_t threads) : impl_(std::make_unique<Impl>()) {
  for (std::size_t i = 0; i < std::max<std::size_t>(1, threads); ++i)
    impl_->threads.emplace_back([this] { impl_->context.run(); });
}

WorkerPool::~WorkerPool() { join(); }

void WorkerPool::post(std::function<void()> fn) { asio::post(impl_->context, std::move(fn)); }

asio::io_context& WorkerPool::context() { return impl_->context; }

void WorkerPool::stop() { impl_->context.stop(); }

void WorkerPool::join() {
  std::lock_guard lock(impl_->joinMutex);
  impl_->keepRunning.reset();
  for (auto& t : impl_->threads) t.join();
  impl_->threads.clear();
}

}  // namespace spooled::server
