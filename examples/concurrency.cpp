// Workers guide, "Concurrency Patterns": few handlers for CPU-bound work (`image-processing`),
// many for I/O-bound work (`api-calls`). Reads SPOOLED_API_URL and SPOOLED_API_KEY;
// SIGTERM/SIGINT stop both workers (exit 0).
#include <spooled/spooled.hpp>

#include <algorithm>
#include <iostream>
#include <thread>

using namespace std::chrono_literals;

namespace {

// Stand-in for image work: burns CPU for a moment.
spooled::json resizeImage(const spooled::json& payload) {
  unsigned long checksum = 0;
  for (unsigned long i = 0; i < 5'000'000; ++i) checksum = checksum * 31 + i;
  return {{"image", payload.value("image", "")}, {"checksum", checksum % 1000}};
}

// Stand-in for a slow HTTP call: mostly waiting.
spooled::json callApi(spooled::JobContext& ctx) {
  ctx.waitCancelled(200ms);
  return {{"status", 200}, {"url", ctx.payload.value("url", "")}};
}

}  // namespace

int main() try {
  spooled::SpooledClient client;

  // CPU-bound: about one handler per spare core, e.g. the machine's cores minus two (at least 1).
  const int cores = static_cast<int>(std::thread::hardware_concurrency());
  std::cout << "This machine has " << cores << " cores; the guide's value for image work is 2" << std::endl;
  spooled::SpooledWorker imageWorker(client, spooled::WorkerOptions{
                                                 .queueName = "image-processing",
                                                 .concurrency = 2,  // match CPU cores - 2
                                             });

  // I/O-bound: handlers mostly wait, so many can run at once.
  spooled::SpooledWorker apiWorker(client, spooled::WorkerOptions{
                                               .queueName = "api-calls",
                                               .concurrency = 50,  // many parallel I/O operations
                                           });

  imageWorker.process([](spooled::JobContext& ctx) { return resizeImage(ctx.payload); });
  apiWorker.process([](spooled::JobContext& ctx) { return callApi(ctx); });

  auto signals = spooled::stopOnSignals({&imageWorker, &apiWorker});
  imageWorker.start();
  apiWorker.start();
  imageWorker.wait();  // returns once a signal stopped it
  apiWorker.wait();
  return 0;
} catch (const std::exception& e) {
  std::cerr << "concurrency: " << e.what() << std::endl;
  return 1;
}
