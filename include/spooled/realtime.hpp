#pragma once
// Live events from the server (client.realtime()): a Server-Sent Events stream of the organization's
// job, queue and worker events, delivered to your callback on a background thread, with automatic
// reconnect (exponential backoff, resuming with Last-Event-ID so nothing sent meanwhile is missed while
// the server still holds it).
//
//   auto stream = client.realtime().connect({.queue = "emails"}, {
//       .onEvent = [](const spooled::RealtimeEvent& e) { std::cout << e.name << " " << e.data << "\n"; }});
//   ...
//   stream->close();
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "spooled/client_options.hpp"
#include "spooled/json.hpp"

namespace spooled {

struct RealtimeEvent {
  std::string type;       // as the server sent it: "JobCreated", "job.started", "JobStatusChange", ...
  std::string name;       // dotted, for matching: "job.created", "job.started", "job.status_changed", ...
  json data;              // the event's fields (job_id, queue_name, ...)
  std::string timestamp;  // ISO-8601
  std::string id;         // the server's event id (empty for a stream's first snapshot)
};

enum class RealtimeState { Connecting, Connected, Reconnecting, Closed };

struct RealtimeOptions {
  // What to follow: one job (the stream ends with it), one queue, or (both empty) the organization.
  std::optional<std::string> jobId{};
  std::optional<std::string> queue{};
  std::vector<std::string> events{};  // event types to receive (either spelling); empty: all
  bool autoReconnect = true;
  int maxReconnectAttempts = 0;  // in a row; 0: no limit
  std::chrono::milliseconds reconnectDelay{1000};
  std::chrono::milliseconds maxReconnectDelay{30000};
  // A connection that receives nothing (not even a keep-alive) this long is treated as lost.
  std::chrono::milliseconds idleTimeout{60000};
};

struct RealtimeHandlers {
  std::function<void(const RealtimeEvent&)> onEvent{};
  // Why the state changed, when there is a reason ("HTTP 401: ...", "connection lost", "server shutting down").
  std::function<void(RealtimeState, const std::string& reason)> onStateChange{};
};

// One open stream. Callbacks run on its own thread, one at a time. Destroying it closes it.
class RealtimeConnection {
 public:
  virtual ~RealtimeConnection() = default;
  virtual void close() = 0;  // stops reading and reconnecting; returns once the thread has ended
  virtual RealtimeState state() const = 0;
  // Waits until the stream closes for good (job ended, close(), refused, attempts used up).
  virtual bool waitClosed(std::chrono::milliseconds timeout) = 0;
};

class RealtimeResource {
 public:
  explicit RealtimeResource(const ClientOptions& options) : options_(options) {}
  // Starts the stream on a background thread and returns at once (events arrive via handlers).
  std::unique_ptr<RealtimeConnection> connect(const RealtimeOptions& options, RealtimeHandlers handlers);

 private:
  const ClientOptions& options_;
};

// "JobCompleted" -> "job.completed" (the official SDKs' dotted names); other names unchanged.
std::string realtimeEventName(const std::string& type);

}  // namespace spooled
