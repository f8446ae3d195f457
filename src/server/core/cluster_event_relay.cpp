#include "server/core/cluster_event_relay.hpp"

#include <sstream>

namespace spooled::server {

ClusterEventRelay::ClusterEventRelay(EventBus& bus, ClusterSignals& cluster) : bus_(bus), cluster_(cluster) {
  cluster_.onEvent([this](const std::string& message) {
    if (auto event = decode(message)) bus_.deliver(std::move(*event));
  });
  cluster_.watchListeners([this] { return bus_.subscriberCount() > 0; });
  bus_.setRelay(this);
}

void ClusterEventRelay::publish(LiveEvent event) {
  if (cluster_.relayEvents()) {
    cluster_.publishEvent(encode(event));
  } else {
    bus_.deliver(std::move(event));
  }
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
