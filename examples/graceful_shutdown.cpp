// Workers guide, "Graceful Shutdown": on SIGTERM or SIGINT, stop claiming, let running jobs finish
// (up to shutdownTimeout), then exit 0. Processes `emails`.
// Reads SPOOLED_API_URL and SPOOLED_API_KEY.
#include <spooled/spooled.hpp>

#include <iostream>
#include <thread>

using namespace std::chrono_literals;

int main() try {
  spooled::SpooledClient client;
  spooled::SpooledWorker worker(client, spooled::WorkerOptions{
                                            .queueName = "emails",
                                            .shutdownTimeout = 30000ms,  // wait up to 30 seconds
                                        });

  worker.process([](spooled::JobContext& ctx) -> spooled::json {
    // Your job processing logic. A long job can sleep in small steps and give up early when
    // shutdown has given up on it: ctx.waitCancelled() wakes as soon as that happens.
    const auto seconds = ctx.payload.value("seconds", 0);
    if (seconds > 0 && ctx.waitCancelled(std::chrono::seconds(seconds))) return nullptr;
    return {{"done", true}};
  });

  // The signal handler only wakes a watcher thread; the watcher prints and calls worker.stop().
  auto signals = spooled::stopOnSignals({&worker}, [](int signal) {
    std::cout << "Received " << spooled::signalName(signal) << ", shutting down..." << std::endl;
  });

  worker.start();
  // isRunning() stays true while running jobs drain, so this loop ends after the shutdown.
  while (worker.isRunning()) {
    std::this_thread::sleep_for(100ms);
  }

  std::cout << "Worker stopped gracefully" << std::endl;
  return 0;
} catch (const std::exception& e) {
  std::cerr << "graceful_shutdown: " << e.what() << std::endl;
  return 1;
}
