#pragma once
// Queues: their configuration (retries, timeout, rate limit, on/off), statistics, pause and resume.
// A queue exists once it has jobs or a configuration; one known only from its jobs shows the defaults.
// Field names mirror the wire's snake_case fields in camelCase; times are ISO-8601 strings.
#include <optional>
#include <string>
#include <vector>

#include "spooled/json.hpp"

namespace spooled {

namespace detail {
class ApiCaller;
}  // namespace detail

// GET /api/v1/queues/{name}.
struct QueueConfig {
  std::string id{};
  std::string organizationId{};
  std::string queueName{};
  int maxRetries = 0;
  int defaultTimeout = 0;         // seconds
  std::optional<int> rateLimit{};  // jobs handed out per second; empty: unlimited
  bool enabled = false;           // false while disabled or paused (as Spooled Cloud reports it)
  json settings = json::object();
  std::string createdAt{};
  std::string updatedAt{};
  bool paused = false;                        // our extension
  std::optional<std::string> pausedAt{};      // our extension
  std::optional<std::string> pauseReason{};   // our extension

  static QueueConfig fromJson(const json& body);
};

// One row of GET /api/v1/queues.
struct QueueConfigSummary {
  std::string queueName{};
  int maxRetries = 0;
  int defaultTimeout = 0;
  std::optional<int> rateLimit{};
  bool enabled = false;
  bool paused = false;  // our extension

  static QueueConfigSummary fromJson(const json& body);
};

struct QueueStats {
  std::string queueName{};
  long long pendingJobs = 0;
  long long processingJobs = 0;
  long long completedJobs24h = 0;
  long long failedJobs24h = 0;
  std::optional<double> avgProcessingTimeMs{};
  std::optional<long long> maxJobAgeSeconds{};  // age of the oldest waiting job; empty: none waits
  long long activeWorkers = 0;

  static QueueStats fromJson(const json& body);
};

// PUT /api/v1/queues/{name}/config. On our server, what is left empty keeps its current value.
struct UpdateQueueConfigParams {
  std::optional<int> maxRetries{};      // 0..100
  std::optional<int> defaultTimeout{};  // 1..86400 seconds
  std::optional<int> rateLimit{};       // 1..100000 jobs per second
  bool removeRateLimit = false;         // sends rate_limit: null (ignored when rateLimit is set)
  std::optional<bool> enabled{};        // true also resumes a paused queue
  std::optional<json> settings{};       // a JSON object, replaces the stored one
};

struct PauseQueueResult {
  std::string queueName{};
  bool paused = false;
  std::string pausedAt{};
  std::optional<std::string> reason{};

  static PauseQueueResult fromJson(const json& body);
};

struct ResumeQueueResult {
  std::string queueName{};
  bool resumed = false;
  long long pausedDurationSecs = 0;

  static ResumeQueueResult fromJson(const json& body);
};

// Obtained from SpooledClient::queues(); lives as long as the client. Thread-safe. Every call throws a
// SpooledError subclass on failure (NotFoundError for an unknown queue, ValidationError for a bad name).
class QueuesResource {
 public:
  QueuesResource(const QueuesResource&) = delete;
  QueuesResource& operator=(const QueuesResource&) = delete;

  std::vector<QueueConfigSummary> list();
  QueueConfig get(const std::string& name);
  // Creates the configuration when the queue has none yet.
  QueueConfig updateConfig(const std::string& name, const UpdateQueueConfigParams& params);
  QueueStats stats(const std::string& name);
  // The queue hands out no jobs until resumed; its jobs wait. Retried (repeating it is harmless).
  PauseQueueResult pause(const std::string& name, const std::optional<std::string>& reason = std::nullopt);
  // Workers waiting on the queue (long-poll) get its jobs at once.
  ResumeQueueResult resume(const std::string& name);
  // Deletes the queue's configuration; ConflictError while it has pending or processing jobs.
  void remove(const std::string& name);

 private:
  friend class SpooledClient;
  explicit QueuesResource(detail::ApiCaller& api) : api_(api) {}
  detail::ApiCaller& api_;
};

}  // namespace spooled
