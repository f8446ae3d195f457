// Several spooled-server processes on one PostgreSQL database, as behind a load balancer: every job
// runs exactly once, an idempotency key makes one job whichever servers receive it, a parked claim
// wakes when another server creates a job, the background duties move when their holder dies, and a
// database restart costs 503s for a while but nothing acknowledged.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include "server/store/store.hpp"
#include "support/api_steps.hpp"
#include "support/pg_cluster.hpp"
#include "support/pg_servers_test.hpp"
#include "support/server_process.hpp"

namespace spooled::test {
namespace {

using namespace std::chrono_literals;

using PgClusterTest = PgServersTest;

TEST_F(PgClusterTest, ThreeServersWithWorkersOnEachRunEveryJobExactlyOnce) {
  startServers(3);
  constexpr int kJobs = 450;
  {
    auto http = client(0);
    for (int batch = 0; batch < kJobs / 50; ++batch) {
      json jobs = json::array();
      for (int i = 0; i < 50; ++i) jobs.push_back({{"payload", {{"n", batch * 50 + i}}}});
      expectStatus(http->post("/api/v1/jobs/bulk", {{"queue_name", "shared"}, {"jobs", jobs}}), 200, "bulk");
    }
  }
  std::mutex mutex;
  std::multiset<std::string> completed;
  std::atomic<int> failures = 0;
  std::vector<std::thread> workers;
  for (int w = 0; w < 6; ++w) {
    workers.emplace_back([&, w] {
      auto http = client(static_cast<std::size_t>(w % 3));
      ApiSteps api(*http);
      const std::string workerId = api.registerWorker("shared");
      for (int idle = 0; idle < 3;) {
        const json jobs = api.claim("shared", workerId, {{"limit", 5}});
        if (jobs.empty()) {
          ++idle;
          continue;
        }
        idle = 0;
        for (const json& job : jobs) {
          if (api.settle("complete", job, workerId, {{"result", {{"by", w}}}}).status != 200) ++failures;
          std::lock_guard lock(mutex);
          completed.insert(job.at("id").get<std::string>());
        }
      }
    });
  }
  for (auto& t : workers) t.join();
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(completed.size(), static_cast<std::size_t>(kJobs));
  EXPECT_EQ(std::set<std::string>(completed.begin(), completed.end()).size(), static_cast<std::size_t>(kJobs))
      << "a job was handed out twice";
  auto store = server::openStore(url_);
  store->read([&](server::StoreReader& r) {
    const auto org = r.listOrganizations().front().id;
    auto counts = r.countJobsByStatus(org, std::string("shared"));
    EXPECT_EQ(counts[server::JobStatus::Completed], kJobs);
  });
}

TEST_F(PgClusterTest, AnIdempotencyKeySentToTwoServersAtOnceCreatesOneJob) {
  startServers(2);
  for (int round = 0; round < 15; ++round) {
    const json body = {{"queue_name", "orders"}, {"payload", {{"round", round}}},
                       {"idempotency_key", "order-" + std::to_string(round)}};
    std::vector<HttpResult> results(4);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
      threads.emplace_back([&, t] { results[t] = client(static_cast<std::size_t>(t % 2))->post("/api/v1/jobs", body); });
    for (auto& t : threads) t.join();
    int created = 0;
    std::set<std::string> ids;
    for (const auto& r : results) {
      ASSERT_TRUE(r.status == 201 || r.status == 200) << r.describe();
      created += r.status == 201 ? 1 : 0;
      ids.insert(r.body.at("id").get<std::string>());
    }
    EXPECT_EQ(created, 1) << "round " << round;
    EXPECT_EQ(ids.size(), 1u) << "round " << round;
  }
}

TEST_F(PgClusterTest, AClaimParkedOnOneServerWakesWhenAnotherCreatesAJob) {
  startServers(2);
  auto creator = client(0);
  ApiSteps creatorSteps(*creator);
  auto waiter = client(1);
  waiter->setTimeoutMs(20000);
  ApiSteps waiterSteps(*waiter);
  const std::string workerId = waiterSteps.registerWorker("wake");
  // Without a cross-server wake-up the parked claim only notices the job at the once-a-second probe.
  for (int round = 0; round < 3; ++round) {
    std::atomic<bool> parked = false;
    std::chrono::steady_clock::time_point createdAt;
    json claimed;
    std::thread claim([&] {
      parked = true;
      claimed = waiterSteps.claim("wake", workerId, {{"wait_ms", 15000}});
    });
    ASSERT_TRUE(waitUntil([&] { return parked.load(); }, 5s));
    std::this_thread::sleep_for(300ms);  // the claim is parked by now (it has no event to wait on)
    createdAt = std::chrono::steady_clock::now();
    creatorSteps.createJob("wake");
    claim.join();
    const auto latency = std::chrono::steady_clock::now() - createdAt;
    ASSERT_EQ(claimed.size(), 1u);
    EXPECT_LT(latency, 400ms) << "round " << round;
    waiterSteps.settle("complete", claimed[0], workerId);
  }
}

TEST_F(PgClusterTest, WhenTheDutyHolderIsKilledAnotherServerTakesOverTheReaper) {
  startServers(2);
  const std::string line = "now runs the cluster's background duties";
  std::size_t holder = 2;
  ASSERT_TRUE(waitUntil(
      [&] {
        for (std::size_t i = 0; i < 2; ++i)
          if (servers_[i]->stdoutText().find(line) != std::string::npos ||
              servers_[i]->stderrText().find(line) != std::string::npos)
            holder = i;
        return holder < 2;
      },
      10s));
  const std::size_t other = 1 - holder;
  // A job whose worker vanished: its lease runs out after 5 s and only the reaper brings it back.
  auto http = client(other);
  ApiSteps api(*http);
  const std::string jobId = api.createJob("reap", {{"max_retries", 3}});
  const std::string workerId = api.registerWorker("reap");
  ASSERT_EQ(api.claim("reap", workerId, {{"lease_duration_secs", 5}}).size(), 1u);
  servers_[holder]->kill();
  const auto killedAt = std::chrono::steady_clock::now();
  EXPECT_TRUE(waitUntil(
      [&] {
        const std::string logs = servers_[other]->stdoutText() + servers_[other]->stderrText();
        return logs.find(line) != std::string::npos;
      },
      5s))
      << "the other server did not take the duties within 5 s";
  EXPECT_TRUE(waitUntil([&] { return api.getJob(jobId).at("status") == "pending"; }, 15s))
      << "the expired lease was not reaped";
  EXPECT_LT(std::chrono::steady_clock::now() - killedAt, 15s);
}

TEST_F(PgClusterTest, ADatabaseRestartMidLoadCosts503sButNothingAcknowledged) {
  auto cluster = PgCluster::create();  // its own cluster: restarting the shared one would disturb other tests
  startServers(2, cluster->createDatabase());
  std::mutex mutex;
  std::vector<std::string> acknowledged;
  std::atomic<int> unavailable = 0, other = 0;
  std::atomic<bool> stop = false;
  std::vector<std::thread> loaders;
  for (int t = 0; t < 4; ++t) {
    loaders.emplace_back([&, t] {
      auto http = client(static_cast<std::size_t>(t % 2));
      http->setTimeoutMs(10000);
      for (int i = 0; !stop; ++i) {
        const HttpResult r = http->post("/api/v1/jobs", {{"queue_name", "load"}, {"payload", {{"t", t}, {"i", i}}}});
        if (r.status == 201) {
          std::lock_guard lock(mutex);
          acknowledged.push_back(r.body.at("id").get<std::string>());
        } else if (r.status == 503) {
          ++unavailable;
        } else {
          ++other;
        }
      }
    });
  }
  auto acknowledgedCount = [&] {
    std::lock_guard lock(mutex);
    return acknowledged.size();
  };
  ASSERT_TRUE(waitUntil([&] { return acknowledgedCount() > 100; }, 20s));
  cluster->stop();
  EXPECT_TRUE(waitUntil([&] { return unavailable > 20; }, 10s)) << "no 503 while the database was down";
  cluster->start();
  const std::size_t before = acknowledgedCount();
  EXPECT_TRUE(waitUntil([&] { return acknowledgedCount() > before + 100; }, 20s)) << "the servers did not recover";
  for (auto& server : servers_) {
    HttpClient health(server->baseUrl(), std::nullopt);
    EXPECT_TRUE(waitUntil([&] { return health.tryGet("/health/ready") == 200; }, 10s));
  }
  stop = true;
  for (auto& t : loaders) t.join();
  EXPECT_EQ(other, 0);
  auto store = server::openStore(url_);
  std::size_t missing = 0;
  store->read([&](server::StoreReader& r) {
    const auto org = r.listOrganizations().front().id;
    for (const auto& id : acknowledged) missing += r.findJob(org, id) ? 0 : 1;
  });
  EXPECT_EQ(missing, 0u) << "of " << acknowledged.size() << " acknowledged jobs";
  servers_.clear();  // before the cluster goes
}

}  // namespace
}  // namespace spooled::test
