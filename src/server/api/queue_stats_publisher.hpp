#pragma once
// Periodic QueueStats on queue streams (/api/v1/events/queues/{name}), as the official backend sends
// every 5 s. Streams register here; publish() (called by the server's background loop) reads each
// watched queue's stats once, however many streams watch it, and queues the event on each stream.
// A stream that ended drops out by itself (held weakly).
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "server/api/live_stream.hpp"
#include "server/core/job_engine.hpp"
#include "server/core/job_notifier.hpp"
#include "server/store/store.hpp"

namespace spooled::server {

class QueueStatsPublisher {
 public:
  void watch(const std::shared_ptr<LiveStream>& stream, const std::string& orgId, const std::string& queueName);
  // Reads and sends (the same figures as the stream's first QueueStats); returns how many streams got one.
  std::size_t publish(Store& store, JobNotifier& notifier, const NowFn& now);
  std::size_t watched();

 private:
  struct Watch {
    std::weak_ptr<LiveStream> stream;
    std::string orgId;
    std::string queueName;
  };
  std::mutex mutex_;
  std::vector<Watch> watches_;
};

}  // namespace spooled::server
