#include "server/api/live_stream.hpp"

#include <algorithm>

#include "common/bounded_json.hpp"

namespace spooled::server {

LiveStream::LiveStream(EventBus& bus, std::shared_ptr<Subscription> subscription, LiveStreamOptions options)
    : bus_(bus), subscription_(std::move(subscription)), options_(std::move(options)) {
  if (options_.kind == Kind::WebSocket) replies_.push_back(pingMessage(nowMs()));  // as the official server
}

LiveStream::~LiveStream() { stop(); }

void LiveStream::start(std::function<void()> wake) {
  wake_ = wake;
  subscription_->setWaker(std::move(wake));
  wake_();  // the first messages, and whatever a resume queued before the waker was set
}

std::string LiveStream::renderText(const std::string& json) const {
  if (options_.kind == Kind::WebSocket) return json;
  return "data: " + json + "\n\n";
}

std::string LiveStream::render(const LiveEvent& event) const {
  if (options_.kind == Kind::WebSocket) return event.json;
  if (!options_.namedEvents && !event.sseFrame.empty()) return event.sseFrame;  // shared, not rebuilt per subscriber
  std::string out;
  if (event.seq != 0) out += "id: " + bus_.eventId(event.seq) + "\n";
  if (options_.namedEvents) out += "event: " + event.name + "\n";
  out += "data: " + event.json + "\n\n";
  return out;
}

ResponseStream::Batch LiveStream::pull() {
  Batch batch;
  if (ended_) {
    batch.end = true;
    return batch;
  }
  batch.messages = std::exchange(replies_, {});
  for (const LiveEvent& event : options_.first) batch.messages.push_back(render(event));
  options_.first.clear();
  {
    std::lock_guard lock(ownMutex_);
    for (std::string& m : own_) batch.messages.push_back(std::move(m));
    own_.clear();
  }
  if (options_.endAfterFirst) {
    ended_ = batch.end = true;
    return batch;
  }
  subscription_->takeAll(taken_);
  for (const LiveEventPtr& event : taken_) {
    batch.messages.push_back(render(*event));
    if (options_.endsWithJob && event->endsJob) {
      ended_ = batch.end = true;
      break;
    }
  }
  taken_.clear();  // keeps the capacity for the next batch
  if (ended_) return batch;
  if (const auto reason = subscription_->closedReason()) {
    batch.messages.push_back(renderText(errorMessage(*reason, nowMs())));
    ended_ = batch.end = true;
    batch.reason = *reason;
    batch.goingAway = bus_.closed();
  }
  return batch;
}

std::string LiveStream::keepAlive() {
  // SSE: a comment, which EventSource ignores; WebSocket: the official Ping message.
  if (options_.kind == Kind::EventStream) return ": ping\n\n";
  return pingMessage(nowMs());
}

void LiveStream::receive(const std::string& text) {
  // Commands as the official server reads them: {"cmd": "Subscribe" | "Unsubscribe" | "Ping",
  // "queue": ..., "job_id": ...}. Anything else is ignored, as there.
  json command;
  try {
    command = parseBoundedJson(text);
  } catch (const std::exception&) {
    return;
  }
  if (!command.is_object() || !command.contains("cmd") || !command["cmd"].is_string()) return;
  const std::string cmd = command["cmd"].get<std::string>();
  if (cmd == "Ping") {
    replies_.push_back(pingMessage(nowMs()));
  } else if (cmd == "Subscribe" || cmd == "Unsubscribe") {
    StreamFilter filter;
    if (command.contains("queue") && command["queue"].is_string()) filter.queueName = command["queue"].get<std::string>();
    if (command.contains("job_id") && command["job_id"].is_string()) filter.jobId = command["job_id"].get<std::string>();
    const auto& allowed = options_.allowedQueues;
    if (filter.queueName && !allowed.empty() && std::find(allowed.begin(), allowed.end(), "*") == allowed.end() &&
        std::find(allowed.begin(), allowed.end(), *filter.queueName) == allowed.end()) {
      // The subscription would never match anyway (its scope filters first); say why.
      replies_.push_back(errorMessage("API key does not have permission for queue '" + *filter.queueName + "'", nowMs()));
    } else if (cmd == "Subscribe") {
      subscription_->addFilter(filter);
    } else {
      subscription_->removeFilter(filter);
    }
  }
  if (!replies_.empty() && wake_) wake_();
}

void LiveStream::pushOwn(const LiveEvent& event) {
  constexpr std::size_t kMaxOwnWaiting = 4;
  {
    std::lock_guard lock(ownMutex_);
    if (own_.size() >= kMaxOwnWaiting) own_.erase(own_.begin());
    own_.push_back(render(event));
  }
  subscription_->wake();
}

void LiveStream::stop() {
  if (stopped_) return;
  stopped_ = true;
  subscription_->setWaker(nullptr);
  bus_.unsubscribe(subscription_.get());
}

}  // namespace spooled::server
