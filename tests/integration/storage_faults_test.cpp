// Faults of the files under a running server (docs/reliability.md, "Storage faults"): the server never
// dies of them, never acknowledges a write that did not reach the database file it will read at the
// next start, answers 503 saying why, and its readiness follows whether writes succeed.
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "support/server_test.hpp"
#include "support/storage_probe.hpp"
#include "support/tmpfs_mount.hpp"

namespace spooled::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

// A SIGBUS inside SQLite jumps out of the call (sqlite_fault_guard.cpp) and abandons what SQLite had
// allocated for it; the faulted connection is never used again. In a sanitizer build that shows as a
// leak at exit, which would make the graceful stop exit 1: leak checks are off for these servers.
ServerProcessOptions faultServerOptions() {
  ServerProcessOptions options;
  options.env["LSAN_OPTIONS"] = "detect_leaks=0";
  return options;
}

class StorageFaultsTest : public ServerTest {
 protected:
  StorageFaultsTest() : ServerTest(faultServerOptions()) {}

  json createBody(std::size_t payloadBytes = 16) const {
    return {{"queue_name", "faults"}, {"payload", {{"blob", std::string(payloadBytes, 'p')}}}};
  }

  void expectStorageFault(const HttpResult& r, const std::string& words) {
    EXPECT_EQ(r.status, 503) << r.describe();
    if (!r.body.is_object()) return ADD_FAILURE() << "no JSON error body: " << r.describe();
    EXPECT_EQ(r.body.value("code", ""), "SERVICE_UNAVAILABLE") << r.describe();
    EXPECT_NE(r.body.value("message", "").find(words), std::string::npos) << r.describe();
  }

  bool processAlive() const { return server_.running() && ::kill(server_.pid(), 0) == 0; }
};

TEST_F(StorageFaultsTest, ADeletedDatabaseFileStopsWritesInsteadOfAcknowledgingThemIntoNowhere) {
  const std::string before = api_->createJob("faults");
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(server_.databasePath() + suffix);

  for (int i = 0; i < 3; ++i)
    expectStorageFault(http_->post("/api/v1/jobs", createBody()), "spooled.db was deleted or moved");
  EXPECT_EQ(http_->get("/health/ready").status, 503);
  EXPECT_NE(healthError(*http_, "database_write").find("deleted"), std::string::npos);
  // What was committed before is still readable from the open file; the process is up.
  EXPECT_EQ(http_->get("/api/v1/jobs/" + before).status, 200);
  EXPECT_EQ(http_->get("/health/live").status, 200);
  EXPECT_NE(server_.stderrText().find("storage fault: the database file spooled.db was deleted"), std::string::npos);
}

TEST_F(StorageFaultsTest, AReplacedDatabaseFileStopsWrites) {
  api_->createJob("faults");
  const std::string db = server_.databasePath();
  fs::copy_file(db, db + ".copy");
  fs::rename(db + ".copy", db);  // what restoring a backup over a running server does

  expectStorageFault(http_->post("/api/v1/jobs", createBody()), "spooled.db was replaced");
  EXPECT_EQ(http_->get("/health/ready").status, 503);
  EXPECT_NE(healthError(*http_, "database_write").find("replaced"), std::string::npos);
}

TEST_F(StorageFaultsTest, ATruncatedShmFileDoesNotKillTheServerAndARestartRecoversEverything) {
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(api_->createJob("faults"));
  // SQLite maps the -shm file; once it is shorter than the mapping, touching it raises SIGBUS.
  fs::resize_file(server_.databasePath() + "-shm", 0);

  expectStorageFault(http_->get("/api/v1/jobs/" + ids[0]), "SIGBUS");
  expectStorageFault(http_->post("/api/v1/jobs", createBody()), "SIGBUS");
  EXPECT_TRUE(processAlive());
  EXPECT_EQ(http_->get("/health/live").status, 200);
  EXPECT_EQ(http_->get("/health/ready").status, 503);
  EXPECT_NE(healthError(*http_, "database_read").find("-shm was truncated"), std::string::npos);
  EXPECT_NE(healthError(*http_, "database_write").find("-shm was truncated"), std::string::npos);
  EXPECT_NE(server_.stderrText().find("storage fault: SIGBUS inside SQLite"), std::string::npos);

  // Graceful stop still works, and the next start rebuilds the WAL index: nothing acknowledged is lost.
  EXPECT_EQ(server_.stop(), 0) << server_.logs();
  server_.restart();
  HttpClient after(server_.baseUrl(), server_.apiKey());
  for (const auto& id : ids) EXPECT_EQ(after.get("/api/v1/jobs/" + id).status, 200) << id;
  EXPECT_EQ(after.post("/api/v1/jobs", createBody()).status, 201);
  EXPECT_EQ(after.get("/health/ready").status, 200);
}

TEST_F(StorageFaultsTest, AFileSizeLimitFailsWritesWith503AndTheServerLives) {
  // ulimit -f on the running server: crossing it raises SIGXFSZ, which kills a process by default.
  struct rlimit original {};
  ASSERT_EQ(::prlimit(server_.pid(), RLIMIT_FSIZE, nullptr, &original), 0);
  struct rlimit limit = original;
  limit.rlim_cur = static_cast<rlim_t>(fs::file_size(server_.databasePath() + "-wal") + 64 * 1024);
  ASSERT_EQ(::prlimit(server_.pid(), RLIMIT_FSIZE, &limit, nullptr), 0);

  HttpResult last;
  for (int i = 0; i < 40 && last.status != 503; ++i) last = http_->post("/api/v1/jobs", createBody(16 * 1024));
  expectStorageFault(last, "I/O error");
  EXPECT_TRUE(processAlive());
  EXPECT_EQ(http_->get("/health/ready").status, 503);
  EXPECT_NE(healthError(*http_, "database_write").find("I/O error"), std::string::npos);

  ASSERT_EQ(::prlimit(server_.pid(), RLIMIT_FSIZE, &original, nullptr), 0) << std::strerror(errno);
  EXPECT_TRUE(waitForReadiness(*http_, 200, 5s)) << "readiness did not recover";
  EXPECT_EQ(http_->post("/api/v1/jobs", createBody()).status, 201);
}

// A server whose database lives on a small tmpfs of its own.
class SmallDiskTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!disk_.mounted()) GTEST_SKIP() << disk_.error();
    ServerProcessOptions options;
    options.databaseDir = disk_.path();
    server_ = std::make_unique<ServerProcess>(options);
    server_->start();
    http_ = std::make_unique<HttpClient>(server_->baseUrl(), server_->apiKey());
  }
  void TearDown() override {
    if (HasFailure() && server_) std::cerr << server_->logs();
  }

  TmpfsMount disk_{4 * 1024 * 1024};
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<HttpClient> http_;
};

TEST_F(SmallDiskTest, AFullDiskFailsWritesWith503ReadinessFollowsAndRecoversWhenSpaceReturns) {
  const std::string filler = disk_.fillLeaving(48 * 1024);
  const json body = {{"queue_name", "full"}, {"payload", {{"blob", std::string(24 * 1024, 'f')}}}};
  HttpResult last;
  for (int i = 0; i < 40 && last.status != 503; ++i) last = http_->post("/api/v1/jobs", body);
  ASSERT_EQ(last.status, 503) << last.describe();
  EXPECT_EQ(last.body.value("details", json::object()).value("cause", ""), "disk_full") << last.describe();
  EXPECT_NE(last.body.value("message", "").find("the disk is full"), std::string::npos);
  EXPECT_EQ(http_->get("/health/ready").status, 503);
  EXPECT_EQ(healthError(*http_, "database_write"), "the disk is full");
  EXPECT_EQ(healthError(*http_, "database_read"), "");

  fs::remove(filler);
  EXPECT_TRUE(waitForReadiness(*http_, 200, 5s)) << "readiness did not recover with free space";
  EXPECT_EQ(http_->post("/api/v1/jobs", body).status, 201);
}

TEST_F(SmallDiskTest, AReadOnlyDatabaseIsRefusedAtStartWithAReason) {
  const std::string id = ApiSteps(*http_).createJob("ro");
  server_->kill();  // leaves the -wal and -shm behind, as a crash does
  disk_.setReadOnly(true);
  const CommandResult run = runServerCommand({"--port", "0", "--database-url", server_->databaseUrl()}, 20s);
  disk_.setReadOnly(false);
  EXPECT_EQ(run.exitCode, 1) << run.stderrText;
  EXPECT_NE(run.stderrText.find("can only be read"), std::string::npos) << run.stderrText;
}

}  // namespace
}  // namespace spooled::test
