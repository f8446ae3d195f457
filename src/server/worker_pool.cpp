#include "server/worker_pool.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

namespace spooled::server {

struct WorkerPool::Impl {
  explicit Impl(std::size_t threads) : pool(threads) {}
  boost::asio::thread_pool pool;
};

WorkerPool::WorkerPool(std::size_t threads) : impl_(std::make_unique<Impl>(threads == 0 ? 1 : threads)) {}

WorkerPool::~WorkerPool() { join(); }

void WorkerPool::post(std::function<void()> fn) { boost::asio::post(impl_->pool, std::move(fn)); }

void WorkerPool::join() { impl_->pool.join(); }

}  // namespace spooled::server
