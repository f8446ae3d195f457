#pragma once
// Test support for the account APIs (API keys, organizations, JWT auth, admin): a server started with
// an admin key and a fixed JWT secret, and steps that make a second organization or a limited key.
// Every step checks the status it expects and throws with the response otherwise.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "support/api_steps.hpp"
#include "support/server_process.hpp"

namespace spooled::test {

inline const std::string kTestAdminKey = "admin_test_key_0123456789abcdef";
inline const std::string kTestJwtSecret = "integration-jwt-secret-0123456789abcdef";

// A server with --admin-key and --jwt-secret set (so tokens survive restarts), plus extraArgs.
ServerProcessOptions accountServerOptions(std::vector<std::string> extraArgs = {});

// An organization made through the admin API, with its first ("Initial Admin Key", every queue) key.
struct TestOrganization {
  std::string id;
  std::string slug;
  std::string apiKey;
  std::string apiKeyId;
};

class AccountSteps {
 public:
  AccountSteps(std::string baseUrl, std::string adminKey = kTestAdminKey)
      : baseUrl_(std::move(baseUrl)), adminKey_(std::move(adminKey)) {}

  // POST /api/v1/admin/organizations; expects 201.
  TestOrganization createOrganization(const std::string& slug);
  // POST /api/v1/api-keys with the caller's credentials; expects 201 and returns {id, key, ...}.
  static json createKey(HttpClient& caller, const json& body);
  // POST /api/v1/auth/login; expects 200 and returns the body.
  json login(const std::string& apiKey);
  // Any request with X-Admin-Key set (and no Authorization).
  HttpResult admin(const std::string& method, const std::string& path, const std::optional<json>& body = std::nullopt);

 private:
  std::string baseUrl_;
  std::string adminKey_;
};

// A fresh server per test, started with serverOptions() (override to add flags), a client with the
// bootstrap key of the default organization, and account steps.
class AccountServerTest : public ::testing::Test {
 protected:
  virtual ServerProcessOptions serverOptions() { return accountServerOptions(); }

  void SetUp() override {
    server_ = std::make_unique<ServerProcess>(serverOptions());
    server_->start();
    http_ = std::make_unique<HttpClient>(server_->baseUrl(), server_->apiKey());
    api_ = std::make_unique<ApiSteps>(*http_);
    accounts_ = std::make_unique<AccountSteps>(server_->baseUrl());
  }

  void TearDown() override {
    if (HasFailure() && server_) std::cerr << server_->logs();
  }

  // A client of the same server with another credential (API key or JWT).
  std::unique_ptr<HttpClient> clientWith(const std::string& credential) const {
    return std::make_unique<HttpClient>(server_->baseUrl(), credential);
  }

  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<HttpClient> http_;
  std::unique_ptr<ApiSteps> api_;
  std::unique_ptr<AccountSteps> accounts_;
};

}  // namespace spooled::test
