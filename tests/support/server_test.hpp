#pragma once
// gtest fixture: a fresh spooled-server (own temp database, free port) per test, an HTTP client with
// its API key, and the common API steps. CTest runs each TEST in its own process, so a server per
// test costs about what a shared one would.
#include <gtest/gtest.h>

#include <memory>

#include "support/api_steps.hpp"
#include "support/server_process.hpp"

namespace spooled::test {

class ServerTest : public ::testing::Test {
 protected:
  // A fixture may start its server with other options (flags, environment).
  explicit ServerTest(ServerProcessOptions options = {}) : server_(std::move(options)) {}

  void SetUp() override {
    server_.start();
    http_ = std::make_unique<HttpClient>(server_.baseUrl(), server_.apiKey());
    api_ = std::make_unique<ApiSteps>(*http_);
  }

  void TearDown() override {
    // The server's own log is the first thing to read when a test failed.
    if (HasFailure()) std::cerr << server_.logs();
  }

  ServerProcess server_;
  std::unique_ptr<HttpClient> http_;
  std::unique_ptr<ApiSteps> api_;
};

}  // namespace spooled::test
