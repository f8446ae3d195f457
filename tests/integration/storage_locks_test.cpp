// Another process holding the SQLite file's locks (docs/reliability.md, "Storage faults"): writes fail
// with 503 within the busy timeout, all of them at once; health, readiness and reads answer promptly
// and say what is wrong; everything recovers when the lock goes.
#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <future>
#include <thread>

#include "support/server_test.hpp"
#include "support/storage_probe.hpp"

namespace spooled::test {
namespace {

using namespace std::chrono_literals;

constexpr int kBusyTimeoutMs = 1000;

// What a second process (here: this test process) does to the database while the server runs.
class ForeignWriteLock {
 public:
  explicit ForeignWriteLock(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK)
      throw std::runtime_error("cannot open " + path);
    sqlite3_busy_timeout(db_, 5000);
    char* error = nullptr;
    if (sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, &error) != SQLITE_OK)
      throw std::runtime_error(std::string("cannot take the write lock: ") + (error ? error : "?"));
  }
  ~ForeignWriteLock() {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_close_v2(db_);
  }
  ForeignWriteLock(const ForeignWriteLock&) = delete;
  ForeignWriteLock& operator=(const ForeignWriteLock&) = delete;

 private:
  sqlite3* db_ = nullptr;
};

// A rogue process holding every read-mark lock of the WAL index (-shm bytes 123-127): SQLite's own
// retry loop would keep a reader spinning for ten seconds, whatever the busy timeout says.
class ForeignReadMarkLock {
 public:
  explicit ForeignReadMarkLock(const std::string& shmPath) : fd_(::open(shmPath.c_str(), O_RDWR)) {
    if (fd_ < 0) throw std::runtime_error("cannot open " + shmPath);
    struct flock lock {};
    lock.l_type = F_WRLCK;
    lock.l_whence = SEEK_SET;
    lock.l_start = 123;  // WAL_READ_LOCK(0): the WAL index's locks start at byte 120
    lock.l_len = 5;      // WAL_READ_LOCK(0..4)
    if (::fcntl(fd_, F_SETLK, &lock) != 0) throw std::runtime_error("cannot lock the read marks of " + shmPath);
  }
  ~ForeignReadMarkLock() { ::close(fd_); }
  ForeignReadMarkLock(const ForeignReadMarkLock&) = delete;
  ForeignReadMarkLock& operator=(const ForeignReadMarkLock&) = delete;

 private:
  int fd_;
};

ServerProcessOptions withBusyTimeout() {
  ServerProcessOptions options;
  options.extraArgs = {"--db-busy-timeout-ms", std::to_string(kBusyTimeoutMs)};
  return options;
}

class StorageLocksTest : public ServerTest {
 protected:
  StorageLocksTest() : ServerTest(withBusyTimeout()) {}

  void SetUp() override {
    ServerTest::SetUp();
    jobId_ = api_->createJob("locks");
  }

  json createBody() const { return {{"queue_name", "locks"}, {"payload", {{"n", 2}}}}; }

  std::string jobId_;
};

TEST_F(StorageLocksTest, WritesFailWithinTheBusyTimeoutWhileHealthAndReadsStayPrompt) {
  auto lock = std::make_unique<ForeignWriteLock>(server_.databasePath());

  // Writes arriving over a busy timeout and a half: each fails within about one busy timeout of its
  // arrival (a queued write is not made to wait a second round behind the one that failed).
  std::vector<std::future<TimedResult>> writes;
  for (int i = 0; i < 6; ++i) {
    writes.push_back(std::async(std::launch::async, [&] {
      HttpClient client(server_.baseUrl(), server_.apiKey());
      return timed([&] { return client.post("/api/v1/jobs", createBody()); });
    }));
    std::this_thread::sleep_for(std::chrono::milliseconds(kBusyTimeoutMs / 4));
  }

  // Meanwhile probes and reads answer at once: nothing they need waits for the writer.
  for (const char* path : {"/health", "/health/live", "/api/v1/jobs", "/api/v1/queues"}) {
    const TimedResult r = timed([&] { return http_->get(path); });
    EXPECT_EQ(r.result.status, 200) << path << " " << r.result.describe();
    EXPECT_LT(r.took, 500ms) << path;
  }
  const TimedResult job = timed([&] { return http_->get("/api/v1/jobs/" + jobId_); });
  EXPECT_EQ(job.result.status, 200) << job.result.describe();
  EXPECT_LT(job.took, 500ms);
  const TimedResult ready = timed([&] { return http_->get("/health/ready"); });
  EXPECT_LT(ready.took, 500ms);

  for (auto& write : writes) {
    const TimedResult r = write.get();
    EXPECT_EQ(r.result.status, 503) << r.result.describe();
    EXPECT_EQ(r.result.body.value("code", ""), "SERVICE_UNAVAILABLE") << r.result.describe();
    EXPECT_EQ(r.result.body.value("details", json::object()).value("cause", ""), "database_locked") << r.result.describe();
    EXPECT_NE(r.result.body.value("message", "").find("locked by another process"), std::string::npos);
    EXPECT_LT(r.took, std::chrono::milliseconds(kBusyTimeoutMs * 2 - 200)) << "a write waited a second round";
  }
  // Readiness tells the truth: writes fail, and /health says which check fails.
  EXPECT_EQ(http_->get("/health/ready").status, 503);
  EXPECT_NE(healthError(*http_, "database_write").find("locked by another process"), std::string::npos);
  EXPECT_EQ(healthError(*http_, "database_read"), "");

  lock.reset();
  EXPECT_TRUE(waitForReadiness(*http_, 200, 5s)) << "readiness did not recover after the lock went";
  EXPECT_EQ(http_->post("/api/v1/jobs", createBody()).status, 201);
}

TEST_F(StorageLocksTest, ReadsFailFastAndHealthAnswersWhileAnotherProcessHoldsTheReadMarks) {
  ForeignReadMarkLock lock(server_.databasePath() + "-shm");

  // Without a bound, SQLite retries a read for about ten seconds here, then fails with a 500.
  const TimedResult job = timed([&] { return http_->get("/api/v1/jobs/" + jobId_); });
  EXPECT_EQ(job.result.status, 503) << job.result.describe();
  EXPECT_EQ(job.result.body.value("details", json::object()).value("cause", ""), "database_locked") << job.result.describe();
  EXPECT_LT(job.took, 2s);

  const TimedResult health = timed([&] { return http_->get("/health"); });
  EXPECT_EQ(health.result.status, 200);
  EXPECT_LT(health.took, 1s);
  EXPECT_EQ(health.result.body.value("database", true), false) << health.result.describe();
  EXPECT_NE(health.result.body["checks"]["database_read"].value("error", "").find("locked"), std::string::npos)
      << health.result.describe();
  const TimedResult ready = timed([&] { return http_->get("/health/ready"); });
  EXPECT_EQ(ready.result.status, 503);
  EXPECT_LT(ready.took, 1s);
}

TEST_F(StorageLocksTest, EverythingWorksAgainOnceTheReadMarksAreFree) {
  { ForeignReadMarkLock lock(server_.databasePath() + "-shm"); EXPECT_EQ(http_->get("/api/v1/jobs/" + jobId_).status, 503); }
  EXPECT_TRUE(waitForReadiness(*http_, 200, 5s));
  EXPECT_EQ(http_->get("/api/v1/jobs/" + jobId_).status, 200);
  EXPECT_EQ(http_->post("/api/v1/jobs", createBody()).status, 201);
}

}  // namespace
}  // namespace spooled::test
