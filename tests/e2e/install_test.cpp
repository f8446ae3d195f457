// `cmake --install` of this build, then an outside project that does find_package(spooled) and links
// spooled::spooled against that prefix only, built and run against a real server.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "spooled/client.hpp"
#include "support/server_process.hpp"

namespace {

namespace fs = std::filesystem;

struct CommandRun {
  int exitCode = -1;
  std::string output;  // stdout and stderr together
};

std::string quoted(const std::string& text) {
  std::string out = "'";
  for (const char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

CommandRun run(const std::string& command) {
  CommandRun result;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return result;
  std::array<char, 4096> buffer{};
  while (const size_t n = std::fread(buffer.data(), 1, buffer.size(), pipe)) result.output.append(buffer.data(), n);
  const int status = ::pclose(pipe);
  result.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

class InstallTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "spooled-install-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    root_ = pattern;
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(root_, ignored);
  }

  fs::path root_;
};

TEST_F(InstallTest, OutsideProjectFindsBuildsAndRunsAgainstTheInstalledPackage) {
  const fs::path prefix = root_ / "prefix";
  const CommandRun install = run("cmake --install " + quoted(SPOOLED_BINARY_DIR) + " --prefix " + quoted(prefix.string()));
  ASSERT_EQ(install.exitCode, 0) << install.output;

  // Public headers and the package are there; internals are not.
  EXPECT_TRUE(fs::exists(prefix / "include/spooled/spooled.hpp"));
  EXPECT_TRUE(fs::exists(prefix / "include/spooled/client.hpp"));
  EXPECT_FALSE(fs::exists(prefix / "include/sdk"));
  bool configFound = false;
  for (const char* libdir : {"lib", "lib64", "lib/x86_64-linux-gnu", "lib/aarch64-linux-gnu"}) {
    configFound = configFound || fs::exists(prefix / libdir / "cmake/spooled/spooledConfig.cmake");
  }
  EXPECT_TRUE(configFound) << install.output;

  const fs::path consumerSource = fs::path(SPOOLED_SOURCE_DIR) / "tests/e2e/install_consumer";
  const fs::path consumerBuild = root_ / "consumer-build";
  // Only the temporary prefix is searched, so a package found means the installed one.
  const CommandRun configure = run("cmake -S " + quoted(consumerSource.string()) + " -B " + quoted(consumerBuild.string()) +
                            " -DCMAKE_BUILD_TYPE=Debug -DCMAKE_PREFIX_PATH=" + quoted(prefix.string()) +
                            " -DCMAKE_FIND_PACKAGE_NO_PACKAGE_REGISTRY=ON");
  ASSERT_EQ(configure.exitCode, 0) << configure.output;
  const CommandRun build = run("cmake --build " + quoted(consumerBuild.string()) + " -j2");
  ASSERT_EQ(build.exitCode, 0) << build.output;

  const std::string binary = (consumerBuild / "install_consumer").string();
  const CommandRun offline = run(quoted(binary));
  ASSERT_EQ(offline.exitCode, 0) << offline.output;
  EXPECT_NE(offline.output.find(std::string("spooled-cpp ") + spooled::sdkVersion()), std::string::npos)
      << offline.output;

  spooled::test::ServerProcess server;
  server.start();
  const CommandRun online = run(quoted(binary) + " " + quoted(server.baseUrl()) + " " + quoted(server.apiKey()));
  ASSERT_EQ(online.exitCode, 0) << online.output << server.logs();
  EXPECT_NE(online.output.find("status pending"), std::string::npos) << online.output;
}

}  // namespace
