#include "server/core/cluster_event_relay.hpp"

#include <sstream>

namespace spooled::server {

namespace {

// Own relayed events not heard back after this long are taken as lost.
constexpr auto kEchoLostAfter = std::chrono::seconds(5);
// Above this many tracked keys, lost entries are swept.
constexpr std::size_t kSweepAbove = 10000;

// The order that must hold: one job's events (or, for events of no job, one queue's).
std::string orderKey(const LiveEvent& event) { return event.jobId.empty() ? "q\n" + event.queueName : event.jobId; }

}  // namespace

ClusterEventRelay::ClusterEventRelay(EventBus& bus, ClusterSignals& cluster) : bus_(bus), cluster_(cluster) {
  cluster_.onEvent([this](const std::string& message, bool fromHere) { received(message, fromHere); });
  cluster_.watchListeners([this] { return bus_.subscriberCount() > 0; });
  bus_.setRelay(this);
}

void ClusterEventRelay::publish(LiveEvent event) {
  const auto now = Clock::now();
  const std::string key = orderKey(event);
  {
    std::lock_guard lock(mutex_);
    if (cluster_.relayEvents() || awaitingEcho(key, now)) {
      InFlight& entry = inFlight_[key];
      ++entry.events;
      entry.lastSent = now;
      cluster_.publishEvent(encode(event));  // queued under the lock: the echo cannot come first
      return;
    }
  }
  bus_.deliver(std::move(event));
}

bool ClusterEventRelay::awaitingEcho(const std::string& key, Clock::time_point now) {
  if (inFlight_.size() > kSweepAbove)
    std::erase_if(inFlight_, [&](const auto& entry) { return now - entry.second.lastSent > kEchoLostAfter; });
  const auto it = inFlight_.find(key);
  if (it == inFlight_.end()) return false;
  if (now - it->second.lastSent <= kEchoLostAfter) return true;
  inFlight_.erase(it);
  return false;
}

void ClusterEventRelay::received(const std::string& message, bool fromHere) {
  auto event = decode(message);
  if (!event) return;
  if (!fromHere) return bus_.deliver(std::move(*event));
  // Delivered under the lock: a later event of this job, sent directly once this one is no longer
  // in flight, must reach the bus after it.
  std::lock_guard lock(mutex_);
  const auto it = inFlight_.find(orderKey(*event));
  if (it != inFlight_.end() && --it->second.events <= 0) inFlight_.erase(it);
  bus_.deliver(std::move(*event));
}

void ClusterEventRelay::detach() {
  cluster_.watchListeners(nullptr);
  cluster_.onEvent(nullptr);
}

// Lines: organization, queue, job id, type, dotted name, "1" when it ends the job, then the JSON
// (rendered compactly, so it has no raw newline; the names before it have none either).
std::string ClusterEventRelay::encode(const LiveEvent& event) {
  std::string out;
  out.reserve(event.json.size() + event.orgId.size() + event.queueName.size() + event.jobId.size() + 64);
  for (const std::string* field : {&event.orgId, &event.queueName, &event.jobId, &event.type, &event.name}) {
    out += *field;
    out += '\n';
  }
  out += event.endsJob ? "1\n" : "0\n";
  out += event.json;
  return out;
}

std::optional<LiveEvent> ClusterEventRelay::decode(const std::string& message) {
  LiveEvent event;
  std::size_t at = 0;
  auto line = [&](std::string& into) {
    const std::size_t end = message.find('\n', at);
    if (end == std::string::npos) return false;
    into.assign(message, at, end - at);
    at = end + 1;
    return true;
  };
  std::string ends;
  if (!line(event.orgId) || !line(event.queueName) || !line(event.jobId) || !line(event.type) || !line(event.name) ||
      !line(ends))
    return std::nullopt;
  event.endsJob = ends == "1";
  event.json.assign(message, at, std::string::npos);
  return event;
}

}  // namespace spooled::server
