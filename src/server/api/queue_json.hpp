#pragma once
// Queues as the wire shows them: QueueConfig, QueueConfigSummary, QueueStats, PauseQueueResponse and
// ResumeQueueResponse of the official contract.
//
// `enabled` is false while a queue is paused, as the official backend reports it (pausing turns a
// queue's `enabled` off there). Extensions `paused`, `paused_at` and `pause_reason` say why.
#include "server/core/queue_control.hpp"

namespace spooled::server {

// GET /api/v1/queues/{name} and PUT /api/v1/queues/{name}/config.
json queueConfigToJson(const QueueRecord& queue);
// One element of GET /api/v1/queues.
json queueSummaryToJson(const QueueRecord& queue);
json queueStatsToJson(const QueueStatsView& stats);
json pauseQueueToJson(const QueueRecord& queue);
json resumeQueueToJson(const ResumeOutcome& outcome);

}  // namespace spooled::server
