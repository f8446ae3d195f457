#pragma once
// gtest fixture for worker tests: a real server (ServerTest), an SDK client for it, fast worker
// options, job helpers that poll with deadlines, and an EventLog that records a worker's events.
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "spooled/spooled.hpp"
#include "support/server_test.hpp"

namespace spooled::test {

using namespace std::chrono_literals;

// Thread-safe record of the events one or more workers emitted.
class EventLog {
 public:
  void attach(SpooledWorker& worker) {
    for (const auto name : {worker_events::started, worker_events::stopped, worker_events::error,
                            worker_events::jobClaimed, worker_events::jobStarted, worker_events::jobCompleted,
                            worker_events::jobFailed}) {
      worker.on(name, [this](const WorkerEvent& e) {
        {
          const std::lock_guard lock(mutex_);
          events_.push_back(e);
        }
        changed_.notify_all();
      });
    }
  }

  std::vector<WorkerEvent> named(std::string_view name) const {
    const std::lock_guard lock(mutex_);
    std::vector<WorkerEvent> out;
    for (const auto& e : events_) {
      if (e.name == name) out.push_back(e);
    }
    return out;
  }

  std::size_t count(std::string_view name) const { return named(name).size(); }

  // Waits until at least `n` events named `name` arrived; returns whether they did in time.
  bool waitFor(std::string_view name, std::size_t n, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] {
      std::size_t seen = 0;
      for (const auto& e : events_) seen += e.name == name ? 1 : 0;
      return seen >= n;
    });
  }

  // Event names in order, for assertion messages.
  std::string describe() const {
    const std::lock_guard lock(mutex_);
    std::string out;
    for (const auto& e : events_) out += e.name + (e.jobId.empty() ? "" : "(" + e.jobId.substr(0, 8) + ")") + " ";
    return out;
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<WorkerEvent> events_;
};

// The code of the ConflictError (409) an `error` event carries, or what it carries instead.
inline std::string conflictCode(const WorkerEvent& event) {
  if (!event.exception) return "no exception";
  try {
    std::rethrow_exception(event.exception);
  } catch (const ConflictError& e) {
    return e.status() == 409 ? e.code() : "status " + std::to_string(e.status());
  } catch (const std::exception& e) {
    return std::string("not a ConflictError: ") + e.what();
  }
}

class WorkerFixture : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    client_ = std::make_unique<SpooledClient>(clientOptions());
  }

  ClientOptions clientOptions() const {
    ClientOptions options;
    options.apiKey = server_.apiKey();
    options.baseUrl = server_.baseUrl();
    options.retry.baseDelay = 50ms;
    options.retry.maxDelay = 200ms;
    options.circuitBreaker.enabled = false;
    return options;
  }

  // Short intervals so lease and shutdown behaviour shows within seconds.
  static WorkerOptions fastOptions(const std::string& queue) {
    return WorkerOptions{.queueName = queue,
                         .concurrency = 5,
                         .pollInterval = 100ms,
                         .leaseDuration = 5s,
                         .heartbeatInterval = 500ms,
                         .shutdownTimeout = 5000ms};
  }

  std::string createJob(const std::string& queue, json payload = json::object(), std::optional<int> maxRetries = {}) {
    CreateJobParams params;
    params.queueName = queue;
    params.payload = std::move(payload);
    params.maxRetries = maxRetries;
    return client_->jobs().create(params).id;
  }

  Job job(const std::string& id) { return client_->jobs().get(id); }

  // Polls the job until `done(job)` holds; returns the last job read. Fails the test on timeout.
  Job waitForJob(const std::string& id, const std::function<bool(const Job&)>& done,
                 std::chrono::milliseconds timeout, const std::string& what) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    Job last = job(id);
    while (!done(last)) {
      if (std::chrono::steady_clock::now() >= deadline) {
        ADD_FAILURE() << "job " << id << " never became " << what << "; it is " << last.status;
        return last;
      }
      std::this_thread::sleep_for(20ms);
      last = job(id);
    }
    return last;
  }

  Job waitForStatus(const std::string& id, const std::string& status, std::chrono::milliseconds timeout = 15s) {
    return waitForJob(id, [&](const Job& j) { return j.status == status; }, timeout, status);
  }

  std::unique_ptr<SpooledClient> client_;
};

}  // namespace spooled::test
