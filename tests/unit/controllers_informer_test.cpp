// The informer: list+watch into a cache, handlers in order, indexes, relist after Compacted.
#include <gtest/gtest.h>

#include "server/controllers/client.h"
#include "server/controllers/informer.h"
#include "server/store/memory_store.h"

namespace skiff::controllers {
namespace {

Json pod(const std::string& ns, const std::string& name, const std::string& node = "") {
  Json object = {{"apiVersion", "v1"},
                 {"kind", "Pod"},
                 {"metadata", {{"name", name}, {"namespace", ns}, {"uid", ns + "-" + name}}},
                 {"spec", Json::object()}};
  if (!node.empty()) object["spec"]["nodeName"] = node;
  return object;
}

std::string key_of(const std::string& ns, const std::string& name) {
  return pods_resource().key(ns, name);
}

TEST(Informer, ListsThenFollowsTheWatchInOrder) {
  store::MemoryStore store;
  store.create(key_of("a", "one"), pod("a", "one"));
  Informer informer(store, pods_resource());
  informer.add_index("node", pod_node_index);
  std::vector<std::string> seen;
  informer.add_handler([&](const ObjectPtr& old, const ObjectPtr& current) {
    std::string what = !old ? "add " : !current ? "delete " : "update ";
    seen.push_back(what + object_key(current ? *current : *old));
  });
  informer.start();
  EXPECT_EQ(informer.size(), 1u);

  store.create(key_of("b", "two"), pod("b", "two", "n1"));
  auto stored = store.get(key_of("a", "one"));
  store.update(key_of("a", "one"), pod("a", "one", "n1"), 0);
  store.remove(key_of("b", "two"), 0);

  EXPECT_EQ(seen,
            (std::vector<std::string>{"add a/one", "add b/two", "update a/one", "delete b/two"}));
  ASSERT_TRUE(informer.get("a", "one"));
  EXPECT_EQ(informer.get("a/one")->at("spec").value("nodeName", ""), "n1");
  EXPECT_EQ(informer.list("a").size(), 1u);
  EXPECT_TRUE(informer.list("b").empty());
  EXPECT_EQ(informer.by_index("node", "n1").size(), 1u);
  EXPECT_TRUE(informer.by_index("node", "").empty()) << "the index follows updates";
  EXPECT_EQ(informer.revision(), store.current_revision());
  informer.stop();
  store.create(key_of("c", "three"), pod("c", "three"));
  EXPECT_EQ(seen.size(), 4u) << "no handler runs after stop()";
}

// A store whose first watch answers Compacted, as when more writes than the event window
// happened between the list and the watch.
class CompactedOnceStore : public store::MemoryStore {
 public:
  store::WatchPtr watch(const std::string& prefix, int64_t from, store::WatchCallback cb) override {
    if (!failed_) {
      failed_ = true;
      // Something changed meanwhile: the relist must pick it up.
      create(key_of("a", "late"), pod("a", "late"));
      throw store::StoreError(store::StoreError::Code::Compacted, "compacted");
    }
    return store::MemoryStore::watch(prefix, from, std::move(cb));
  }
  bool failed_ = false;
};

TEST(Informer, RelistsWhenTheWatchIsCompacted) {
  CompactedOnceStore store;
  store.create(key_of("a", "early"), pod("a", "early"));
  Informer informer(store, pods_resource());
  int adds = 0;
  informer.add_handler([&](const ObjectPtr& old, const ObjectPtr&) { adds += old ? 0 : 1; });
  informer.start();
  EXPECT_TRUE(store.failed_);
  EXPECT_TRUE(informer.get("a", "late")) << "the relist saw the write made meanwhile";
  EXPECT_EQ(adds, 2) << "each object is announced once";
  store.create(key_of("a", "live"), pod("a", "live"));
  EXPECT_TRUE(informer.get("a", "live")) << "and the watch runs after the relist";
}

TEST(Informer, ControllerIndex) {
  Json owned = pod("a", "x");
  owned["metadata"]["ownerReferences"] = {{{"uid", "rs-1"}, {"controller", true}},
                                          {{"uid", "other"}}};
  EXPECT_EQ(controller_uid_index(owned), std::vector<std::string>{"rs-1"});
  EXPECT_TRUE(controller_uid_index(pod("a", "y")).empty());
  EXPECT_EQ(split_key("ns/name"), (std::pair<std::string, std::string>{"ns", "name"}));
  EXPECT_EQ(split_key("node-1"), (std::pair<std::string, std::string>{"", "node-1"}));
}

}  // namespace
}  // namespace skiff::controllers
