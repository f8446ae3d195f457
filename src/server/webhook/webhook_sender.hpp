#pragma once
// Sends one webhook HTTP request without holding a thread: resolve, check every resolved address
// against the address policy (core/webhook_url.hpp) and connect only to allowed ones, write, read the
// answer (its body only up to a limit), all under one deadline. http and https (certificates checked
// against the system's trust store, with the host name). Runs on the io_context it is given.
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace spooled::server {

struct WebhookSenderOptions {
  bool allowPrivate = false;                  // --webhook-allow-private
  std::chrono::milliseconds timeout{10000};   // the whole attempt: resolve, connect, write, read
  std::size_t maxResponseBytes = 64 * 1024;   // read no further than this
};

struct WebhookHttpRequest {
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

struct WebhookHttpResult {
  std::optional<int> statusCode;  // absent when no answer came
  std::string responseBody;       // what was read of it (at most maxResponseBytes)
  std::optional<std::string> error;
  std::chrono::milliseconds latency{0};
  bool success() const { return !error && statusCode && *statusCode >= 200 && *statusCode < 300; }
};

class WebhookSender {
 public:
  WebhookSender(boost::asio::io_context& io, WebhookSenderOptions options);
  ~WebhookSender();

  // `done` runs once, on the io_context's thread.
  void send(WebhookHttpRequest request, std::function<void(WebhookHttpResult)> done);

  const WebhookSenderOptions& options() const { return options_; }

 private:
  struct Impl;
  boost::asio::io_context& io_;
  WebhookSenderOptions options_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace spooled::server
