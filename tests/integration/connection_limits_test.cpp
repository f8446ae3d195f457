// What a client sees at the connection limit (503, then room again once a connection closes), and a
// server out of file descriptors: it pauses accepting instead of spinning, logs a bounded number of
// lines, keeps serving the connections it has, and accepts again once descriptors are free.
#include <sys/resource.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "support/raw_connection.hpp"
#include "support/server_test.hpp"

namespace spooled::test {
namespace {

using namespace std::chrono_literals;

constexpr const char* kProbe = "GET /health/live HTTP/1.1\r\nHost: localhost\r\n\r\n";

// A connection that sent one request and holds the answer.
struct Probe {
  std::unique_ptr<RawConnection> connection;
  std::optional<RawResponse> response;
};

Probe probe(int port) {
  Probe p{std::make_unique<RawConnection>(port), std::nullopt};
  p.connection->send(kProbe);
  p.response = p.connection->readResponse(10s);
  return p;
}

TEST(ConnectionLimitTest, AboveTheLimitANewConnectionGets503AndRoomReturnsWhenOneCloses) {
  ServerProcessOptions options;
  options.env["MAX_CONNECTIONS"] = "3";  // the variable of --max-connections
  ServerProcess server(options);
  server.start();
  // Hold three connections. The start-up health probe's connection may still be closing, so a 503
  // before we hold three is retried until the deadline.
  std::vector<Probe> held;
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (held.size() < 3 && std::chrono::steady_clock::now() < deadline) {
    Probe p = probe(server.port());
    ASSERT_TRUE(p.response.has_value());
    if (p.response->status == 200) held.push_back(std::move(p));
  }
  ASSERT_EQ(held.size(), 3u);

  RawConnection refused(server.port());
  refused.send(kProbe);
  const auto got = refused.readUntilClosed(5s);
  const auto responses = parseResponses(got.bytes);
  ASSERT_EQ(responses.size(), 1u) << got.bytes;
  EXPECT_EQ(responses[0].status, 503);
  EXPECT_EQ(responses[0].bodyJson().value("code", ""), "SERVICE_UNAVAILABLE");
  EXPECT_NE(responses[0].bodyJson().value("message", "").find("connection limit"), std::string::npos);
  EXPECT_EQ(responses[0].headers.count("connection") ? responses[0].headers.at("connection") : "", "close");
  EXPECT_TRUE(responses[0].headers.count("retry-after"));
  EXPECT_TRUE(got.closed);

  // The held connections are still served.
  ASSERT_TRUE(held[0].connection->send(kProbe));
  const auto again = held[0].connection->readResponse(5s);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->status, 200);

  held.pop_back();  // closes one
  EXPECT_TRUE(waitUntil([&] { return probe(server.port()).response.value_or(RawResponse{}).status == 200; }, 10s));
  EXPECT_NE(server.stderrText().find("connection limit reached"), std::string::npos);
  if (::testing::Test::HasFailure()) std::cerr << server.logs();
}

TEST(ConnectionLimitFlag, OutOfRangeIsRefusedAtStart) {
  const auto result = runServerCommand({"--max-connections", "0"}, 10s);
  EXPECT_EQ(result.exitCode, 2);
  EXPECT_NE(result.stderrText.find("--max-connections"), std::string::npos) << result.stderrText;
}

// ---- out of file descriptors ----

std::size_t openDescriptors(pid_t pid) {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd")) ++n;
  return n;
}

// User plus system CPU time the process has used, in clock ticks.
long cpuTicks(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::istringstream fields(stat.substr(stat.rfind(')') + 2));  // after "pid (comm) "
  std::string field;
  long utime = 0, stime = 0;
  for (int i = 3; fields >> field; ++i) {
    if (i == 14) utime = std::stol(field);
    if (i == 15) {
      stime = std::stol(field);
      break;
    }
  }
  return utime + stime;
}

std::size_t countOccurrences(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1)) ++n;
  return n;
}

class OutOfDescriptorsTest : public ServerTest {};

TEST_F(OutOfDescriptorsTest, AcceptPausesInsteadOfSpinningAndRecovers) {
  // Warm up the paths a request takes (store connections open lazily), then leave the server two spare
  // descriptors: a third connection makes accept fail with EMFILE.
  for (int i = 0; i < 3; ++i) api_->createJob("warm");
  ASSERT_EQ(probe(server_.port()).response.value_or(RawResponse{}).status, 200);
  std::vector<Probe> held;
  held.push_back(probe(server_.port()));  // kept open across the limit change, served throughout
  ASSERT_EQ(held[0].response.value_or(RawResponse{}).status, 200);

  // Only the soft limit: raising it back needs no privilege.
  rlimit original{};
  ASSERT_EQ(::prlimit(server_.pid(), RLIMIT_NOFILE, nullptr, &original), 0) << std::strerror(errno);
  rlimit low{openDescriptors(server_.pid()) + 2, original.rlim_max};
  ASSERT_EQ(::prlimit(server_.pid(), RLIMIT_NOFILE, &low, nullptr), 0) << std::strerror(errno);

  std::vector<std::unique_ptr<RawConnection>> waiting;  // connected in the kernel's backlog, not accepted
  for (int i = 0; i < 8; ++i) {
    waiting.push_back(std::make_unique<RawConnection>(server_.port()));
    waiting.back()->send(kProbe);
  }
  ASSERT_TRUE(waitUntil([&] { return server_.stderrText().find("accept failed") != std::string::npos; }, 10s))
      << server_.logs();

  // Two seconds out of descriptors: a spinning accept loop burns a whole core and logs millions of lines.
  const long ticksPerSecond = ::sysconf(_SC_CLK_TCK);
  const long before = cpuTicks(server_.pid());
  const auto start = std::chrono::steady_clock::now();
  // The connection accepted before the limit still gets answers meanwhile.
  while (std::chrono::steady_clock::now() - start < 2s) {
    ASSERT_TRUE(held[0].connection->send(kProbe));
    const auto r = held[0].connection->readResponse(5s);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, 200);
    std::this_thread::sleep_for(200ms);  // paces the probes; the measurement is the CPU time below
  }
  const double cpuSeconds = static_cast<double>(cpuTicks(server_.pid()) - before) / static_cast<double>(ticksPerSecond);
  const double wallSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_LT(cpuSeconds, 0.25 * wallSeconds) << "CPU " << cpuSeconds << " s in " << wallSeconds << " s";
  const std::string logs = server_.stderrText();
  const std::size_t logLines = countOccurrences(logs, "accept failed");
  EXPECT_LE(logLines, 3u) << logs.substr(0, 2000);
  std::cout << "out of descriptors for " << wallSeconds << " s: server CPU " << cpuSeconds << " s, " << logLines
            << " 'accept failed' log line(s)\n";

  // Descriptors free again: the waiting connections and new ones are served.
  ASSERT_EQ(::prlimit(server_.pid(), RLIMIT_NOFILE, &original, nullptr), 0) << std::strerror(errno);
  for (auto& connection : waiting) {
    const auto r = connection->readResponse(10s);
    ASSERT_TRUE(r.has_value()) << "a connection waiting in the backlog was never served";
    EXPECT_EQ(r->status, 200);
  }
  EXPECT_EQ(http_->get("/health").status, 200);
}

}  // namespace
}  // namespace spooled::test
