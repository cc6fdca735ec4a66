#include "server/store/prefix_cached_store.h"

#include <gtest/gtest.h>

#include "server/store/memory_store.h"

namespace skiff::store {
namespace {

Json ns(const std::string& name, const std::string& phase = "Active") {
  return {{"apiVersion", "v1"},
          {"kind", "Namespace"},
          {"metadata", {{"name", name}}},
          {"status", {{"phase", phase}}}};
}

const std::string kKey = "/registry/core/namespaces/demo";

TEST(PrefixCachedStore, ReadsItsOwnWritesAndOthers) {
  auto inner = make_memory_store();
  inner->create("/registry/core/namespaces/early", ns("early"));  // exists before the cache
  PrefixCachedStore cache(*inner, "/registry/core/namespaces/");
  ASSERT_NE(cache.get("/registry/core/namespaces/early"), nullptr);

  auto created = cache.create(kKey, ns("demo"));
  EXPECT_EQ(cache.get(kKey)->at("status").at("phase"), "Active");
  // A write that bypasses the decorator is seen too (it arrives through the watch).
  inner->update(kKey, ns("demo", "Terminating"), 0);
  EXPECT_EQ(cache.get(kKey)->at("status").at("phase"), "Terminating");
  cache.remove(kKey, 0);
  EXPECT_EQ(cache.get(kKey), nullptr);
  inner->remove("/registry/core/namespaces/early", 0);
  EXPECT_EQ(cache.get("/registry/core/namespaces/early"), nullptr);
}

TEST(PrefixCachedStore, OtherKeysPassThrough) {
  auto inner = make_memory_store();
  PrefixCachedStore cache(*inner, "/registry/core/namespaces/");
  Json cm = {{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", {{"name", "c"}}}};
  cache.create("/registry/core/configmaps/default/c", cm);
  EXPECT_NE(inner->get("/registry/core/configmaps/default/c"), nullptr);
  inner->remove("/registry/core/configmaps/default/c", 0);
  EXPECT_EQ(cache.get("/registry/core/configmaps/default/c"), nullptr);
}

// Records which write the decorator forwards.
class RecordingStore : public MemoryStore {
 public:
  ObjectPtr update_volatile(const std::string& key, Json object, int64_t expected) override {
    ++volatile_updates;
    return MemoryStore::update(key, std::move(object), expected);
  }
  void create_async(const std::string& key, Json object, WriteDone done) override {
    ++async_creates;
    MemoryStore::create_async(key, std::move(object), std::move(done));
  }
  int volatile_updates = 0;
  int async_creates = 0;
};

TEST(PrefixCachedStore, ForwardsVolatileUpdatesAsVolatile) {
  RecordingStore inner;
  PrefixCachedStore cache(inner, "/registry/core/namespaces/");
  cache.create(kKey, ns("demo"));
  cache.update(kKey, ns("demo", "Active"), 0);
  EXPECT_EQ(inner.volatile_updates, 0);
  cache.update_volatile(kKey, ns("demo", "Terminating"), 0);
  EXPECT_EQ(inner.volatile_updates, 1);
  EXPECT_EQ(cache.get(kKey)->at("status").at("phase"), "Terminating");  // cached through the watch
  Json cm = {{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", {{"name", "c"}}}};
  cache.create("/registry/core/configmaps/default/c", cm);
  cache.update_volatile("/registry/core/configmaps/default/c", cm, 0);
  EXPECT_EQ(inner.volatile_updates, 2);
}

// An asynchronous create stays asynchronous below the cache (the inherited default would wait
// for a synchronous create instead).
TEST(PrefixCachedStore, ForwardsAsyncCreates) {
  RecordingStore inner;
  PrefixCachedStore cache(inner, "/registry/core/namespaces/");
  WriteResult outcome;
  cache.create_async(kKey, ns("demo"), [&](WriteResult result) { outcome = std::move(result); });
  EXPECT_EQ(inner.async_creates, 1);
  ASSERT_NE(outcome.object, nullptr);
  EXPECT_EQ(cache.get(kKey)->at("status").at("phase"), "Active");
}

}  // namespace
}  // namespace skiff::store
