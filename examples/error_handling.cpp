// Workers guide, "Error Handling": a throwing handler fails the job (retried while retries remain);
// NonRetryableError sends it straight to the dead-letter queue. Processes `emails` jobs shaped
// {"userId": "1", "template": "welcome"}.
// Reads SPOOLED_API_URL and SPOOLED_API_KEY; SIGTERM/SIGINT stop it (exit 0).
#include <spooled/spooled.hpp>

#include <iostream>
#include <map>
#include <optional>

namespace {

struct User {
  std::string email;
};

// Stand-in for your user store: users "1" to "3" exist.
std::optional<User> findUser(const std::string& id) {
  static const std::map<std::string, User> users{
      {"1", {"ada@example.com"}}, {"2", {"grace@example.com"}}, {"3", {"linus@example.com"}}};
  const auto it = users.find(id);
  return it == users.end() ? std::nullopt : std::optional<User>(it->second);
}

bool isValidPayload(const spooled::json& payload) {
  return payload.contains("userId") && payload["userId"].is_string() && payload.contains("template") &&
         payload["template"].is_string();
}

void sendEmail(const std::string& to, const std::string& templateName) {
  std::cout << "  sending " << templateName << " to " << to << std::endl;
}

}  // namespace

int main() try {
  spooled::SpooledClient client;
  spooled::SpooledWorker worker(client, spooled::WorkerOptions{.queueName = "emails"});

  worker.process([](spooled::JobContext& ctx) -> spooled::json {
    if (!isValidPayload(ctx.payload)) {
      // Retrying cannot fix a malformed payload: straight to the DLQ.
      throw spooled::NonRetryableError("Invalid payload format");
    }

    const std::string userId = ctx.payload["userId"];
    const std::optional<User> user = findUser(userId);
    if (!user) {
      // Any other exception fails the job; it is retried while retries remain (the user may
      // exist by then).
      throw std::runtime_error("User not found: " + userId);
    }

    sendEmail(user->email, ctx.payload["template"]);
    return {{"sent", true}};
  });

  worker.on("job:failed", [](const spooled::WorkerEvent& e) {
    std::cout << "Failed " << e.jobId << ": " << e.error << (e.willRetry ? " (will retry)" : " (dead-lettered)")
              << std::endl;
  });

  auto signals = spooled::stopOnSignals({&worker});
  worker.run();
  return 0;
} catch (const std::exception& e) {
  std::cerr << "error_handling: " << e.what() << std::endl;
  return 1;
}
