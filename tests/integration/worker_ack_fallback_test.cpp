// SpooledWorker against servers without our batched-acknowledgement route, and the per-item errors of
// a batch compared with the single calls': a proxy in front of a real server that refuses
// POST /api/v1/jobs/ack (as an official server would), and a fake server that refuses one lease.
#include <atomic>
#include <map>

#include "sdk_http_stub.hpp"
#include "support/worker_fixture.hpp"

namespace spooled::test {
namespace {

constexpr const char* kAckPath = "/api/v1/jobs/ack";

StubResponse reply(int status, std::string body) {
  StubResponse response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

class WorkerAckFallbackTest : public WorkerFixture {
 protected:
  // Forwards every request to the real server, except the ack route, which gets `ackStatus`.
  std::unique_ptr<HttpStub> proxyWithoutAckRoute(int ackStatus) {
    const std::string target = server_.baseUrl();
    const std::string key = server_.apiKey();
    return std::make_unique<HttpStub>([=](const StubRequest& request, int) {
      if (request.target == kAckPath) {
        const char* code = ackStatus == 405 ? "METHOD_NOT_ALLOWED" : "NOT_FOUND";
        return reply(ackStatus, json{{"code", code}, {"message", "no such route"}}.dump());
      }
      HttpClient upstream(target, key);
      const std::optional<json> body =
          request.body.empty() ? std::nullopt : std::optional<json>(json::parse(request.body));
      const HttpResult r = upstream.request(request.method, request.target, body);
      return reply(static_cast<int>(r.status), r.rawBody);
    });
  }

  static int countRequests(const HttpStub& stub, const std::string& method, const std::string& suffix) {
    int n = 0;
    for (const StubRequest& r : stub.requests()) {
      const bool match = r.target.size() >= suffix.size() && r.target.ends_with(suffix);
      n += r.method == method && match ? 1 : 0;
    }
    return n;
  }

  void settlesEveryJobOneByOneBehindAProxyAnswering(int ackStatus) {
    constexpr int kJobs = 20;
    for (int i = 0; i < kJobs; ++i) createJob("emails", {{"n", i}});
    const auto proxy = proxyWithoutAckRoute(ackStatus);
    ClientOptions options = clientOptions();
    options.baseUrl = proxy->baseUrl();
    SpooledClient viaProxy(options);
    EventLog events;
    WorkerOptions workerOptions = fastOptions("emails");
    workerOptions.concurrency = 4;
    SpooledWorker worker(viaProxy, workerOptions);
    events.attach(worker);
    worker.process([](JobContext& ctx) -> json { return {{"n", ctx.payload["n"]}}; });
    worker.start();
    ASSERT_TRUE(events.waitFor(worker_events::jobCompleted, kJobs, 30s)) << events.describe();
    worker.stop();
    ASSERT_TRUE(worker.waitFor(10s));

    std::set<std::string> completed;
    for (const WorkerEvent& e : events.named(worker_events::jobCompleted)) completed.insert(e.jobId);
    EXPECT_EQ(completed.size(), static_cast<std::size_t>(kJobs));
    EXPECT_EQ(events.count(worker_events::error), 0u) << events.describe();
    EXPECT_EQ(client_->jobs().stats().completed, kJobs);
    // Tried once, remembered: every job then went through its own complete.
    EXPECT_EQ(countRequests(*proxy, "POST", kAckPath), 1);
    EXPECT_EQ(countRequests(*proxy, "POST", "/complete"), kJobs);
  }
};

TEST_F(WorkerAckFallbackTest, WithoutTheRoute404TheWorkerSettlesEachJobWithItsOwnCall) {
  settlesEveryJobOneByOneBehindAProxyAnswering(404);
}

TEST_F(WorkerAckFallbackTest, WithoutTheRoute405TheWorkerSettlesEachJobWithItsOwnCall) {
  settlesEveryJobOneByOneBehindAProxyAnswering(405);
}

// A fake server that hands out two jobs and refuses the lease of the second, on the ack route per
// item and on the single complete with 409, as our server does.
class FakeServer {
 public:
  static constexpr const char* kGood = "0b6f3c1e-0000-4000-8000-000000000001";
  static constexpr const char* kStale = "0b6f3c1e-0000-4000-8000-000000000002";

  FakeServer()
      : stub_([this](const StubRequest& r, int) { return answer(r); }) {}
  std::string baseUrl() const { return stub_.baseUrl(); }
  int ackRequests() const { return countAcks_; }

 private:
  static json claimed(const char* id) {
    return {{"id", id},          {"queue_name", "q"},        {"payload", json::object()}, {"retry_count", 0},
            {"max_retries", 3},  {"timeout_seconds", 300},   {"lease_id", std::string("lease-") + id}};
  }
  static StubResponse ok(const json& body) { return reply(200, body.dump()); }
  static json leaseExpired() {
    return {{"code", "LEASE_EXPIRED"}, {"message", "Lease expired or not held by this worker"}};
  }

  StubResponse answer(const StubRequest& r) {
    if (r.target == "/api/v1/workers/register") return ok({{"id", "worker-1"}, {"queue_name", "q"}});
    if (r.target == "/api/v1/jobs/claim") {
      if (claims_++ == 0) return ok({{"jobs", {claimed(kGood), claimed(kStale)}}});
      return ok({{"jobs", json::array()}});
    }
    if (r.target == kAckPath) {
      ++countAcks_;
      const json body = json::parse(r.body);
      json results = json::array();
      for (const json& item : body.at("acks")) {
        if (item.at("job_id") == kStale) {
          results.push_back({{"job_id", kStale}, {"success", false}, {"error", leaseExpired()}});
        } else {
          results.push_back({{"job_id", item.at("job_id")}, {"success", true}});
        }
      }
      return ok({{"results", results}, {"jobs", json::array()}});
    }
    if (r.target == std::string("/api/v1/jobs/") + kStale + "/complete") {
      return reply(409, leaseExpired().dump());
    }
    return ok({{"success", true}});  // complete of the good job, heartbeats, deregister
  }

  std::atomic<int> claims_{0};
  std::atomic<int> countAcks_{0};
  HttpStub stub_;
};

struct Reported {
  std::vector<std::string> completed;
  std::vector<WorkerEvent> errors;
};

Reported runAgainst(const FakeServer& fake, bool batchAcks) {
  ClientOptions options;
  options.baseUrl = fake.baseUrl();
  options.apiKey = "sk_test_fake_0123456789";
  options.circuitBreaker.enabled = false;
  SpooledClient client(options);
  EventLog events;
  SpooledWorker worker(client, WorkerOptions{.queueName = "q",
                                             .concurrency = 2,
                                             .pollInterval = 50ms,
                                             .leaseDuration = 5s,
                                             .heartbeatInterval = 1000ms,
                                             .batchAcks = batchAcks});
  events.attach(worker);
  worker.process([](JobContext&) -> json { return {{"ok", true}}; });
  worker.start();
  EXPECT_TRUE(events.waitFor(worker_events::jobCompleted, 1, 10s)) << events.describe();
  EXPECT_TRUE(events.waitFor(worker_events::error, 1, 10s)) << events.describe();
  worker.stop();
  EXPECT_TRUE(worker.waitFor(10s));
  Reported reported;
  for (const WorkerEvent& e : events.named(worker_events::jobCompleted)) reported.completed.push_back(e.jobId);
  reported.errors = events.named(worker_events::error);
  return reported;
}

TEST(WorkerAckOutcomeTest, AStaleLeaseInABatchIsReportedExactlyAsTheSingleCompleteReportsIt) {
  const FakeServer batching;
  const Reported batched = runAgainst(batching, true);
  EXPECT_EQ(batching.ackRequests(), 1);
  const FakeServer single;
  const Reported oneByOne = runAgainst(single, false);
  EXPECT_EQ(single.ackRequests(), 0);

  for (const Reported* r : {&batched, &oneByOne}) {
    EXPECT_EQ(r->completed, std::vector<std::string>{FakeServer::kGood});
    ASSERT_EQ(r->errors.size(), 1u);
    const WorkerEvent& e = r->errors[0];
    EXPECT_EQ(e.jobId, FakeServer::kStale);
    EXPECT_EQ(conflictCode(e), "LEASE_EXPIRED");
  }
  EXPECT_EQ(batched.errors[0].error, oneByOne.errors[0].error);
  EXPECT_EQ(batched.errors[0].error,
            std::string("could not complete job ") + FakeServer::kStale + ": Lease expired or not held by this worker");
}

}  // namespace
}  // namespace spooled::test
