#pragma once
// A live stream of events for one connection: a subscription to the event bus framed as Server-Sent
// Events or as WebSocket text messages. It starts with a few messages of its own (a job's current
// status, a queue's stats, the official first Ping on a WebSocket), then sends what the bus queues.
// A one-job stream ends after the job's final event; any stream ends with an Error message when the
// subscription closes (too slow, server shutting down).
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "server/core/event_bus.hpp"
#include "server/http/http_types.hpp"

namespace spooled::server {

struct LiveStreamOptions {
  ResponseStream::Kind kind = ResponseStream::Kind::EventStream;
  bool namedEvents = false;     // SSE: add `event: <dotted name>` (then EventSource.onmessage misses them)
  bool endsWithJob = false;     // a one-job stream: end after the job's final event
  std::vector<LiveEvent> first;  // sent before anything from the bus
  bool endAfterFirst = false;   // the job was already final
  std::vector<std::string> allowedQueues;  // for WebSocket Subscribe commands: the key's queues
};

class LiveStream final : public ResponseStream {
 public:
  LiveStream(EventBus& bus, std::shared_ptr<Subscription> subscription, LiveStreamOptions options);
  ~LiveStream() override;

  Kind kind() const override { return options_.kind; }
  void start(std::function<void()> wake) override;
  Batch pull() override;
  std::string keepAlive() override;
  void receive(const std::string& text) override;
  void stop() override;

  // An event of the stream's own (periodic queue stats), queued from any thread and sent at the next
  // pull. At most a few wait: a consumer that takes none keeps only the newest.
  void pushOwn(const LiveEvent& event);

 private:
  std::string render(const LiveEvent& event) const;
  std::string renderText(const std::string& json) const;

  EventBus& bus_;
  std::shared_ptr<Subscription> subscription_;
  LiveStreamOptions options_;
  std::vector<std::string> replies_;  // answers to WebSocket commands (strand only)
  std::vector<LiveEventPtr> taken_;   // the batch being rendered (strand only)
  std::function<void()> wake_;
  std::mutex ownMutex_;
  std::vector<std::string> own_;  // guarded by ownMutex_
  bool stopped_ = false;
  bool ended_ = false;
};

}  // namespace spooled::server
