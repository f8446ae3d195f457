#include "support/account_steps.hpp"

namespace spooled::test {

ServerProcessOptions accountServerOptions(std::vector<std::string> extraArgs) {
  ServerProcessOptions options;
  options.extraArgs = {"--admin-key", kTestAdminKey, "--jwt-secret", kTestJwtSecret};
  options.extraArgs.insert(options.extraArgs.end(), extraArgs.begin(), extraArgs.end());
  return options;
}

TestOrganization AccountSteps::createOrganization(const std::string& slug) {
  const HttpResult r = admin("POST", "/api/v1/admin/organizations", json{{"name", "Org " + slug}, {"slug", slug}});
  expectStatus(r, 201, "admin create organization " + slug);
  return TestOrganization{r.body.at("organization").at("id").get<std::string>(), slug,
                          r.body.at("api_key").at("key").get<std::string>(),
                          r.body.at("api_key").at("id").get<std::string>()};
}

json AccountSteps::createKey(HttpClient& caller, const json& body) {
  const HttpResult r = caller.post("/api/v1/api-keys", body);
  expectStatus(r, 201, "create API key");
  return r.body;
}

json AccountSteps::login(const std::string& apiKey) {
  HttpClient anonymous(baseUrl_, std::nullopt);
  const HttpResult r = anonymous.post("/api/v1/auth/login", json{{"api_key", apiKey}});
  expectStatus(r, 200, "login");
  return r.body;
}

HttpResult AccountSteps::admin(const std::string& method, const std::string& path, const std::optional<json>& body) {
  HttpClient anonymous(baseUrl_, std::nullopt);
  return anonymous.request(method, path, body, {{"X-Admin-Key", adminKey_}});
}

}  // namespace spooled::test
