// The crash loop (docs/reliability.md, "Crash loop"): under concurrent creates, claims, completes and
// fails, SIGKILL the server at random moments, some of them during start-up, and restart it on the same
// database file. After every restart each acknowledged create and completion is there; no completed job
// is ever handed out again; a final drain completes every job, and no job is completed twice.
#include <atomic>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "support/server_test.hpp"

namespace spooled::test {
namespace {

using namespace std::chrono_literals;

constexpr int kRounds = 24;
constexpr int kLeaseSecs = 5;  // the shortest lease: jobs held by a killed round come back soonest
const char* const kQueue = "crash";

// What the server acknowledged, and what contradicted an acknowledgement.
class Ledger {
 public:
  void created(const std::string& id) {
    std::lock_guard lock(mutex_);
    created_.insert(id);
    pendingCheck_.push_back({id, false});
  }
  void completed(const std::string& id) {
    std::lock_guard lock(mutex_);
    if (++completions_[id] > 1) violations_.push_back("job " + id + " acknowledged as completed twice");
    pendingCheck_.push_back({id, true});
  }
  void failed() { ++fails_; }
  // A claim handed out this job: it must not be one whose completion was acknowledged.
  void claimed(const std::string& id) {
    std::lock_guard lock(mutex_);
    ++claims_;
    if (completions_.count(id) != 0) violations_.push_back("job " + id + " handed out again after its completion");
  }
  void violation(const std::string& what) {
    std::lock_guard lock(mutex_);
    violations_.push_back(what);
  }
  // The acknowledgements of the last round, to check after the restart.
  std::vector<std::pair<std::string, bool>> takeUnchecked() {
    std::lock_guard lock(mutex_);
    return std::exchange(pendingCheck_, {});
  }

  std::set<std::string> createdIds() const {
    std::lock_guard lock(mutex_);
    return created_;
  }
  bool wasCompleted(const std::string& id) const {
    std::lock_guard lock(mutex_);
    return completions_.count(id) != 0;
  }
  std::size_t completions() const {
    std::lock_guard lock(mutex_);
    return completions_.size();
  }
  std::vector<std::string> violations() const {
    std::lock_guard lock(mutex_);
    return violations_;
  }
  long fails() const { return fails_; }
  long claims() const {
    std::lock_guard lock(mutex_);
    return claims_;
  }

 private:
  mutable std::mutex mutex_;
  std::set<std::string> created_;
  std::map<std::string, int> completions_;
  std::vector<std::pair<std::string, bool>> pendingCheck_;  // (id, completed?) acknowledged since the last check
  std::vector<std::string> violations_;
  long claims_ = 0;
  std::atomic<long> fails_ = 0;
};

class CrashLoopTest : public ::testing::Test {
 protected:
  static ServerProcessOptions quiet() {
    ServerProcessOptions options;
    options.extraArgs = {"--log-level", "warn"};
    return options;
  }

  std::unique_ptr<HttpClient> client() const {
    auto http = std::make_unique<HttpClient>(server_.baseUrl(), server_.apiKey());
    http->setTimeoutMs(5000);
    return http;
  }

  void produce(const std::atomic<bool>& stop) {
    auto http = client();
    while (!stop) {
      const HttpResult r = http->post(
          "/api/v1/jobs", {{"queue_name", kQueue}, {"payload", {{"round", round_}}}, {"max_retries", 100}});
      if (r.status == 201) ledger_.created(r.body.at("id").get<std::string>());
      else if (r.status == 0) std::this_thread::sleep_for(2ms);  // the server is down until the next round
    }
  }

  void work(const std::atomic<bool>& stop, unsigned seed) {
    auto http = client();
    std::mt19937 random(seed);
    std::string workerId;
    while (!stop && workerId.empty()) {
      const HttpResult r = http->post("/api/v1/workers/register", {{"queue_name", kQueue}, {"hostname", "crash"}});
      if (r.status == 201) workerId = r.body.at("id").get<std::string>();
      else std::this_thread::sleep_for(2ms);
    }
    while (!stop) {
      const HttpResult r = http->post("/api/v1/jobs/claim", {{"queue_name", kQueue}, {"worker_id", workerId},
                                                            {"limit", 5}, {"lease_duration_secs", kLeaseSecs}});
      if (r.status != 200) {
        std::this_thread::sleep_for(2ms);
        continue;
      }
      for (const json& job : r.body.at("jobs")) {
        const std::string id = job.at("id").get<std::string>();
        ledger_.claimed(id);
        // A first attempt fails now and then (its retry is due about 2 s later); the rest complete.
        const bool fail = job.value("retry_count", 0) == 0 && random() % 5 == 0;
        const json body = fail ? json{{"worker_id", workerId}, {"lease_id", job.at("lease_id")},
                                      {"error", "crash loop"}, {"retryable", true}}
                               : json{{"worker_id", workerId}, {"lease_id", job.at("lease_id")},
                                      {"result", {{"by", workerId}}}};
        const HttpResult settled = http->post("/api/v1/jobs/" + id + (fail ? "/fail" : "/complete"), body);
        if (settled.status == 200) fail ? ledger_.failed() : ledger_.completed(id);
      }
    }
  }

  // Statuses of these jobs, 100 per request (GET /jobs/status).
  std::map<std::string, std::string> statuses(HttpClient& http, const std::vector<std::string>& ids) {
    std::map<std::string, std::string> out;
    for (std::size_t i = 0; i < ids.size(); i += 100) {
      std::string query;
      for (std::size_t k = i; k < std::min(ids.size(), i + 100); ++k) query += (query.empty() ? "" : ",") + ids[k];
      const HttpResult r = http.get("/api/v1/jobs/status?ids=" + query);
      if (r.status != 200) throw std::runtime_error("batch status: " + r.describe());
      for (const json& job : r.body) out[job.at("id").get<std::string>()] = job.at("status").get<std::string>();
    }
    return out;
  }

  // After a restart: everything acknowledged in the last round is there.
  void checkLastRound() {
    const auto unchecked = ledger_.takeUnchecked();
    std::vector<std::string> ids;
    for (const auto& [id, completed] : unchecked) ids.push_back(id);
    auto http = client();
    const auto found = statuses(*http, ids);
    for (const auto& [id, completed] : unchecked) {
      ++checked_;
      const auto it = found.find(id);
      if (it == found.end()) ledger_.violation("acknowledged job " + id + " is gone after the restart");
      else if (completed && it->second != "completed")
        ledger_.violation("job " + id + " acknowledged as completed is " + it->second + " after the restart");
    }
  }

  ServerProcess server_{quiet()};
  Ledger ledger_;
  int round_ = 0;
  long checked_ = 0;
};

TEST_F(CrashLoopTest, NothingAcknowledgedIsLostAndNothingIsDoneTwice) {
  const unsigned seed = std::random_device{}();
  std::mt19937 random(seed);
  std::cout << "crash loop seed " << seed << "\n";
  int startupKills = 0;
  // How long a start takes until /health answers (the shortest seen so far): start-up kills land in it.
  auto startup = std::chrono::microseconds(20000);

  for (round_ = 0; round_ < kRounds; ++round_) {
    if (round_ % 4 == 0) {
      // Killed during start-up (round 0: while the very first migrations run on a new file).
      server_.launch();
      std::this_thread::sleep_for(std::chrono::microseconds(random() % startup.count()));
      server_.kill();
      ++startupKills;
      continue;
    }
    const auto started = std::chrono::steady_clock::now();
    server_.restart();
    startup = std::min(startup, std::chrono::duration_cast<std::chrono::microseconds>(
                                    std::chrono::steady_clock::now() - started));
    checkLastRound();
    std::atomic<bool> stop = false;
    std::vector<std::thread> clients;
    for (int i = 0; i < 2; ++i) clients.emplace_back([&] { produce(stop); });
    for (int i = 0; i < 2; ++i) clients.emplace_back([&, s = static_cast<unsigned>(random())] { work(stop, s); });
    std::this_thread::sleep_for(std::chrono::milliseconds(150 + random() % 450));
    server_.kill();
    stop = true;
    for (auto& t : clients) t.join();
  }

  // The drain: every job ends completed, once. Jobs of killed rounds come back when their lease ends.
  server_.restart();
  checkLastRound();
  auto http = client();
  ApiSteps api(*http);
  const std::string drainer = api.registerWorker(kQueue);
  long drained = 0;
  const auto created = ledger_.createdIds();
  const bool done = waitUntil(
      [&] {
        const json jobs = api.claim(kQueue, drainer, {{"limit", 100}, {"lease_duration_secs", 60}});
        for (const json& job : jobs) {
          const std::string id = job.at("id").get<std::string>();
          ledger_.claimed(id);
          if (api.settle("complete", job, drainer).status == 200) {
            ledger_.completed(id);
            ++drained;
          }
        }
        const HttpResult stats = http->get("/api/v1/jobs/stats");
        return stats.status == 200 && stats.body.value("completed", -1) == stats.body.value("total", -2);
      },
      40s);
  const HttpResult stats = http->get("/api/v1/jobs/stats");
  EXPECT_TRUE(done) << "the drain did not complete every job: " << stats.describe();

  const std::vector<std::string> ids(created.begin(), created.end());
  long lost = 0;
  const auto found = statuses(*http, ids);
  for (const auto& id : ids) {
    const auto it = found.find(id);
    if (it == found.end()) ++lost, ledger_.violation("acknowledged job " + id + " is missing at the end");
    else if (it->second != "completed") ledger_.violation("job " + id + " ends " + it->second);
  }
  const auto violations = ledger_.violations();
  for (const auto& v : violations) ADD_FAILURE() << v;
  EXPECT_EQ(server_.stop(), 0);

  std::cout << "crash loop: " << kRounds << " rounds (" << startupKills << " killed during start-up, within "
            << startup.count() / 1000.0 << " ms of the spawn), "
            << stats.body.value("total", 0) << " jobs, " << created.size() << " acknowledged creates, "
            << ledger_.completions() - drained << " acknowledged completions under load + " << drained
            << " in the drain, " << ledger_.fails() << " acknowledged fails, " << ledger_.claims() << " jobs claimed, "
            << checked_ << " acknowledgements checked after restarts, " << lost << " lost, "
            << violations.size() << " violations (double or lost)\n";
}

}  // namespace
}  // namespace spooled::test
