// Workers guide, "Event Handlers": subscribe to every worker and job event. Processes `emails`.
// Reads SPOOLED_API_URL and SPOOLED_API_KEY; SIGTERM/SIGINT stop it (exit 0).
#include <spooled/spooled.hpp>

#include <iostream>

int main() try {
  spooled::SpooledClient client;
  spooled::SpooledWorker worker(client, spooled::WorkerOptions{.queueName = "emails"});

  // Worker lifecycle
  worker.on("started", [](const spooled::WorkerEvent& e) {
    std::cout << "Worker " << e.workerId << " started on " << e.queueName << std::endl;
  });
  worker.on("stopped", [](const spooled::WorkerEvent& e) { std::cout << "Worker stopped: " << e.reason << std::endl; });
  worker.on("error", [](const spooled::WorkerEvent& e) { std::cout << "Worker error: " << e.error << std::endl; });

  // Job lifecycle
  worker.on("job:claimed", [](const spooled::WorkerEvent& e) { std::cout << "Claimed job " << e.jobId << std::endl; });
  worker.on("job:started", [](const spooled::WorkerEvent& e) {
    std::cout << "Started processing " << e.jobId << std::endl;
  });
  worker.on("job:completed", [](const spooled::WorkerEvent& e) {
    std::cout << "Completed " << e.jobId << ": " << e.result.dump() << std::endl;
  });
  const spooled::SubscriptionId failed = worker.on("job:failed", [](const spooled::WorkerEvent& e) {
    std::cout << "Failed " << e.jobId << ": " << e.error << std::endl;
    if (e.willRetry) std::cout << "Will retry" << std::endl;
  });
  (void)failed;  // worker.off(failed) would unsubscribe

  worker.process([](spooled::JobContext& ctx) -> spooled::json {
    if (ctx.payload.value("fail", false)) throw std::runtime_error("asked to fail");
    return {{"done", true}};
  });

  auto signals = spooled::stopOnSignals({&worker});
  worker.run();
  return 0;
} catch (const std::exception& e) {
  std::cerr << "events: " << e.what() << std::endl;
  return 1;
}
