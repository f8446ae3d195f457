// Built against an installed libspooled by tests/e2e/install_test.cpp.
// Usage: install_consumer [BASE_URL API_KEY]  — with a server, also creates and reads back one job.
#include <iostream>

#include "spooled/spooled.hpp"

int main(int argc, char** argv) {
  std::cout << "spooled-cpp " << spooled::sdkVersion() << "\n";
  spooled::ClientOptions options;
  options.apiKey = argc > 2 ? argv[2] : "sk_test_install_consumer";
  if (argc > 1) options.baseUrl = argv[1];
  try {
    spooled::SpooledClient client(options);
    std::cout << "client for " << client.options().baseUrl << "\n";
    if (argc > 2) {
      spooled::CreateJobParams job;
      job.queueName = "install-check";
      job.payload = {{"hello", "world"}};
      const auto created = client.jobs().create(job);
      std::cout << "job " << created.id << " status " << client.jobs().get(created.id).status << "\n";
    }
  } catch (const spooled::SpooledError& error) {
    std::cerr << "error: " << error.code() << ": " << error.what() << "\n";
    return 1;
  }
  return 0;
}
