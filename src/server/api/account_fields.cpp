#include "server/api/account_fields.hpp"

#include <algorithm>
#include <cctype>

#include "common/error_code.hpp"
#include "common/ids.hpp"
#include "server/auth/api_key_format.hpp"

namespace spooled::server {

namespace {

// Slugs that would read like system paths, as the official backend reserves them.
constexpr const char* kReservedSlugs[] = {"admin",  "api",   "app",      "auth",   "dashboard", "docs",   "help",
                                          "internal", "login", "logout", "metrics", "root",     "settings", "signup",
                                          "status", "support", "system", "test",   "www"};

bool isLowerOrDigit(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool isAlnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

// ^[a-z][a-z0-9]*(-[a-z0-9]+)*$
bool isSlug(const std::string& s) {
  if (s.empty() || !(s.front() >= 'a' && s.front() <= 'z') || s.back() == '-') return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '-') {
      if (s[i - 1] == '-') return false;
    } else if (!isLowerOrDigit(s[i])) {
      return false;
    }
  }
  return true;
}

// Deliberately loose (one '@', something on each side, a dot in the domain, no spaces): the address
// is only shown back, never mailed.
bool isEmail(const std::string& s) {
  const auto at = s.find('@');
  if (at == std::string::npos || at == 0 || s.find('@', at + 1) != std::string::npos) return false;
  const std::string domain = s.substr(at + 1);
  const auto dot = domain.find('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 == domain.size()) return false;
  return std::none_of(s.begin(), s.end(), [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; });
}

}  // namespace

std::string readOrganizationName(const FieldReader& f) { return f.requiredString("name", 3, 100); }

std::optional<std::string> readBillingEmail(const FieldReader& f) {
  auto email = f.optionalString("billing_email", 3, 254);
  if (email && !isEmail(*email)) throwValidation("billing_email", "billing_email must be an email address");
  return email;
}

NewOrganization readNewOrganization(const FieldReader& f) {
  NewOrganization org;
  org.name = readOrganizationName(f);
  org.slug = f.requiredString("slug", 3, 50);
  if (!isSlug(org.slug))
    throwValidation("slug", "slug must be lowercase letters, digits and single hyphens, starting with a letter");
  if (std::find(std::begin(kReservedSlugs), std::end(kReservedSlugs), org.slug) != std::end(kReservedSlugs))
    throwValidation("slug", "slug '" + org.slug + "' is reserved");
  org.billingEmail = readBillingEmail(f);
  return org;
}

std::optional<std::string> readPlanTier(const FieldReader& f) {
  auto tier = f.optionalString("plan_tier", 1, 50);
  if (!tier) return tier;
  std::transform(tier->begin(), tier->end(), tier->begin(), [](unsigned char c) { return std::tolower(c); });
  static const char* const kTiers[] = {"free", "starter", "pro", "enterprise"};
  if (std::find(std::begin(kTiers), std::end(kTiers), *tier) == std::end(kTiers))
    throwValidation("plan_tier", "plan_tier must be one of free, starter, pro, enterprise; got \"" + *tier + "\"");
  return tier;
}

std::optional<json> readSettings(const FieldReader& f) { return f.optionalFreeForm("settings", kMaxSettingsBytes); }

std::string readKeyName(const FieldReader& f) {
  std::string name = f.requiredString("name", 1, 100);
  const bool ok = std::all_of(name.begin(), name.end(), [](char c) {
    return isAlnum(c) || c == ' ' || c == '-' || c == '_' || c == '.' || c == '(' || c == ')';
  });
  if (!ok)
    throwValidation("name", "name may contain only letters, digits, spaces and - _ . ( )");
  return name;
}

std::optional<std::vector<std::string>> readKeyQueues(const FieldReader& f) {
  // FieldReader has no array reader; optionalValue gives the raw value (absent or null: nullopt).
  const auto list = f.optionalValue("queues", kMaxSettingsBytes);
  if (!list) return std::nullopt;
  if (!list->is_array()) throwValidation("queues", "queues must be an array of queue names");
  if (list->size() > kMaxQueuesPerKey)
    throwValidation("queues", "queues may name at most " + std::to_string(kMaxQueuesPerKey) + " queues");
  std::vector<std::string> queues;
  for (const json& q : *list) {
    if (!q.is_string()) throwValidation("queues", "queues must be an array of strings");
    const std::string& name = q.get_ref<const std::string&>();
    const bool ok = !name.empty() && name.size() <= 255 && std::all_of(name.begin(), name.end(), [](char c) {
      return isAlnum(c) || c == '-' || c == '_' || c == '.' || c == '*';
    });
    if (!ok)
      throwValidation("queues", "each queue must be 1-255 letters, digits, '-', '_', '.' or '*'; got \"" + name + "\"");
    queues.push_back(name);
  }
  return queues;
}

std::optional<int> readKeyRateLimit(const FieldReader& f) { return f.optionalInt("rate_limit", 1, 10000); }

std::optional<TimePoint> readKeyExpiry(const FieldReader& f, TimePoint now) {
  auto expiresAt = f.optionalTime("expires_at");
  if (expiresAt && *expiresAt <= now) throwValidation("expires_at", "expires_at must be in the future");
  return expiresAt;
}

std::string generateWebhookToken() { return "whk_" + randomHex(32); }

CreatedApiKey insertNewApiKey(StoreTx& tx, const std::string& orgId, const NewApiKey& key,
                              const std::string& keyPrefix) {
  CreatedApiKey created;
  created.rawKey = newRawApiKey(keyPrefix);
  ApiKeyRecord& r = created.record;
  r.id = newUuid();
  r.orgId = orgId;
  r.name = key.name;
  r.keyHash = sha256Hex(created.rawKey);
  r.queues = key.queues;
  r.rateLimit = key.rateLimit;
  r.isActive = true;
  r.createdAt = nowMs();
  r.expiresAt = key.expiresAt;
  tx.insertApiKey(r);
  return created;
}

OrganizationRecord insertNewOrganization(StoreTx& tx, const NewOrganization& in) {
  if (tx.findOrganizationBySlug(in.slug))
    throw ApiError(ErrorCode::Conflict, "Organization with this slug already exists", json{{"field", "slug"}});
  OrganizationRecord org;
  org.id = newUuid();
  org.name = in.name;
  org.slug = in.slug;
  org.planTier = in.planTier;
  org.billingEmail = in.billingEmail;
  org.webhookToken = generateWebhookToken();
  org.createdAt = nowMs();
  org.updatedAt = org.createdAt;
  tx.insertOrganization(org);
  return org;
}

Task<CreatedOrganization> createOrganizationWithKey(Store& store, const NewOrganization& in, const std::string& keyPrefix) {
  // One transaction: an organization never exists without the key that lets anyone use it.
  co_return co_await store.write([&](StoreTx& tx) {
    CreatedOrganization out;
    out.organization = insertNewOrganization(tx, in);
    out.apiKey = insertNewApiKey(tx, out.organization.id,
                                 NewApiKey{"Initial Admin Key", {"*"}, std::nullopt, std::nullopt}, keyPrefix);
    return out;
  });
}

}  // namespace spooled::server
