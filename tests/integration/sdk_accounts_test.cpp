// libspooled's account resources against a real spooled-server: apiKeys(), organizations(), auth()
// and admin(), including the errors a user sees (revoked key, logged-out token, missing admin key).
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

#include "spooled/spooled.hpp"
#include "support/account_steps.hpp"

namespace spooled {
namespace {

using std::chrono::milliseconds;
using test::kTestAdminKey;

class SdkAccountsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.start();
    client_ = std::make_unique<SpooledClient>(options(server_.apiKey()));
  }
  void TearDown() override {
    if (HasFailure()) std::cerr << server_.logs();
  }

  ClientOptions options(const std::string& apiKey, const std::string& accessToken = {},
                        const std::string& adminKey = {}) const {
    ClientOptions o;
    o.apiKey = apiKey;
    o.accessToken = accessToken;
    o.adminKey = adminKey;
    o.baseUrl = server_.baseUrl();
    o.retry.baseDelay = milliseconds(20);
    o.retry.maxDelay = milliseconds(100);
    return o;
  }

  test::ServerProcess server_{test::accountServerOptions()};
  std::unique_ptr<SpooledClient> client_;
};

TEST_F(SdkAccountsTest, ApiKeysLifecycle) {
  const CreateApiKeyResult created =
      client_->apiKeys().create({.name = "sdk key", .queues = std::vector<std::string>{"emails"}, .rateLimit = 50});
  EXPECT_FALSE(created.key.empty());
  EXPECT_EQ(created.name, "sdk key");

  SpooledClient limited(options(created.key));
  EXPECT_NO_THROW(limited.jobs().create({.queueName = "emails", .payload = {{"to", "a@b.c"}}}));
  EXPECT_THROW(limited.jobs().create({.queueName = "billing", .payload = json::object()}), AuthorizationError);

  const ApiKeySummary got = client_->apiKeys().get(created.id);
  EXPECT_EQ(got.queues, std::vector<std::string>{"emails"});
  EXPECT_EQ(got.rateLimit, 50);
  EXPECT_TRUE(got.isActive);
  EXPECT_TRUE(got.lastUsed.has_value());

  const ApiKeySummary renamed = client_->apiKeys().update(created.id, {.name = "renamed"});
  EXPECT_EQ(renamed.name, "renamed");
  EXPECT_EQ(renamed.queues, std::vector<std::string>{"emails"});
  EXPECT_EQ(client_->apiKeys().list().size(), 2u);

  client_->apiKeys().revoke(created.id);
  EXPECT_THROW(limited.jobs().list(), AuthenticationError);
  EXPECT_FALSE(client_->apiKeys().get(created.id).isActive);
  EXPECT_THROW(client_->apiKeys().get("00000000-0000-4000-8000-000000000000"), NotFoundError);
  EXPECT_THROW(client_->apiKeys().create({.name = ""}), ValidationError);
}

TEST_F(SdkAccountsTest, OrganizationsOwnUsageAndWebhookToken) {
  const auto orgs = client_->organizations().list();
  ASSERT_EQ(orgs.size(), 1u);
  const Organization org = client_->organizations().get(orgs[0].id);
  EXPECT_EQ(org.slug, "default");

  const Organization updated = client_->organizations().update(
      org.id, {.name = "Renamed Org", .billingEmail = "ops@example.com", .settings = json{{"tz", "UTC"}}});
  EXPECT_EQ(updated.name, "Renamed Org");
  EXPECT_EQ(updated.billingEmail, "ops@example.com");
  EXPECT_EQ(updated.settings["tz"], "UTC");

  client_->jobs().create({.queueName = "q", .payload = json::object()});
  const OrganizationUsage usage = client_->organizations().getUsage();
  EXPECT_EQ(usage.usage.activeJobs.current, 1);
  EXPECT_EQ(usage.usage.jobsToday.current, 1);
  EXPECT_FALSE(usage.usage.activeJobs.limit.has_value());
  EXPECT_FALSE(usage.limits.maxJobsPerDay.has_value());
  EXPECT_EQ(usage.limits.maxPayloadSizeBytes, 1024 * 1024);
  EXPECT_TRUE(usage.warnings.empty());

  const WebhookToken first = client_->organizations().getWebhookToken();
  ASSERT_TRUE(first.token.has_value());
  const WebhookToken second = client_->organizations().regenerateWebhookToken();
  EXPECT_NE(second.token, first.token);
  EXPECT_TRUE(second.webhookUrl->find(org.id) != std::string::npos);
  client_->organizations().clearWebhookToken();
  EXPECT_FALSE(client_->organizations().getWebhookToken().token.has_value());

  EXPECT_THROW(client_->organizations().get("00000000-0000-4000-8000-000000000000"), NotFoundError);
}

TEST_F(SdkAccountsTest, CreatingAnOrganizationNeedsTheAdminKeyWhenRegistrationIsClosed) {
  SpooledClient anonymousish(options(server_.apiKey()));
  EXPECT_THROW(anonymousish.organizations().create({.name = "Closed Co", .slug = "closed-co"}), AuthorizationError);

  SpooledClient withAdmin(options("", "", kTestAdminKey));
  const CreateOrganizationResult created = withAdmin.organizations().create({.name = "Closed Co", .slug = "closed-co"});
  EXPECT_EQ(created.organization.slug, "closed-co");
  SpooledClient theirs(options(created.apiKey.key));
  EXPECT_EQ(theirs.organizations().list().at(0).id, created.organization.id);
}

TEST_F(SdkAccountsTest, JwtSessionLoginUseRefreshLogout) {
  const LoginResult login = client_->auth().login(server_.apiKey());
  EXPECT_EQ(login.tokenType, "Bearer");
  EXPECT_GT(login.expiresIn, 0);

  SpooledClient session(options("", login.accessToken));
  const std::string jobId = session.jobs().create({.queueName = "jwt", .payload = json::object()}).id;
  EXPECT_EQ(client_->jobs().get(jobId).id, jobId);

  const CurrentUser me = session.auth().me();
  EXPECT_EQ(me.organizationId, client_->organizations().list().at(0).id);
  EXPECT_FALSE(me.expiresAt.empty());

  const ValidateTokenResult valid = client_->auth().validate(login.accessToken);
  EXPECT_TRUE(valid.valid);
  ASSERT_TRUE(valid.claims.has_value());
  EXPECT_EQ(valid.claims->organizationId, me.organizationId);
  EXPECT_EQ(valid.claims->tokenType, "access");
  const ValidateTokenResult invalid = client_->auth().validate("nonsense");
  EXPECT_FALSE(invalid.valid);
  EXPECT_TRUE(invalid.message.has_value());

  const RefreshResult refreshed = client_->auth().refresh(login.refreshToken);
  SpooledClient refreshedSession(options("", refreshed.accessToken));
  EXPECT_NO_THROW(refreshedSession.jobs().list());

  session.auth().logout(login.refreshToken);
  EXPECT_THROW(session.jobs().list(), AuthenticationError);
  EXPECT_THROW(client_->auth().refresh(login.refreshToken), AuthenticationError);
  EXPECT_NO_THROW(refreshedSession.jobs().list()) << "logout ends this session, not others";
  EXPECT_THROW(client_->auth().login("sk_test_no_such_key_000000"), AuthenticationError);
}

TEST_F(SdkAccountsTest, AdminResource) {
  // Without an admin key nothing is sent.
  EXPECT_THROW(client_->admin().getStats(), AuthenticationError);
  SpooledClient wrong(options("", "", "not-the-admin-key-0000"));
  EXPECT_THROW(wrong.admin().getStats(), AuthenticationError);

  SpooledClient admin(options("", "", kTestAdminKey));
  const CreateOrganizationResult created =
      admin.admin().createOrganization({.name = "Admin Made", .slug = "admin-made", .planTier = "pro"});
  EXPECT_EQ(created.organization.planTier, "pro");

  const AdminOrganizationList list = admin.admin().listOrganizations({.search = "admin-made"});
  ASSERT_EQ(list.organizations.size(), 1u);
  EXPECT_EQ(list.total, 1);
  EXPECT_EQ(list.organizations[0].usage.apiKeys, 1);

  const Organization changed = admin.admin().updateOrganization(created.organization.id, {.planTier = "starter"});
  EXPECT_EQ(changed.planTier, "starter");
  const AdminOrganizationDetail detail = admin.admin().getOrganization(created.organization.id);
  EXPECT_EQ(detail.organization.planTier, "starter");
  EXPECT_EQ(detail.apiKeysCount, 1);

  const InitialApiKey key = admin.admin().createApiKey(created.organization.id, {.name = "made by admin"});
  SpooledClient theirs(options(key.key));
  EXPECT_EQ(theirs.organizations().list().at(0).id, created.organization.id);

  const PlatformStats stats = admin.admin().getStats();
  EXPECT_EQ(stats.organizationsTotal, 2);
  EXPECT_EQ(stats.apiVersion, "v1");
  const auto plans = admin.admin().listPlans();
  ASSERT_EQ(plans.size(), 1u);
  EXPECT_EQ(plans[0].maxQueues, 1000);  // the server's --max-queues-per-org
  EXPECT_FALSE(plans[0].maxJobsPerDay.has_value());

  admin.admin().deleteOrganization(created.organization.id, /*hardDelete=*/true);
  EXPECT_THROW(admin.admin().getOrganization(created.organization.id), NotFoundError);
  EXPECT_THROW(theirs.jobs().list(), AuthenticationError);
}

}  // namespace
}  // namespace spooled
