// Workers guide, "Multiple Workers": one process, one client, a worker per queue (`emails` and
// `reports`), started one after the other and stopped together on SIGTERM/SIGINT (exit 0).
// Reads SPOOLED_API_URL and SPOOLED_API_KEY.
#include <spooled/spooled.hpp>

#include <iostream>
#include <thread>

using namespace std::chrono_literals;

namespace {

spooled::json sendEmail(const spooled::json& payload) { return {{"sent", true}, {"to", payload.value("to", "")}}; }

spooled::json generateReport(const spooled::json& payload) {
  return {{"report", payload.value("name", "daily")}, {"rows", 42}};
}

}  // namespace

int main() try {
  spooled::SpooledClient client;  // one client serves both workers

  spooled::SpooledWorker emailWorker(client, spooled::WorkerOptions{.queueName = "emails", .concurrency = 10});
  spooled::SpooledWorker reportWorker(client, spooled::WorkerOptions{
                                                  .queueName = "reports",
                                                  .concurrency = 2,  // reports are CPU-intensive
                                              });

  emailWorker.process([](spooled::JobContext& ctx) { return sendEmail(ctx.payload); });
  reportWorker.process([](spooled::JobContext& ctx) { return generateReport(ctx.payload); });

  // Handle shutdown for all: one signal stops both.
  auto signals = spooled::stopOnSignals({&emailWorker, &reportWorker});

  // start() returns once the worker is registered, so both run side by side.
  emailWorker.start();
  reportWorker.start();
  std::cout << "Workers " << emailWorker.getWorkerId().value_or("?") << " (emails) and "
            << reportWorker.getWorkerId().value_or("?") << " (reports) started" << std::endl;

  // Main loop
  while (emailWorker.isRunning() || reportWorker.isRunning()) {
    std::this_thread::sleep_for(100ms);
  }
  return 0;
} catch (const std::exception& e) {
  std::cerr << "multiple_workers: " << e.what() << std::endl;
  return 1;
}
