// The bounded map behind the event recorder's memory: it forgets the least recently used key,
// and a lookup counts as a use.
#include <gtest/gtest.h>

#include <string>

#include "pkg/util/lru_cache.h"

namespace skiff::util {
namespace {

TEST(LruCache, ForgetsTheLeastRecentlyUsedKeyWhenFull) {
  LruCache<int> cache(2);
  cache.put("a", 1);
  cache.put("b", 2);
  ASSERT_NE(cache.find("a"), nullptr);  // "a" is now the most recent
  cache.put("c", 3);                    // so "b" goes
  EXPECT_EQ(cache.find("b"), nullptr);
  ASSERT_NE(cache.find("a"), nullptr);
  EXPECT_EQ(*cache.find("a"), 1);
  EXPECT_EQ(*cache.find("c"), 3);
  EXPECT_EQ(cache.size(), 2u);
}

TEST(LruCache, PutReplacesAndFindChangesInPlace) {
  LruCache<std::string> cache(4);
  cache.put("k", "first");
  cache.put("k", "second");
  EXPECT_EQ(cache.size(), 1u);
  *cache.find("k") += "!";
  EXPECT_EQ(*cache.find("k"), "second!");
  cache.erase("k");
  cache.erase("never there");
  EXPECT_EQ(cache.find("k"), nullptr);
  EXPECT_EQ(cache.size(), 0u);
}

}  // namespace
}  // namespace skiff::util
