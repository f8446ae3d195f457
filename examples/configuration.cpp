// Workers guide, "Configuration Options": every WorkerOptions field, with its default noted.
// Processes `my-queue`. Reads SPOOLED_API_URL and SPOOLED_API_KEY; SIGTERM/SIGINT stop it (exit 0).
#include <spooled/spooled.hpp>

#include <cstdlib>
#include <iostream>

using namespace std::chrono_literals;

int main() try {
  spooled::SpooledClient client;

  spooled::SpooledWorker worker(client, spooled::WorkerOptions{
      // Required
      .queueName = "my-queue",
      // Concurrency
      .concurrency = 10,  // max parallel jobs (default: 5)
      // Polling
      .pollInterval = 1000ms,  // wait between claims while the queue is empty (default: 1000 ms)
      .longPoll = true,         // long-poll claims on our server (wait_ms); false: official API only
      // Lease management
      .leaseDuration = 30s,      // lease per claim and per renewal (default: 30 s)
      .heartbeatInterval = 10s,  // renew leases / worker heartbeat every N (default: 10 s)
      // Lifecycle
      .shutdownTimeout = 30000ms,  // max wait for running jobs on stop() (default: 30000 ms)
      // Identification
      .hostname = "",        // empty: this machine's gethostname()
      .workerType = "cpp",   // worker type identifier (default: "cpp")
      .version = "1.0.0",    // your application's version (default: the SDK's)
      .metadata = {{"env", "production"}, {"region", "us-east-1"}},
  });

  // The same options from JSON (e.g. a config file), with the guide's camelCase keys:
  const auto fromFile = spooled::WorkerOptions::fromJson(
      spooled::json::parse(R"({"queueName": "my-queue", "concurrency": 10, "leaseDuration": 30})"));
  std::cout << "fromJson: queue " << fromFile.queueName << ", concurrency " << fromFile.concurrency << std::endl;

  const spooled::WorkerOptions& options = worker.options();  // validated, defaults filled in
  std::cout << "Worker for " << options.queueName << " on " << options.hostname << ": concurrency "
            << options.concurrency << ", lease " << options.leaseDuration.count() << " s, heartbeat every "
            << options.heartbeatInterval.count() << " ms" << std::endl;

  worker.process([](spooled::JobContext& ctx) -> spooled::json { return {{"queue", ctx.queueName}}; });

  auto signals = spooled::stopOnSignals({&worker});
  worker.run();
  return 0;
} catch (const std::exception& e) {
  std::cerr << "configuration: " << e.what() << std::endl;
  return 1;
}
