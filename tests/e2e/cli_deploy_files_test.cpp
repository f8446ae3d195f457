// What can be checked of deploy/ on a machine that cannot start containers: the Dockerfiles copy
// files that exist and binaries the build really makes, follow the usual hygiene (non-root user,
// HEALTHCHECK on /health/ready, a data volume, no apt caches); the stop timeouts of docker-compose,
// supervisor and systemd exceed the workers' drain time; the `spooled worker` command lines they ship
// are accepted by the real binary; docker-compose and systemd-analyze validate the files when present.
// (deploy/supervisor is run for real by cli_deploy_supervisor_test.)
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "support/child_process.hpp"

namespace spooled::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

const std::string kSource = SPOOLED_SOURCE_DIR;

std::string readText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

std::vector<std::string> words(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

// Seconds of a duration flag in a command line ("--shutdown-timeout 30s"): s, ms, m or bare (unit given).
double flagSeconds(const std::vector<std::string>& argv, const std::string& flag, double bareUnitSeconds) {
  for (std::size_t i = 0; i + 1 < argv.size(); ++i) {
    if (argv[i] != flag) continue;
    const std::string v = argv[i + 1];
    std::size_t used = 0;
    const double n = std::stod(v, &used);
    const std::string unit = v.substr(used);
    if (unit == "ms") return n / 1000;
    if (unit == "s") return n;
    if (unit == "m") return n * 60;
    return n * bareUnitSeconds;
  }
  throw std::runtime_error(flag + " is missing from the command line");
}

// Runs the shipped `spooled worker ...` command against a closed port: a flag the binary does not
// know exits 2 (usage); accepted flags get as far as registering, which fails with 7 (unreachable).
void expectFlagsAccepted(std::vector<std::string> argv, const std::string& where) {
  ASSERT_GE(argv.size(), 2u) << where;
  argv[0] = SPOOLED_CLI_BIN;
  for (auto& a : argv) {
    if (a.find("handle-job.sh") != std::string::npos || a == "$WORKER_COMMAND") a = "/bin/true";
  }
  ChildProcess p(argv, {{"SPOOLED_API_URL", "http://127.0.0.1:1"}, {"SPOOLED_API_KEY", "sk_test_0123456789abcdef"}});
  const auto code = p.waitExit(60s);
  ASSERT_TRUE(code.has_value()) << where;
  EXPECT_EQ(*code, 7) << where << ": " << p.output();
}

TEST(DeployFiles, DockerfilesCopyWhatExistsAndFollowTheRules) {
  for (const std::string name : {"Dockerfile", "Dockerfile.worker"}) {
    const std::string text = readText(kSource + "/deploy/" + name);
    ASSERT_FALSE(text.empty()) << name;
    std::string lastStage;
    std::string finalUser;
    for (const auto& line : lines(text)) {
      const auto w = words(line);
      if (w.empty() || w[0].starts_with("#")) continue;
      if (w[0] == "FROM") {
        EXPECT_TRUE(w[1].find(':') != std::string::npos && !w[1].ends_with(":latest")) << name << ": pin the base image: " << line;
        lastStage = line;
        finalUser.clear();
      }
      if (w[0] == "USER") finalUser = w[1];
      if (w[0] == "COPY") {
        const bool fromStage = w[1].starts_with("--from=");
        for (std::size_t i = fromStage ? 2 : 1; i + 1 < w.size(); ++i) {
          if (fromStage) {
            // /src/build/bin/X in the build stage is build/bin/X of this build: same targets, same names.
            const std::string rel = w[i].substr(std::string("/src/build/").size());
            EXPECT_TRUE(w[i].starts_with("/src/build/") && fs::exists(std::string(SPOOLED_BINARY_DIR) + "/" + rel))
                << name << ": copies " << w[i] << ", which the build does not make";
          } else {
            EXPECT_TRUE(fs::exists(kSource + "/" + w[i])) << name << ": copies missing " << w[i];
          }
        }
      }
      if (line.find("build-release.sh") != std::string::npos) {
        EXPECT_TRUE(fs::exists(kSource + "/scripts/build-release.sh")) << name;
      }
      if (line.find("apt-get install") != std::string::npos) {
        EXPECT_NE(line.find("--no-install-recommends"), std::string::npos) << name << ": " << line;
      }
    }
    EXPECT_NE(lastStage.find("slim"), std::string::npos) << name << ": the final stage should be the slim runtime image";
    EXPECT_FALSE(finalUser.empty() || finalUser == "root" || finalUser == "0") << name << ": the final stage runs as root";
    EXPECT_NE(text.find("rm -rf /var/lib/apt/lists"), std::string::npos) << name;
    EXPECT_NE(text.find("STOPSIGNAL SIGTERM"), std::string::npos) << name;
  }
  const std::string server = readText(kSource + "/deploy/Dockerfile");
  EXPECT_TRUE(std::regex_search(server, std::regex(R"(HEALTHCHECK[^\n]*\\\n[^\n]*/health/ready)")))
      << "HEALTHCHECK must probe /health/ready";
  EXPECT_NE(server.find("VOLUME [\"/var/lib/spooled\"]"), std::string::npos);
  EXPECT_NE(server.find("DATABASE_URL=sqlite:/var/lib/spooled/"), std::string::npos) << "the database must live on the volume";
}

// The Debian packages that hold the shared libraries `binary` links directly (readelf NEEDED, dpkg -S).
std::set<std::string> neededPackages(const std::string& binary) {
  // Each NEEDED name as the loader resolves it (ldd), then the package that ships that path.
  ChildProcess p({"/bin/sh", "-c",
                  "b='" + binary + "'; for lib in $(readelf -d \"$b\" | sed -n 's/.*Shared library: \\[\\(.*\\)\\]/\\1/p'); do "
                  "path=$(ldd \"$b\" | awk -v l=\"$lib\" '$1 == l {print $3}'); [ -n \"$path\" ] || continue; "
                  // usrmerge: the loader's path, its target, or /usr + it is what the package lists.
                  "{ dpkg -S \"$path\" || dpkg -S \"$(readlink -f \"$path\")\" || dpkg -S \"/usr$path\" || echo \"unresolved:$lib\"; } "
                  "2>/dev/null | head -1 | cut -d: -f1; done"});
  p.waitExit(60s);
  std::set<std::string> packages;
  for (const auto& w : words(p.output())) packages.insert(w);
  return packages;
}

// The packages the final stage installs (the apt-get install line of the runtime stage).
std::set<std::string> runtimePackages(const std::string& dockerfile) {
  const auto stage = dockerfile.rfind("\nFROM ");
  const auto install = dockerfile.find("apt-get install", stage);
  const auto end = dockerfile.find("&& rm -rf", install);
  std::set<std::string> packages;
  for (const auto& w : words(dockerfile.substr(install, end - install))) {
    if (!w.starts_with("-") && w != "\\" && w != "apt-get" && w != "install") packages.insert(w);
  }
  return packages;
}

TEST(DeployFiles, RuntimeImagesInstallTheLibrariesTheBinariesNeed) {
  if (!fs::exists("/usr/bin/dpkg") || !fs::exists("/usr/bin/readelf")) GTEST_SKIP() << "needs dpkg and readelf";
  // In debian:bookworm-slim already: the C and C++ runtimes.
  const std::set<std::string> base = {"libc6", "libstdc++6", "libgcc-s1"};
  const std::string bin = std::string(SPOOLED_BINARY_DIR) + "/bin/";
  const std::vector<std::pair<std::string, std::vector<std::string>>> images = {
      {"Dockerfile", {bin + "spooled-server", bin + "spooled"}},
      {"Dockerfile.worker", {bin + "examples/production_worker", bin + "spooled"}}};
  for (const auto& [name, binaries] : images) {
    const auto installed = runtimePackages(readText(kSource + "/deploy/" + name));
    for (const auto& binary : binaries) {
      const auto needed = neededPackages(binary);
      EXPECT_FALSE(needed.empty()) << binary;
      for (const auto& package : needed) {
        EXPECT_TRUE(installed.contains(package) || base.contains(package))
            << name << " does not install " << package << ", which " << binary << " needs";
      }
    }
  }
}

TEST(DeployFiles, ComposeGivesWorkersLongerThanTheirShutdownTimeout) {
  const std::string compose = readText(kSource + "/deploy/docker-compose.yml");
  // The example worker's shutdownTimeout, read from its source.
  const std::string worker = readText(kSource + "/examples/production_worker.cpp");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(worker, m, std::regex(R"(\.shutdownTimeout = (\d+)ms)")));
  const double shutdownSeconds = std::stod(m[1]) / 1000;
  const auto service = compose.find("\n  email-worker:");
  ASSERT_NE(service, std::string::npos);
  const std::string block = compose.substr(service, compose.find("\n  # ", service + 1) - service);
  EXPECT_NE(block.find("replicas: 3"), std::string::npos) << block;
  ASSERT_TRUE(std::regex_search(block, m, std::regex(R"(stop_grace_period: (\d+)s)"))) << block;
  EXPECT_GT(std::stod(m[1]), shutdownSeconds + 5) << "stop_grace_period must exceed shutdownTimeout with a margin";

  if (!fs::exists("/usr/bin/docker-compose")) GTEST_SKIP() << "docker-compose not installed: `config` validation not run";
  ChildProcess config({"/usr/bin/docker-compose", "-f", kSource + "/deploy/docker-compose.yml", "config", "-q"},
                      {{"SPOOLED_API_KEY", "sk_test_0123456789abcdef"}});
  const auto code = config.waitExit(60s);
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 0) << config.output();
}

TEST(DeployFiles, SupervisorProgramStopsLaterThanTheWorkerDrains) {
  const std::string conf = readText(kSource + "/deploy/supervisor/spooled-worker.conf");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(conf, m, std::regex(R"(\ncommand=([^\n]+))")));
  const auto argv = words(m[1]);
  const double drain = flagSeconds(argv, "--shutdown-timeout", 0.001) + flagSeconds(argv, "--kill-timeout", 1);
  ASSERT_TRUE(std::regex_search(conf, m, std::regex(R"(\nstopwaitsecs=(\d+))")));
  EXPECT_GT(std::stod(m[1]), drain) << "stopwaitsecs must exceed --shutdown-timeout + --kill-timeout";
  EXPECT_NE(conf.find("\nstopsignal=TERM"), std::string::npos);
  EXPECT_NE(conf.find("\nnumprocs=4"), std::string::npos);
  EXPECT_NE(conf.find("process_name=%(program_name)s_%(process_num)02d"), std::string::npos) << "numprocs needs process_num in the name";
  expectFlagsAccepted(argv, "supervisor command");
}

TEST(DeployFiles, SystemdWorkerTemplateStopsLaterThanTheWorkerDrains) {
  const std::string unit = readText(kSource + "/deploy/spooled-worker@.service");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(unit, m, std::regex(R"(\nExecStart=([^\n]+))")));
  std::string command = m[1];
  command = std::regex_replace(command, std::regex("%i"), "images");
  command = std::regex_replace(command, std::regex(R"(\$\{WORKER_CONCURRENCY\})"), "5");
  const auto argv = words(command);
  const double drain = flagSeconds(argv, "--shutdown-timeout", 0.001) + flagSeconds(argv, "--kill-timeout", 1);
  ASSERT_TRUE(std::regex_search(unit, m, std::regex(R"(\nTimeoutStopSec=(\d+))")));
  EXPECT_GT(std::stod(m[1]), drain);
  expectFlagsAccepted(argv, "systemd ExecStart");

  if (!fs::exists("/usr/bin/systemd-analyze")) GTEST_SKIP() << "systemd-analyze not installed";
  // verify checks directives and that ExecStart exists: point it at the built binaries.
  const std::string dir = fs::temp_directory_path() / ("spooled-units-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir + "/spooled-worker@.service")
      << std::regex_replace(unit, std::regex("/usr/local/bin/spooled"), std::string(SPOOLED_CLI_BIN));
  std::ofstream(dir + "/spooled-server.service")
      << std::regex_replace(readText(kSource + "/deploy/spooled-server.service"), std::regex("/usr/local/bin/spooled-server"),
                            std::string(SPOOLED_BINARY_DIR) + "/bin/spooled-server");
  ChildProcess verify({"/usr/bin/systemd-analyze", "verify", dir + "/spooled-worker@images.service", dir + "/spooled-server.service"});
  const auto code = verify.waitExit(60s);
  fs::remove_all(dir);
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 0) << verify.output();
  EXPECT_EQ(verify.output(), "") << "systemd-analyze reports unknown or invalid directives";
}

}  // namespace
}  // namespace spooled::test
