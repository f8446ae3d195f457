#pragma once
// --json output: the SDK's structs back in the wire's snake_case shape (docs/api.md), so what
// `spooled ... --json` prints reads like what the REST API answers.
#include "spooled/client.hpp"
#include "spooled/json.hpp"

namespace spooled::cli {

json toJson(const Job& job);
json toJson(const JobSummary& job);
json toJson(const JobStats& stats);
json toJson(const CreateJobResult& result);
json toJson(const BoostPriorityResult& result);
json toJson(const QueueConfig& queue);
json toJson(const QueueConfigSummary& queue);
json toJson(const QueueStats& stats);
json toJson(const PauseQueueResult& result);
json toJson(const ResumeQueueResult& result);
json toJson(const WorkerSummary& worker);
json toJson(const ApiKeySummary& key);
json toJson(const CreateApiKeyResult& key);
json toJson(const DashboardData& dashboard);
json toJson(const RetryDlqResult& result);
json toJson(const PurgeDlqResult& result);

template <typename T>
json toJsonArray(const std::vector<T>& items) {
  json out = json::array();
  for (const auto& item : items) out.push_back(toJson(item));
  return out;
}

}  // namespace spooled::cli
