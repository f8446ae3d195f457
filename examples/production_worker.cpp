// Workers guide, "Full Production Example": an `emails` worker with validation, timestamps in its
// log lines and graceful shutdown. A job without `to` and `template` is dead-lettered at once;
// one with them completes with {"sent": true, "messageId": "msg_..."}.
// Reads SPOOLED_API_URL, SPOOLED_API_KEY and APP_ENV; exits 0 after SIGTERM or SIGINT.
#include <spooled/spooled.hpp>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <iomanip>
#include <iostream>
#include <random>
#include <sstream>
#include <thread>

using namespace std::chrono_literals;

namespace {

std::string now() {
  const std::time_t t = std::time(nullptr);
  std::tm local{};
  localtime_r(&t, &local);
  std::ostringstream out;
  out << std::put_time(&local, "%Y-%m-%d %H:%M:%S");
  return out.str();
}

// Stand-in for your mail provider: returns its message id.
std::string sendEmail(const std::string& to, const std::string& templateName, const spooled::json& data) {
  thread_local std::mt19937_64 random{std::random_device{}()};
  std::ostringstream id;
  id << "msg_" << std::hex << random();
  std::cout << "  " << templateName << " -> " << to << " " << data.dump() << std::endl;
  return id.str();
}

bool present(const spooled::json& payload, const char* key) {
  return payload.contains(key) && payload[key].is_string() && !payload[key].get<std::string>().empty();
}

}  // namespace

int main() try {
  // Initialize client (baseUrl from $SPOOLED_API_URL)
  const char* apiKey = std::getenv("SPOOLED_API_KEY");
  spooled::SpooledClient client(spooled::ClientOptions{.apiKey = apiKey != nullptr ? apiKey : ""});

  const char* appEnv = std::getenv("APP_ENV");

  // Create worker
  spooled::SpooledWorker worker(client, spooled::WorkerOptions{
                                            .queueName = "emails",
                                            .concurrency = 10,
                                            .leaseDuration = 60s,
                                            .heartbeatInterval = 20s,
                                            .shutdownTimeout = 30000ms,
                                            .hostname = "",  // this machine's
                                            .metadata = {{"version", "1.0.0"},
                                                         {"environment", appEnv != nullptr ? appEnv : "production"}},
                                        });

  // Setup event handlers
  worker.on("started", [](const spooled::WorkerEvent& e) {
    std::cout << "[" << now() << "] Worker started: " << e.workerId << std::endl;
  });
  worker.on("stopped", [](const spooled::WorkerEvent& e) {
    std::cout << "[" << now() << "] Worker stopped: " << e.reason << std::endl;
  });
  worker.on("job:completed", [](const spooled::WorkerEvent& e) {
    std::cout << "[" << now() << "] Completed: " << e.jobId << std::endl;
  });
  worker.on("job:failed", [](const spooled::WorkerEvent& e) {
    std::cout << "[" << now() << "] Failed: " << e.jobId << " - " << e.error << std::endl;
  });

  // Define job handler
  worker.process([](spooled::JobContext& ctx) -> spooled::json {
    const spooled::json& payload = ctx.payload;

    // Validate payload
    if (!present(payload, "to") || !present(payload, "template")) {
      throw spooled::NonRetryableError("Missing required fields: to, template");
    }

    // Send email
    const std::string messageId =
        sendEmail(payload["to"], payload["template"], payload.value("data", spooled::json::object()));

    return {{"sent", true}, {"messageId", messageId}};
  });

  // Setup signal handling: the watcher thread prints, then stops the worker.
  auto signals = spooled::stopOnSignals({&worker}, [](int signal) {
    std::cout << "\nReceived " << spooled::signalName(signal) << ", initiating graceful shutdown..." << std::endl;
  });

  // Start worker
  std::cout << "Starting email worker..." << std::endl;
  worker.start();

  // Main loop: runs until the shutdown has finished (isRunning() covers the drain).
  while (worker.isRunning()) {
    std::this_thread::sleep_for(100ms);
  }

  // Cleanup
  client.close();
  std::cout << "Worker terminated." << std::endl;
  return 0;
} catch (const std::exception& e) {
  std::cerr << "production_worker: " << e.what() << std::endl;
  return 1;
}
