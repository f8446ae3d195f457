// Workers guide, "Basic Worker": process the `emails` queue, up to ten jobs at a time.
// Reads SPOOLED_API_URL and SPOOLED_API_KEY; SIGTERM or SIGINT stops it gracefully (exit 0).
#include <spooled/spooled.hpp>

#include <iostream>

namespace {

// Stand-in for your mail code.
void sendEmail(const spooled::json& payload) { std::cout << "  sending " << payload.dump() << std::endl; }

}  // namespace

int main() try {
  spooled::SpooledClient client;  // apiKey from $SPOOLED_API_KEY, baseUrl from $SPOOLED_API_URL
  spooled::SpooledWorker worker(client, spooled::WorkerOptions{.queueName = "emails", .concurrency = 10});

  worker.process([](spooled::JobContext& ctx) -> spooled::json {
    std::cout << "Processing job " << ctx.jobId << std::endl;
    sendEmail(ctx.payload);
    return {{"sent", true}};
  });

  auto signals = spooled::stopOnSignals({&worker});  // SIGTERM / SIGINT -> worker.stop()
  worker.run();                                      // blocks until the worker has stopped
  return 0;
} catch (const std::exception& e) {
  std::cerr << "basic_worker: " << e.what() << std::endl;
  return 1;
}
