#pragma once
// A test fixture with several spooled-server processes on one PostgreSQL database, as behind a load
// balancer (tests/integration/pg_*_test.cpp). Logs of every server are printed when a test fails.
#include <gtest/gtest.h>

#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "support/http_client.hpp"
#include "support/pg_cluster.hpp"
#include "support/server_process.hpp"

namespace spooled::test {

class PgServersTest : public ::testing::Test {
 protected:
  // `count` servers on one fresh database (or `url`), started one after another (the first bootstraps
  // the key), each with `extraArgs` after the fixture's own.
  void startServers(int count, std::string url = {}, const std::vector<std::string>& extraArgs = {}) {
    if (url.empty()) url = freshPgDatabaseUrl();
    url_ = url;
    for (int i = 0; i < count; ++i) {
      ServerProcessOptions options;
      options.databaseUrl = url;
      // The request rate holds for the cluster: the servers' default would throttle load tests of all
      // servers together, so it is far above what they send (a key's own rate_limit still applies).
      options.extraArgs = {"--db-pool-size", "6", "--log-level", "info", "--rate-limit-per-second", "100000",
                           "--rate-limit-burst", "200000"};
      options.extraArgs.insert(options.extraArgs.end(), extraArgs.begin(), extraArgs.end());
      servers_.push_back(std::make_unique<ServerProcess>(options));
      servers_.back()->start();
    }
  }
  std::unique_ptr<HttpClient> client(std::size_t server) {
    return std::make_unique<HttpClient>(servers_[server]->baseUrl(), servers_[server]->apiKey());
  }
  void TearDown() override {
    if (HasFailure())
      for (auto& server : servers_) std::cerr << server->logs();
  }

  std::string url_;
  std::vector<std::unique_ptr<ServerProcess>> servers_;
};

}  // namespace spooled::test
