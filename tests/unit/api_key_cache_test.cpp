// The API-key cache: fresh entries answer, stale ones do not, and a read that a change overtook is
// never remembered (auth/api_key_cache.hpp).
#include "server/auth/api_key_cache.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace spooled::server {
namespace {

using namespace std::chrono_literals;

ApiKeyRecord keyNamed(const std::string& name) {
  ApiKeyRecord key;
  key.id = "key-" + name;
  key.orgId = "org";
  key.name = name;
  key.isActive = true;
  return key;
}

TEST(ApiKeyCacheTest, AnswersWithAKeyReadLatelyAndForgetsItAfterTheTtl) {
  ApiKeyCache cache(50ms);
  EXPECT_FALSE(cache.find("h"));
  cache.put("h", keyNamed("a"), cache.generation());
  ASSERT_TRUE(cache.find("h"));
  EXPECT_EQ(cache.find("h")->name, "a");
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (cache.find("h") && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(5ms);
  EXPECT_FALSE(cache.find("h")) << "an entry outlived its ttl";
}

TEST(ApiKeyCacheTest, ForgetAllDropsEverythingAndRefusesReadsThatStartedBefore) {
  ApiKeyCache cache(10s);
  cache.put("h", keyNamed("a"), cache.generation());
  const auto before = cache.generation();  // a read of "g" starts here...
  cache.forgetAll();                         // ...a revoke commits meanwhile...
  cache.put("g", keyNamed("stale"), before);  // ...and the read's (old) result comes back
  EXPECT_FALSE(cache.find("h"));
  EXPECT_FALSE(cache.find("g")) << "a read that a change overtook was remembered";
  cache.put("g", keyNamed("fresh"), cache.generation());
  EXPECT_EQ(cache.find("g")->name, "fresh");
}

TEST(ApiKeyCacheTest, StaysWithinItsSize) {
  ApiKeyCache cache(10s, 3);
  for (int i = 0; i < 10; ++i) cache.put("h" + std::to_string(i), keyNamed(std::to_string(i)), cache.generation());
  int remembered = 0;
  for (int i = 0; i < 10; ++i) remembered += cache.find("h" + std::to_string(i)) ? 1 : 0;
  EXPECT_LE(remembered, 3);
  EXPECT_TRUE(cache.find("h9"));
}

}  // namespace
}  // namespace spooled::server
