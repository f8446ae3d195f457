#pragma once
// Dashboard: everything a dashboard shows about the caller's organization in one call
// (GET /api/v1/dashboard): server info, job counts and timings, queues, workers, the last hour.
#include <optional>
#include <string>
#include <vector>

#include "spooled/json.hpp"

namespace spooled {

namespace detail {
class ApiCaller;
}  // namespace detail

struct DashboardSystemInfo {
  std::string version{};
  long long uptimeSeconds = 0;
  std::string startedAt{};       // ISO-8601
  std::string databaseStatus{};  // "healthy" or "unhealthy"
  std::string cacheStatus{};     // "healthy" or "unhealthy"
  std::string environment{};     // "development", "staging" or "production"
};

struct DashboardJobStats {
  long long total = 0;  // every job of the organization, whatever its status
  long long pending = 0;
  long long processing = 0;
  long long completed24h = 0;  // completed in the last 24 hours
  long long failed24h = 0;     // failed or dead-lettered in the last 24 hours
  long long deadletter = 0;
  std::optional<double> avgWaitTimeMs{};        // created to started; absent when nothing started
  std::optional<double> avgProcessingTimeMs{};  // started to completed; absent when nothing completed
};

struct DashboardQueue {
  std::string name{};
  long long pending = 0;
  long long processing = 0;
  bool paused = false;
};

// Workers that sent a heartbeat in the last minute.
struct DashboardWorkers {
  long long total = 0;
  long long healthy = 0;
  long long unhealthy = 0;  // total - healthy: degraded, draining or going offline
};

struct DashboardRecentActivity {
  long long jobsCreated1h = 0;
  long long jobsCompleted1h = 0;
  long long jobsFailed1h = 0;
};

struct DashboardData {
  DashboardSystemInfo system{};
  DashboardJobStats jobs{};
  std::vector<DashboardQueue> queues{};
  DashboardWorkers workers{};
  DashboardRecentActivity recentActivity{};

  static DashboardData fromJson(const json& body);
};

// Obtained from SpooledClient::dashboard(); lives as long as the client. Thread-safe.
class DashboardResource {
 public:
  DashboardResource(const DashboardResource&) = delete;
  DashboardResource& operator=(const DashboardResource&) = delete;

  // Throws a SpooledError subclass on failure.
  DashboardData get();

 private:
  friend class SpooledClient;
  explicit DashboardResource(detail::ApiCaller& api) : api_(api) {}
  detail::ApiCaller& api_;
};

}  // namespace spooled
