#include "server/api/queue_stats_publisher.hpp"

#include <map>

#include "server/core/live_event.hpp"
#include "server/core/queue_control.hpp"

namespace spooled::server {

void QueueStatsPublisher::watch(const std::shared_ptr<LiveStream>& stream, const std::string& orgId,
                                const std::string& queueName) {
  std::lock_guard lock(mutex_);
  watches_.push_back(Watch{stream, orgId, queueName});
}

std::size_t QueueStatsPublisher::watched() {
  std::lock_guard lock(mutex_);
  return watches_.size();
}

std::size_t QueueStatsPublisher::publish(Store& store, JobNotifier& notifier, const NowFn& now) {
  // Live streams grouped by queue; ended ones dropped.
  std::map<std::pair<std::string, std::string>, std::vector<std::shared_ptr<LiveStream>>> byQueue;
  {
    std::lock_guard lock(mutex_);
    std::erase_if(watches_, [&](const Watch& w) {
      auto stream = w.stream.lock();
      if (!stream) return true;
      byQueue[{w.orgId, w.queueName}].push_back(std::move(stream));
      return false;
    });
  }
  std::size_t sent = 0;
  for (const auto& [queue, streams] : byQueue) {
    const QueueStatsView stats = QueueControl(store, notifier, now).stats(queue.first, queue.second);
    const LiveEvent event = queueStatsEvent(queue.first, queue.second, stats.pendingJobs, stats.processingJobs,
                                            stats.completedJobs24h, stats.failedJobs24h, now());
    for (const auto& stream : streams) stream->pushOwn(event);
    sent += streams.size();
  }
  return sent;
}

}  // namespace spooled::server
