#pragma once
// Workers: the registry a worker process announces itself in. SpooledWorker uses this for you;
// call it directly only when writing your own worker loop.
#include <optional>
#include <string>
#include <vector>

#include "spooled/json.hpp"

namespace spooled {

namespace detail {
class ApiCaller;
}  // namespace detail

struct RegisterWorkerParams {
  std::string queueName{};
  std::string hostname{};
  std::optional<std::string> workerType{};  // e.g. "cpp"
  std::optional<int> maxConcurrency{};      // 1..100, server default 5
  json metadata = json::object();
  std::optional<std::string> version{};
};

struct RegisterWorkerResult {
  std::string id{};  // the worker_id to pass to claim/complete/fail/heartbeat
  std::string queueName{};
  int leaseDurationSecs = 0;
  int heartbeatIntervalSecs = 0;

  static RegisterWorkerResult fromJson(const json& body);
};

struct WorkerHeartbeatParams {
  int currentJobs = 0;
  std::optional<std::string> status{};  // healthy, degraded, offline, draining
  std::optional<json> metadata{};
};

// Full worker, as GET /api/v1/workers/{id} returns it.
struct Worker {
  std::string id{};
  std::string organizationId{};
  std::string queueName{};
  std::string hostname{};
  std::optional<std::string> workerType{};
  int maxConcurrency = 0;
  int currentJobs = 0;
  std::string status{};
  std::string lastHeartbeat{};
  json metadata = json::object();
  std::optional<std::string> version{};
  std::string registeredAt{};
  std::optional<std::string> updatedAt{};

  static Worker fromJson(const json& body);
};

// One row of GET /api/v1/workers.
struct WorkerSummary {
  std::string id{};
  std::string queueName{};
  std::string hostname{};
  std::string status{};
  int currentJobs = 0;
  int maxConcurrency = 0;
  std::string lastHeartbeat{};

  static WorkerSummary fromJson(const json& body);
};

struct ListWorkersParams {
  std::optional<std::string> queueName{};
  std::optional<std::string> status{};
};

// Obtained from SpooledClient::workers(); lives as long as the client. Thread-safe. Every call
// throws a SpooledError subclass on failure (see errors.hpp).
class WorkersResource {
 public:
  WorkersResource(const WorkersResource&) = delete;
  WorkersResource& operator=(const WorkersResource&) = delete;

  // Not retried on ambiguous failures (a repeat would register a second worker).
  RegisterWorkerResult registerWorker(const RegisterWorkerParams& params);
  // Retried (repeating it is harmless).
  void heartbeat(const std::string& id, const WorkerHeartbeatParams& params);
  void deregister(const std::string& id);
  Worker get(const std::string& id);
  std::vector<WorkerSummary> list(const ListWorkersParams& params = {});

 private:
  friend class SpooledClient;
  explicit WorkersResource(detail::ApiCaller& api) : api_(api) {}
  detail::ApiCaller& api_;
};

}  // namespace spooled
