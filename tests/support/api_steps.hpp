#pragma once
// Steps that many HTTP tests take (create a job, register a worker, claim, read a job), each checking
// the status it expects and throwing std::runtime_error with the response otherwise, so a failing
// step names what the server said. Also waitUntil() for polling with a deadline.
#include <chrono>
#include <functional>
#include <string>

#include "support/http_client.hpp"

namespace spooled::test {

// Throws unless r.status == expected; returns r for chaining.
const HttpResult& expectStatus(const HttpResult& r, long expected, const std::string& what);

class ApiSteps {
 public:
  explicit ApiSteps(HttpClient& http) : http_(http) {}

  // POST /api/v1/jobs; expects 201 and returns the new id.
  std::string createJobFromBody(const json& body);
  // A job on queue with this payload and extra fields merged in.
  std::string createJob(const std::string& queue, const json& extra = json::object());
  // POST /api/v1/workers/register; returns the worker id.
  std::string registerWorker(const std::string& queue);
  // POST /api/v1/jobs/claim; returns the `jobs` array.
  json claim(const std::string& queue, const std::string& workerId, const json& extra = json::object());
  // GET /api/v1/jobs/{id}; expects 200.
  json getJob(const std::string& id);
  // Number of jobs the caller's organization has (GET /api/v1/jobs, up to 100).
  std::size_t countJobs();

  // POST /api/v1/jobs/{id}/<action> with worker_id and lease_id from a claimed job, plus extra.
  HttpResult settle(const std::string& action, const json& claimedJob, const std::string& workerId,
                    const json& extra = json::object());

 private:
  HttpClient& http_;
};

// Polls condition every 20 ms until it holds or timeout passes; returns whether it held.
bool waitUntil(const std::function<bool()>& condition, std::chrono::milliseconds timeout);

}  // namespace spooled::test
