// Limits that hold for the cluster, not per process: two and three spooled-server processes on one
// PostgreSQL database, clients on every one of them at once. A queue's rate_limit caps the claims of
// all servers together, and an API key's rate gets 429s at the cluster's rate, not N times it.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "support/account_steps.hpp"
#include "support/api_steps.hpp"
#include "support/pg_servers_test.hpp"

namespace spooled::test {
namespace {

using namespace std::chrono_literals;

class PgClusterLimitsTest : public PgServersTest {
 protected:
  // Jobs claimed from a queue with rate_limit `rate` in `seconds` by two workers on each server.
  int claimedThroughAllServers(int servers, int rate, std::chrono::seconds seconds) {
    startServers(servers);  // with a request rate far above what the workers send
    auto admin = client(0);
    expectStatus(admin->request("PUT", "/api/v1/queues/limited/config", json{{"rate_limit", rate}}), 200, "config");
    ApiSteps steps(*admin);
    const int jobs = rate * static_cast<int>(seconds.count() + 2) * 2;
    for (int made = 0; made < jobs; made += 100) {
      json batch = json::array();
      for (int i = 0; i < 100; ++i) batch.push_back({{"payload", {{"n", made + i}}}});
      expectStatus(admin->post("/api/v1/jobs/bulk", {{"queue_name", "limited"}, {"jobs", batch}}), 200, "bulk");
    }
    std::atomic<int> claimed = 0;
    const auto deadline = std::chrono::steady_clock::now() + seconds;
    std::vector<std::thread> workers;
    for (int w = 0; w < servers * 2; ++w) {
      workers.emplace_back([&, w] {
        auto http = client(static_cast<std::size_t>(w % servers));
        ApiSteps api(*http);
        const std::string workerId = api.registerWorker("limited");
        while (std::chrono::steady_clock::now() < deadline) {
          const json got = api.claim("limited", workerId, {{"limit", 5}});
          claimed += static_cast<int>(got.size());
          if (got.empty()) std::this_thread::sleep_for(10ms);  // poll interval of an idle worker
        }
      });
    }
    for (auto& t : workers) t.join();
    return claimed;
  }

  // 200s for one key with rate_limit `rate` (burst twice that) in `seconds`, four clients per server.
  int admittedThroughAllServers(int servers, int rate, std::chrono::seconds seconds) {
    startServers(servers);
    auto admin = client(0);
    const std::string key = AccountSteps::createKey(*admin, {{"name", "limited"}, {"rate_limit", rate}}).at("key");
    std::atomic<int> admitted = 0, refused = 0, other = 0;
    const auto deadline = std::chrono::steady_clock::now() + seconds;
    std::vector<std::thread> clients;
    for (int c = 0; c < servers * 4; ++c) {
      clients.emplace_back([&, c] {
        HttpClient http(servers_[static_cast<std::size_t>(c % servers)]->baseUrl(), key);
        while (std::chrono::steady_clock::now() < deadline) {
          const int status = http.tryGet("/api/v1/queues");
          status == 200 ? ++admitted : status == 429 ? ++refused : ++other;
          std::this_thread::sleep_for(5ms);  // each client offers ~150 requests a second
        }
      });
    }
    for (auto& t : clients) t.join();
    EXPECT_EQ(other, 0);
    EXPECT_GT(refused, admitted) << "the clients did not offer more than the limit";
    return admitted;
  }
};

// The bucket starts full (one second's worth), then refills at `rate`: rate * (seconds + 1) in all.
void expectWithinTenPercent(int measured, double expected, const std::string& what) {
  EXPECT_GE(measured, expected * 0.9) << what;
  EXPECT_LE(measured, expected * 1.1) << what << " (per-process limits would allow several times more)";
}

TEST_F(PgClusterLimitsTest, AQueueRateLimitHoldsForTwoServersTogether) {
  const int claimed = claimedThroughAllServers(2, 20, 5s);
  expectWithinTenPercent(claimed, 20 * 6, "jobs claimed at rate_limit 20 through 2 servers in 5 s");
}

TEST_F(PgClusterLimitsTest, AQueueRateLimitHoldsForThreeServersTogether) {
  const int claimed = claimedThroughAllServers(3, 20, 5s);
  expectWithinTenPercent(claimed, 20 * 6, "jobs claimed at rate_limit 20 through 3 servers in 5 s");
}

// A key's burst is twice its rate: 2 * rate + rate * seconds admitted in all.
TEST_F(PgClusterLimitsTest, AKeysRequestRateHoldsForTwoServersTogether) {
  const int admitted = admittedThroughAllServers(2, 20, 5s);
  expectWithinTenPercent(admitted, 20 * 7, "requests admitted at rate 20 through 2 servers in 5 s");
}

TEST_F(PgClusterLimitsTest, AKeysRequestRateHoldsForThreeServersTogether) {
  const int admitted = admittedThroughAllServers(3, 20, 5s);
  expectWithinTenPercent(admitted, 20 * 7, "requests admitted at rate 20 through 3 servers in 5 s");
}

}  // namespace
}  // namespace spooled::test
