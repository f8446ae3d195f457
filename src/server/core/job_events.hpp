#pragma once
// What JobEngine tells observers after a change is committed: metrics count these, and later live
// event streams and webhooks fan them out. Listeners run on the request's thread, so they must be
// quick and must not throw (an exception is logged by nobody and lost).
#include <chrono>
#include <optional>
#include <string>

namespace spooled::server {

struct JobEvent {
  enum class Kind { Created, Claimed, Completed, Failed, DeadLettered, Cancelled };
  Kind kind;
  std::string orgId;
  std::string queueName;
  std::string jobId;
  // Completed, Failed, DeadLettered after a claim: how long the attempt ran (started_at to now).
  std::optional<std::chrono::milliseconds> processingTime;
};

class JobEventListener {
 public:
  virtual ~JobEventListener() = default;
  virtual void onJobEvent(const JobEvent& event) noexcept = 0;
};

}  // namespace spooled::server
