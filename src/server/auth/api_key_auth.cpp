#include "server/auth/api_key_auth.hpp"

#include <spdlog/spdlog.h>

#include "common/error_code.hpp"
#include "common/ids.hpp"

namespace spooled::server {

namespace {

constexpr auto kLastUsedResolution = std::chrono::minutes(1);
// Forget old bookkeeping now and then so a server with many short-lived keys stays small.
constexpr std::size_t kMaxTrackedKeys = 10000;

[[noreturn]] void reject() { throw ApiError(ErrorCode::Unauthorized, "Invalid API key"); }

}  // namespace

bool ApiKeyAuth::usable(const std::optional<ApiKeyRecord>& key) const {
  return key && key->isActive && !(key->expiresAt && *key->expiresAt <= now_());
}

ApiKeyRecord ApiKeyAuth::activeKey(std::string_view rawKey) const {
  if (rawKey.empty()) throw ApiError(ErrorCode::Unauthorized, "Missing or invalid Authorization header");
  const std::string hash = sha256Hex(rawKey);
  std::optional<ApiKeyRecord> key = cache_.find(hash);
  if (!key) {
    const std::uint64_t generation = cache_.generation();
    key = store_.readResult([&](StoreReader& r) { return r.findApiKeyByHash(hash); });
    if (key) cache_.put(hash, *key, generation);  // unknown keys are not remembered: a new one works at once
  }
  if (!usable(key)) reject();  // expiry is checked on every use, cached or not
  return std::move(*key);
}

ApiKeyRecord ApiKeyAuth::activeKeyById(const std::string& orgId, const std::string& keyId) const {
  auto key = store_.readResult([&](StoreReader& r) { return r.findApiKey(orgId, keyId); });
  if (!usable(key)) throw ApiError(ErrorCode::Unauthorized, "Invalid token");
  return std::move(*key);
}

AuthContext ApiKeyAuth::authenticateKey(std::string_view rawKey) const {
  const ApiKeyRecord key = activeKey(rawKey);
  recordUse(key);
  return contextFor(key);
}

AuthContext ApiKeyAuth::contextFor(const ApiKeyRecord& key) {
  AuthContext context;
  context.orgId = key.orgId;
  context.apiKeyId = key.id;
  context.queues = key.queues;
  context.rateLimit = key.rateLimit;
  return context;
}

void ApiKeyAuth::recordUse(const ApiKeyRecord& key) const {
  const TimePoint now = now_();
  {
    const std::lock_guard lock(usedMutex_);
    if (key.lastUsed && now - *key.lastUsed < kLastUsedResolution) return;
    const auto it = lastRecorded_.find(key.id);
    if (it != lastRecorded_.end() && now - it->second < kLastUsedResolution) return;
    if (lastRecorded_.size() >= kMaxTrackedKeys) lastRecorded_.clear();
    lastRecorded_[key.id] = now;
  }
  // Fire and forget: the request goes on without waiting for this bookkeeping to commit.
  store_.submitWrite(
      [orgId = key.orgId, keyId = key.id, now](StoreTx& tx) {
        // Re-read inside the transaction so a concurrent update (rename, revoke) is not undone.
        auto current = tx.findApiKey(orgId, keyId);
        if (!current) return;
        current->lastUsed = now;
        tx.updateApiKey(*current);
      },
      [keyId = key.id](std::exception_ptr error) {
        if (!error) return;
        try {
          std::rethrow_exception(error);
        } catch (const std::exception& e) {
          spdlog::warn("could not record the use of API key {}: {}", keyId, e.what());
        }
      });
}

}  // namespace spooled::server
