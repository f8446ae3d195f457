#pragma once
// Real clients of the server's live streams, for tests and nothing else: an SSE client on a plain
// socket (it decodes the chunked body and the event-stream format itself, so the test sees the bytes
// the server sent) and a WebSocket client on Boost.Beast. Each reads on its own thread and collects
// what arrives; tests wait for it with a deadline.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "spooled/json.hpp"

namespace spooled::test {

struct SseMessage {
  std::string id;
  std::string event;
  std::string data;       // as sent
  json body;              // data parsed (null when it is not JSON)
  bool comment = false;   // a ": ..." line (keep-alive)
  std::string type() const { return body.is_object() ? body.value("type", "") : ""; }
};

struct SseOptions {
  std::map<std::string, std::string> headers;  // e.g. Authorization, Last-Event-ID
  int receiveBufferBytes = 0;                  // >0: SO_RCVBUF before connecting (a slow consumer)
  bool startReading = true;                    // false: connect and send, but read nothing until resume()
};

class SseClient {
 public:
  SseClient(int port, std::string target, SseOptions options = {});
  ~SseClient();
  SseClient(const SseClient&) = delete;
  SseClient& operator=(const SseClient&) = delete;

  int status();  // waits up to 10 s for the head; 0 if none came
  void resume();  // starts reading (for startReading = false)
  // Waits until the collected messages (comments excluded unless withComments) satisfy pred.
  bool waitFor(const std::function<bool(const std::vector<SseMessage>&)>& pred, std::chrono::milliseconds timeout,
               bool withComments = false);
  bool waitClosed(std::chrono::milliseconds timeout);  // the server ended the body or the connection
  std::vector<SseMessage> events();                     // without comments
  std::vector<SseMessage> all();
  void close();

 private:
  void run();
  void feed(const std::string& text);  // decoded body bytes

  int fd_ = -1;
  std::thread reader_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<SseMessage> messages_;
  std::string head_;
  int status_ = 0;
  bool closed_ = false;
  bool reading_ = true;
  std::string lineBuffer_;
  SseMessage current_;
  std::atomic<bool> stop_{false};
};

struct WsResult {
  std::vector<json> messages;
  std::optional<int> closeCode;
  std::string closeReason;
};

class WsClient {
 public:
  // Connects and upgrades; throws std::runtime_error naming the HTTP status when the upgrade is refused.
  WsClient(int port, const std::string& target, std::map<std::string, std::string> headers = {});
  ~WsClient();
  WsClient(const WsClient&) = delete;
  WsClient& operator=(const WsClient&) = delete;

  void send(const json& message);
  bool waitFor(const std::function<bool(const std::vector<json>&)>& pred, std::chrono::milliseconds timeout);
  bool waitClosed(std::chrono::milliseconds timeout);
  WsResult snapshot();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Types of the messages, in order, skipping the given ones (e.g. "Ping").
std::vector<std::string> typesOf(const std::vector<json>& messages, const std::vector<std::string>& skip = {"Ping"});
std::vector<std::string> typesOf(const std::vector<SseMessage>& messages);

}  // namespace spooled::test
