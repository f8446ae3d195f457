#pragma once
// One event as live streams send it, rendered once and shared by every subscriber (a slow subscriber
// holds pointers, never copies). The wire shape is the official backend's `RealtimeEvent`:
// `{"type": "JobCompleted", "data": {..., "timestamp": "..."}}`, with the variants it defines
// (JobCreated, JobCompleted, JobFailed, JobStatusChange, WorkerRegistered, WorkerHeartbeat,
// WorkerDeregistered, QueueStats, Ping, Error) under their PascalCase names, which the official SDKs
// map to dotted ones; events it has no variant for use the dotted names the official SDK types declare
// (job.started, job.progress, queue.paused, queue.resumed) or our own (job.cancelled, job.retried).
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/time.hpp"
#include "server/core/job_events.hpp"

namespace spooled::server {

struct LiveEvent {
  std::uint64_t seq = 0;  // set by the bus that delivers it: its order on this server
  std::string orgId;
  std::string queueName;
  std::string jobId;     // empty for queue and worker events
  std::string type;      // as on the wire: "JobCreated", "job.started"
  std::string name;      // dotted: "job.created", "job.status_changed"
  std::string json;      // the whole message
  std::string sseFrame;  // set by the bus: "id: ...\ndata: <json>\n\n", built once for every SSE subscriber
  bool endsJob = false;  // the job reached a final state: a one-job stream ends after this
  std::chrono::steady_clock::time_point publishedAt{};
};

using LiveEventPtr = std::shared_ptr<const LiveEvent>;

// The events one committed change produces, in the order subscribers get them: the specific event
// first, then JobStatusChange when the job's status changed.
std::vector<LiveEvent> liveEventsFor(const JobEvent& event, TimePoint at);
std::vector<LiveEvent> liveEventsFor(const QueueEvent& event, TimePoint at);
std::vector<LiveEvent> liveEventsFor(const WorkerEvent& event, TimePoint at);

// A JobStatusChange for a job as it is now (a one-job stream starts with it; oldStatus empty).
LiveEvent jobStatusSnapshot(const std::string& orgId, const std::string& jobId, const std::string& queueName,
                            const std::string& status, TimePoint at);
// QueueStats (a queue stream starts with it).
LiveEvent queueStatsEvent(const std::string& orgId, const std::string& queueName, long long pending,
                          long long processing, long long completed, long long failed, TimePoint at);
// The keep-alive and error messages of a stream (Ping, Error).
std::string pingMessage(TimePoint at);
std::string errorMessage(const std::string& message, TimePoint at);

// True for statuses after which a job never changes again by itself.
bool isFinalStatusName(const std::string& status);

}  // namespace spooled::server
