// Workers guide, "Job Context": what a handler can read and do. Processes `emails` jobs whose
// payload may carry an `items` array, reporting progress per item.
// Reads SPOOLED_API_URL and SPOOLED_API_KEY; SIGTERM/SIGINT stop it (exit 0).
#include <spooled/spooled.hpp>

#include <iostream>

namespace {

// Stand-in for real work on one item.
void processItem(const spooled::json& item) { std::cout << "  item " << item.dump() << std::endl; }

}  // namespace

int main() try {
  spooled::SpooledClient client;
  spooled::SpooledWorker worker(client, spooled::WorkerOptions{.queueName = "emails"});

  worker.process([](spooled::JobContext& ctx) -> spooled::json {
    // Available context fields:
    //   ctx.jobId       unique job id (std::string)
    //   ctx.queueName   queue name (std::string)
    //   ctx.payload     your data (spooled::json)
    //   ctx.retryCount  failed attempts before this one (int, 0 on the first run)
    //   ctx.maxRetries  retries allowed (int)
    //   ctx.workerId    this worker's id (std::string)
    // and functions: ctx.progress(percent, message), ctx.isCancelled()
    std::cout << "Starting job " << ctx.jobId << " (worker " << ctx.workerId << ")" << std::endl;

    if (ctx.retryCount > 0) {
      std::cout << "Retry attempt " << ctx.retryCount << "/" << ctx.maxRetries << std::endl;
    }

    const spooled::json items = ctx.payload.value("items", spooled::json::array());
    const std::size_t total = items.size();
    for (std::size_t i = 0; i < total; ++i) {
      if (ctx.isCancelled()) break;  // lease lost or cancelled: the result would be discarded anyway
      processItem(items[i]);
      ctx.progress(static_cast<double>(i + 1) / static_cast<double>(total) * 100.0,
                   "Processed item " + std::to_string(i + 1));
    }

    return {{"processedItems", total}};
  });

  auto signals = spooled::stopOnSignals({&worker});
  worker.run();
  return 0;
} catch (const std::exception& e) {
  std::cerr << "job_context: " << e.what() << std::endl;
  return 1;
}
