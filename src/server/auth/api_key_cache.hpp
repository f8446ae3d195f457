#pragma once
// API keys recently read, by hash, so authenticating a request usually costs a map lookup instead of
// a database read (a profile of the drain showed that read at 9% of the server's time). An entry
// lives `ttl`: a key changed by another server process (several servers on one database) counts
// everywhere within that. Changes made through this process call forgetAll() and count at once.
// Thread-safe.
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "server/store/records.hpp"

namespace spooled::server {

class ApiKeyCache {
 public:
  explicit ApiKeyCache(std::chrono::milliseconds ttl = std::chrono::seconds(1), std::size_t maxEntries = 10000)
      : ttl_(ttl), maxEntries_(maxEntries) {}

  // The key stored under this hash, if it was read less than ttl ago.
  std::optional<ApiKeyRecord> find(const std::string& hash) const;
  // What put() needs to know a read was not overtaken by forgetAll(): take it before the read.
  std::uint64_t generation() const;
  // Remembers a key read from the store, unless forgetAll() ran since `generation` was taken.
  void put(const std::string& hash, const ApiKeyRecord& key, std::uint64_t generation) const;
  void forgetAll() const;

 private:
  using Clock = std::chrono::steady_clock;
  struct Entry {
    ApiKeyRecord key;
    Clock::time_point readAt;
  };
  const std::chrono::milliseconds ttl_;
  const std::size_t maxEntries_;
  mutable std::mutex mutex_;
  mutable std::unordered_map<std::string, Entry> entries_;
  mutable std::uint64_t generation_ = 0;
};

}  // namespace spooled::server
