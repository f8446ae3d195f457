#include "server/auth/api_key_cache.hpp"

namespace spooled::server {

std::optional<ApiKeyRecord> ApiKeyCache::find(const std::string& hash) const {
  const std::lock_guard lock(mutex_);
  const auto it = entries_.find(hash);
  if (it == entries_.end() || Clock::now() - it->second.readAt >= ttl_) return std::nullopt;
  return it->second.key;
}

std::uint64_t ApiKeyCache::generation() const {
  const std::lock_guard lock(mutex_);
  return generation_;
}

void ApiKeyCache::put(const std::string& hash, const ApiKeyRecord& key, std::uint64_t generation) const {
  const std::lock_guard lock(mutex_);
  if (generation != generation_) return;  // the key changed while it was being read
  if (entries_.size() >= maxEntries_) entries_.clear();  // many keys: start over rather than grow
  entries_.insert_or_assign(hash, Entry{key, Clock::now()});
}

void ApiKeyCache::forgetAll() const {
  const std::lock_guard lock(mutex_);
  entries_.clear();
  ++generation_;
}

}  // namespace spooled::server
