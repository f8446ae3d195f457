#include "support/api_steps.hpp"

#include <stdexcept>
#include <thread>

namespace spooled::test {

const HttpResult& expectStatus(const HttpResult& r, long expected, const std::string& what) {
  if (r.status != expected)
    throw std::runtime_error(what + ": expected " + std::to_string(expected) + " " + r.describe());
  return r;
}

std::string ApiSteps::createJobFromBody(const json& body) {
  const HttpResult r = http_.post("/api/v1/jobs", body);
  expectStatus(r, 201, "create job");
  return r.body.at("id").get<std::string>();
}

std::string ApiSteps::createJob(const std::string& queue, const json& extra) {
  json body = {{"queue_name", queue}, {"payload", {{"n", 1}}}};
  body.update(extra);
  return createJobFromBody(body);
}

std::string ApiSteps::registerWorker(const std::string& queue) {
  const HttpResult r = http_.post("/api/v1/workers/register", {{"queue_name", queue}, {"hostname", "test-host"}});
  expectStatus(r, 201, "register worker");
  return r.body.at("id").get<std::string>();
}

json ApiSteps::claim(const std::string& queue, const std::string& workerId, const json& extra) {
  json body = {{"queue_name", queue}, {"worker_id", workerId}};
  body.update(extra);
  const HttpResult r = http_.post("/api/v1/jobs/claim", body);
  expectStatus(r, 200, "claim");
  return r.body.at("jobs");
}

json ApiSteps::getJob(const std::string& id) {
  const HttpResult r = http_.get("/api/v1/jobs/" + id);
  expectStatus(r, 200, "get job " + id);
  return r.body;
}

std::size_t ApiSteps::countJobs() {
  const HttpResult r = http_.get("/api/v1/jobs?limit=100");
  expectStatus(r, 200, "list jobs");
  return r.body.size();
}

HttpResult ApiSteps::settle(const std::string& action, const json& claimedJob, const std::string& workerId,
                            const json& extra) {
  json body = {{"worker_id", workerId}, {"lease_id", claimedJob.at("lease_id")}};
  body.update(extra);
  return http_.post("/api/v1/jobs/" + claimedJob.at("id").get<std::string>() + "/" + action, body);
}

bool waitUntil(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace spooled::test
