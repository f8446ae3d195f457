#include "bulk_loader.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "spooled/client.hpp"
#include "worker_fleet.hpp"

namespace spooled::bench {

double bulkEnqueue(const std::vector<std::string>& urls, const std::string& apiKey, const BulkLoad& load) {
  if (load.batchSize < 1 || load.batchSize > 1000) throw std::invalid_argument("the batch size must be 1-1000");
  if (urls.empty()) throw std::invalid_argument("no server to enqueue on");
  std::vector<std::unique_ptr<SpooledClient>> clients;
  for (const auto& url : urls) clients.push_back(std::make_unique<SpooledClient>(benchClientOptions(url, apiKey)));
  const long long batches = (load.jobs + load.batchSize - 1) / load.batchSize;
  std::atomic<long long> nextBatch{0};
  std::mutex errorMutex;
  std::exception_ptr firstError;
  auto sender = [&](SpooledClient& client) {
    try {
      for (long long batch = nextBatch++; batch < batches; batch = nextBatch++) {
        BulkEnqueueParams params;
        params.queueName = load.queueName;
        const long long first = batch * load.batchSize;
        params.jobs.resize(static_cast<std::size_t>(std::min<long long>(load.batchSize, load.jobs - first)));
        const BulkEnqueueResult result = client.jobs().bulkEnqueue(params);
        if (result.failureCount > 0) {
          throw std::runtime_error("the server refused " + std::to_string(result.failureCount) +
                                   " job(s) of a batch: " + result.failed.front().error);
        }
      }
    } catch (...) {
      nextBatch = batches;  // the others stop too
      const std::lock_guard lock(errorMutex);
      if (!firstError) firstError = std::current_exception();
    }
  };
  const auto started = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int i = 0; i < std::max(1, load.threads); ++i)
    threads.emplace_back(sender, std::ref(*clients[static_cast<std::size_t>(i) % clients.size()]));
  for (auto& thread : threads) thread.join();
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - started;
  if (firstError) std::rethrow_exception(firstError);
  return elapsed.count();
}

}  // namespace spooled::bench
