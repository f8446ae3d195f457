// SpooledWorker's batched acknowledgements against a real server: results of many jobs share few
// requests, each job is settled and reported once, a refused item is reported on its own, pending
// results are sent before the worker stops, and `batchAcks = false` keeps to one call per job.
#include <atomic>
#include <map>
#include <set>

#include "support/prometheus_text.hpp"
#include "support/worker_fixture.hpp"

namespace spooled::test {
namespace {

class WorkerAckBatchTest : public WorkerFixture {
 protected:
  // `count` jobs with payload {"n": i}, created before any worker starts; returns id -> n.
  std::map<std::string, int> enqueue(const std::string& queue, int count) {
    std::map<std::string, int> ids;
    for (int first = 0; first < count; first += 100) {
      BulkEnqueueParams params{.queueName = queue};
      for (int n = first; n < std::min(count, first + 100); ++n) params.jobs.push_back({.payload = {{"n", n}}});
      for (const BulkJobSucceeded& s : client_->jobs().bulkEnqueue(params).succeeded) ids[s.jobId] = first + s.index;
    }
    if (static_cast<int>(ids.size()) != count) throw std::runtime_error("enqueued " + std::to_string(ids.size()));
    return ids;
  }

  // Requests the server answered on this route so far, by its /metrics.
  double requestsTo(const std::string& method, const std::string& route) {
    const HttpResult r = http_->get("/metrics");
    expectStatus(r, 200, "GET /metrics");
    return parsePromText(r.rawBody).sum("spooled_api_requests_total", {{"method", method}, {"route", route}});
  }

  static WorkerOptions batchingOptions(const std::string& queue, int concurrency, std::chrono::milliseconds window) {
    WorkerOptions options = fastOptions(queue);
    options.concurrency = concurrency;
    options.ackBatchWindow = window;
    return options;
  }
};

TEST_F(WorkerAckBatchTest, ABusyWorkerSendsManyResultsInFewRequestsAndSettlesEachJobOnce) {
  constexpr int kJobs = 300;
  const std::map<std::string, int> ids = enqueue("emails", kJobs);
  EventLog events;
  SpooledWorker worker(*client_, batchingOptions("emails", 10, 50ms));
  EXPECT_TRUE(worker.options().batchAcks);  // the default
  events.attach(worker);
  worker.process([](JobContext& ctx) -> json { return {{"echo", ctx.payload["n"]}}; });
  worker.start();
  ASSERT_TRUE(events.waitFor(worker_events::jobCompleted, kJobs, 60s)) << events.count(worker_events::jobCompleted);
  worker.stop();
  ASSERT_TRUE(worker.waitFor(10s));

  std::map<std::string, int> completions;
  for (const WorkerEvent& e : events.named(worker_events::jobCompleted)) {
    ++completions[e.jobId];
    ASSERT_TRUE(ids.contains(e.jobId)) << e.jobId;
    EXPECT_EQ(e.result, (json{{"echo", ids.at(e.jobId)}})) << e.jobId;
  }
  EXPECT_EQ(completions.size(), static_cast<std::size_t>(kJobs));
  for (const auto& [id, times] : completions) EXPECT_EQ(times, 1) << id;
  EXPECT_EQ(events.count(worker_events::jobClaimed), static_cast<std::size_t>(kJobs));
  EXPECT_EQ(events.count(worker_events::error), 0u) << events.describe();
  EXPECT_EQ(client_->jobs().stats().completed, kJobs);
  const Job sample = job(ids.begin()->first);
  EXPECT_EQ(sample.result.value_or(json()), (json{{"echo", ids.begin()->second}}));

  const double ackRequests = requestsTo("POST", "/api/v1/jobs/ack");
  EXPECT_GT(ackRequests, 0);
  EXPECT_LE(ackRequests, kJobs / 4) << "results were not batched";
  EXPECT_EQ(requestsTo("POST", "/api/v1/jobs/{id}/complete"), 0);
}

TEST_F(WorkerAckBatchTest, ARefusedItemIsReportedOnItsOwnWhileTheRestOfItsBatchSucceeds) {
  const std::map<std::string, int> ids = enqueue("emails", 5);
  const std::string victim = std::next(ids.begin(), 2)->first;
  EventLog events;
  // A long window: the five results leave together once no handler runs.
  SpooledWorker worker(*client_, batchingOptions("emails", 5, 1000ms));
  events.attach(worker);
  worker.process([&](JobContext& ctx) -> json {
    // Cancelled on the server behind the worker's back: the lease this result carries is void.
    if (ctx.jobId == victim) client_->jobs().cancel(ctx.jobId);
    return {{"n", ctx.payload["n"]}};
  });
  worker.start();
  ASSERT_TRUE(events.waitFor(worker_events::jobCompleted, 4, 15s)) << events.describe();
  ASSERT_TRUE(events.waitFor(worker_events::error, 1, 15s)) << events.describe();

  const WorkerEvent refused = events.named(worker_events::error).at(0);
  EXPECT_EQ(refused.jobId, victim);
  EXPECT_EQ(refused.error.rfind("could not complete job " + victim + ": ", 0), 0u) << refused.error;
  EXPECT_EQ(conflictCode(refused), "JOB_CANCELLED");
  for (const WorkerEvent& e : events.named(worker_events::jobCompleted)) EXPECT_NE(e.jobId, victim);
  for (const auto& [id, n] : ids) EXPECT_EQ(job(id).status, id == victim ? "cancelled" : "completed") << id;
  EXPECT_EQ(requestsTo("POST", "/api/v1/jobs/ack"), 1) << "the five results should have shared one request";
  worker.stop();
  ASSERT_TRUE(worker.waitFor(10s));
  EXPECT_EQ(events.count(worker_events::error), 1u) << events.describe();
}

TEST_F(WorkerAckBatchTest, ResultsWaitingToBeBatchedAreSentBeforeTheWorkerStops) {
  const std::map<std::string, int> ids = enqueue("emails", 2);
  EventLog events;
  std::atomic<int> running{0};
  std::atomic<bool> release{false};
  SpooledWorker worker(*client_, batchingOptions("emails", 2, 1000ms));
  events.attach(worker);
  worker.process([&](JobContext& ctx) -> json {
    ++running;
    while (!release.load() && !ctx.waitCancelled(5ms)) {
    }
    return {{"n", ctx.payload["n"]}};
  });
  worker.start();
  ASSERT_TRUE(waitUntil([&] { return running.load() == 2; }, 15s));
  // The poll loop ends with both slots busy, so no claim carries these results: only the shutdown
  // sends them, well before the 1 s window runs out.
  worker.stop("test");
  release = true;
  ASSERT_TRUE(worker.waitFor(10s));

  std::vector<std::string> order;
  for (const WorkerEvent& e : events.named(worker_events::jobCompleted)) order.push_back(e.jobId);
  ASSERT_EQ(order.size(), 2u) << events.describe();
  const std::string log = events.describe();
  EXPECT_GT(log.find("stopped"), log.rfind("job:completed")) << log;
  for (const auto& [id, n] : ids) EXPECT_EQ(job(id).status, "completed");
  EXPECT_EQ(client_->workers().get(*worker.getWorkerId()).status, "offline");
}

TEST_F(WorkerAckBatchTest, WithBatchAcksOffEachJobIsSettledWithItsOwnCall) {
  constexpr int kJobs = 20;
  enqueue("emails", kJobs);
  EventLog events;
  WorkerOptions options = batchingOptions("emails", 4, 2ms);
  options.batchAcks = false;
  SpooledWorker worker(*client_, options);
  events.attach(worker);
  worker.process([](JobContext& ctx) {
    if (ctx.payload["n"].get<int>() % 2 == 1) throw NonRetryableError("odd");
  });
  worker.start();
  ASSERT_TRUE(events.waitFor(worker_events::jobCompleted, kJobs / 2, 15s)) << events.describe();
  ASSERT_TRUE(events.waitFor(worker_events::jobFailed, kJobs / 2, 15s)) << events.describe();
  worker.stop();
  ASSERT_TRUE(worker.waitFor(10s));
  for (const WorkerEvent& e : events.named(worker_events::jobFailed)) {
    EXPECT_EQ(e.error, "odd");
    EXPECT_FALSE(e.willRetry);
  }
  EXPECT_EQ(requestsTo("POST", "/api/v1/jobs/ack"), 0);
  EXPECT_EQ(requestsTo("POST", "/api/v1/jobs/{id}/complete"), kJobs / 2);
  EXPECT_EQ(requestsTo("POST", "/api/v1/jobs/{id}/fail"), kJobs / 2);
}

TEST_F(WorkerAckBatchTest, FailuresGoThroughTheBatchWithTheServersRetryVerdict) {
  const std::map<std::string, int> ids = enqueue("emails", 6);
  EventLog events;
  SpooledWorker worker(*client_, batchingOptions("emails", 6, 1000ms));
  events.attach(worker);
  worker.process([](JobContext& ctx) -> json {
    const int n = ctx.payload["n"];
    if (n % 3 == 1) throw std::runtime_error("try again " + std::to_string(n));
    if (n % 3 == 2) throw NonRetryableError("give up " + std::to_string(n));
    return {{"n", n}};
  });
  worker.start();
  ASSERT_TRUE(events.waitFor(worker_events::jobFailed, 4, 15s)) << events.describe();
  ASSERT_TRUE(events.waitFor(worker_events::jobCompleted, 2, 15s)) << events.describe();
  worker.stop();
  ASSERT_TRUE(worker.waitFor(10s));
  for (const WorkerEvent& e : events.named(worker_events::jobFailed)) {
    const int n = ids.at(e.jobId);
    EXPECT_EQ(e.willRetry, n % 3 == 1) << e.error;
    EXPECT_EQ(e.error, (n % 3 == 1 ? "try again " : "give up ") + std::to_string(n));
    const Job stored = job(e.jobId);
    EXPECT_EQ(stored.lastError.value_or(""), e.error);
    EXPECT_EQ(stored.status, n % 3 == 1 ? "pending" : "deadletter");
  }
  EXPECT_EQ(requestsTo("POST", "/api/v1/jobs/{id}/fail"), 0);
  EXPECT_GT(requestsTo("POST", "/api/v1/jobs/ack"), 0);
}

}  // namespace
}  // namespace spooled::test
