#pragma once
// API keys as credentials. Keys are stored only as SHA-256 hashes; a key is usable while it is active
// and not past its expires_at. Thread-safe (the store is; the last-used bookkeeping has its own lock).
#include <chrono>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "server/auth/api_key_cache.hpp"
#include "server/auth/auth_context.hpp"
#include "server/core/job_engine.hpp"
#include "server/store/store.hpp"

namespace spooled::server {

class ApiKeyAuth {
 public:
  explicit ApiKeyAuth(Store& store, NowFn now = nowMs) : store_(store), now_(std::move(now)) {}

  // The active key behind a raw key (no "Bearer " prefix). Throws ApiError(Unauthorized) when the key
  // is unknown, revoked or expired; the message never says which, so keys cannot be probed.
  ApiKeyRecord activeKey(std::string_view rawKey) const;
  // The active key with this id in this organization (a JWT names its key so). Same errors.
  ApiKeyRecord activeKeyById(const std::string& orgId, const std::string& keyId) const;

  // The caller a raw key stands for; records the use (last_used).
  AuthContext authenticateKey(std::string_view rawKey) const;

  // Sets the key's last_used, at most once a minute per key: a write per request would cost every
  // read an fsync. A failure is logged, never passed on: bookkeeping must not fail a request.
  void recordUse(const ApiKeyRecord& key) const;

  static AuthContext contextFor(const ApiKeyRecord& key);

  // Keys were changed (revoked, updated, their organization deleted): forget the ones read lately,
  // so the change counts for the very next request.
  void forgetCachedKeys() const { cache_.forgetAll(); }

 private:
  bool usable(const std::optional<ApiKeyRecord>& key) const;

  Store& store_;
  NowFn now_;
  mutable std::mutex usedMutex_;
  mutable std::unordered_map<std::string, TimePoint> lastRecorded_;  // key id -> last write; guarded
  ApiKeyCache cache_;
};

}  // namespace spooled::server
