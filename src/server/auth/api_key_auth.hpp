#pragma once
// API-key authentication: `Authorization: Bearer <key>`. Keys are stored only as SHA-256 hashes.
// Thread-safe (the store is).
#include <string_view>

#include "server/auth/auth_context.hpp"
#include "server/core/job_engine.hpp"
#include "server/store/store.hpp"

namespace spooled::server {

class ApiKeyAuth {
 public:
  explicit ApiKeyAuth(Store& store, NowFn now = nowMs) : store_(store), now_(std::move(now)) {}

  // The caller behind an Authorization header value. Throws ApiError(Unauthorized) when the header is
  // missing or not a Bearer token, or the key is unknown, revoked or expired; the message never says
  // which, so keys cannot be probed.
  AuthContext authenticate(const std::optional<std::string>& authorizationHeader) const;

  // The caller behind a raw key (no "Bearer " prefix).
  AuthContext authenticateKey(std::string_view rawKey) const;

 private:
  Store& store_;
  NowFn now_;
};

}  // namespace spooled::server
