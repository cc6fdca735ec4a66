// A node's stream (NodeWatch through NodeService::watch) against the real API server
// in-process: the full set, live changes, dependencies sent before the pods that need them and
// released after, resuming from a resource_version, relisting when it cannot, bookmarks, and
// a slow agent cut off.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "server/nodeservice/node_service.h"
#include "tests/unit/support/nodeservice_fixture.h"

namespace skiff::nodeservice {
namespace {

using namespace testing;
using Type = NodeWatchEvent::Type;
using Strings = std::vector<std::string>;

const Json kConfigMapVolume = {
    {"volumes", {{{"name", "site"}, {"configMap", {{"name", "site"}}}}}}};

class NodeWatchTest : public ApiFixture {
 protected:
  explicit NodeWatchTest(size_t window = store::WatchHub::kDefaultWindowSize)
      : ApiFixture(window), service(store, client, options()) {}
  static NodeServiceOptions options() {
    NodeServiceOptions options;
    options.watch_limits.stop_poll_interval = 20ms;
    options.watch_limits.bookmark_interval = 1h;
    return options;
  }
  NodeWatchRequest request(int64_t resource_version = 0) {
    NodeWatchRequest r;
    r.node_name = "n1";
    r.resource_version = resource_version;
    r.kinds = {NodeObjectKind::Pod, NodeObjectKind::ConfigMap, NodeObjectKind::Secret};
    return r;
  }
  static bool has(const std::vector<NodeWatchEvent>& events, const std::string& line) {
    for (const auto& event : events) {
      if (describe(event) == line) return true;
    }
    return false;
  }
  static int64_t last_resume_point(const std::vector<NodeWatchEvent>& events) {
    int64_t point = 0;
    for (const auto& event : events) {
      if (event.resource_version > 0) point = event.resource_version;
    }
    return point;
  }

  NodeService service;
};

TEST_F(NodeWatchTest, FullSetSendsTheNodesPodsWithTheirDependenciesFirst) {
  create_config_map("site", "v1");
  create_config_map("unrelated", "v1");
  create_pod("web", "n1", kConfigMapVolume);
  create_pod("other", "n2", kConfigMapVolume);
  create_pod("pending", "");
  RecordingSink sink;
  RunningWatch watch(service, request(), sink);
  ASSERT_TRUE(sink.wait_count(4));
  auto events = sink.events();
  EXPECT_EQ(describe(events),
            (Strings{"Reset", "Added ConfigMap default/site", "Added Pod default/web", "Synced"}));
  EXPECT_EQ(events[1].resource_version, 0) << "no resume point inside a full set";
  EXPECT_EQ(events.back().resource_version, store.current_revision());
}

TEST_F(NodeWatchTest, EveryNodeSeesEveryServiceEndpointSliceAndNode) {
  const Json service = {{"apiVersion", "v1"},
                        {"kind", "Service"},
                        {"metadata", {{"name", "web"}, {"namespace", "default"}}},
                        {"spec", {{"ports", {{{"port", 80}}}}, {"clusterIP", "None"}}}};
  client.request("POST", "/api/v1/namespaces/default/services", &service);
  const Json node = {{"apiVersion", "v1"}, {"kind", "Node"}, {"metadata", {{"name", "n2"}}}};
  client.request("POST", "/api/v1/nodes", &node);
  create_pod("elsewhere", "n2");
  RecordingSink sink;
  NodeWatchRequest with_cluster = request();
  with_cluster.kinds.insert(
      {NodeObjectKind::Service, NodeObjectKind::EndpointSlice, NodeObjectKind::Node});
  RunningWatch watch(this->service, with_cluster, sink);
  ASSERT_TRUE(sink.wait_count(4));
  EXPECT_EQ(describe(sink.events()),
            (Strings{"Reset", "Added Service default/web", "Added Node /n2", "Synced"}))
      << "the full set names every object of the cluster-wide kinds, not only this node's";
  sink.clear();

  const Json slice = {{"apiVersion", "discovery.k8s.io/v1"},
                      {"kind", "EndpointSlice"},
                      {"metadata",
                       {{"name", "web-1"},
                        {"namespace", "default"},
                        {"labels", {{"kubernetes.io/service-name", "web"}}}}},
                      {"addressType", "IPv4"},
                      {"endpoints", {{{"addresses", {"10.42.1.5"}}}}}};
  client.request("POST", "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices", &slice);
  client.request("DELETE", "/api/v1/namespaces/default/services/web", nullptr);
  ASSERT_TRUE(sink.wait_count(2));
  EXPECT_EQ(describe(sink.events()),
            (Strings{"Added EndpointSlice default/web-1", "Deleted Service default/web"}));
}

TEST_F(NodeWatchTest, LiveChangesBindingsAndReleasedDependencies) {
  RecordingSink sink;
  RunningWatch watch(service, request(), sink);
  ASSERT_TRUE(sink.wait_count(2));  // Reset, Synced
  sink.clear();

  // A pod bound later (created unscheduled, then a Binding) is Added when it is bound.
  create_pod("web", "", kConfigMapVolume);
  Json binding = {{"apiVersion", "v1"},
                  {"kind", "Binding"},
                  {"metadata", {{"name", "web"}}},
                  {"target", {{"kind", "Node"}, {"name", "n1"}}}};
  client.request("POST", "/api/v1/namespaces/default/pods/web/binding", &binding);
  ASSERT_TRUE(sink.wait_count(1));
  EXPECT_EQ(describe(sink.events()), (Strings{"Added Pod default/web"}));

  // Its ConfigMap does not exist yet: it is sent when created, and changes follow.
  create_config_map("site", "v1");
  create_config_map("unrelated", "v1");
  Json patch = {{"data", {{"key", "v2"}}}};
  client.request("PATCH", "/api/v1/namespaces/default/configmaps/site", &patch,
                 "application/merge-patch+json");
  client.request("PATCH", "/api/v1/namespaces/default/configmaps/unrelated", &patch,
                 "application/merge-patch+json");
  create_pod("elsewhere", "n2");
  delete_pod("web");  // marked: Modified with a deletionTimestamp
  controllers::remove(client, pods_resource(), "default", "web", "", 0);  // the node confirms
  ASSERT_TRUE(sink.wait_count(6));
  auto events = sink.events();
  EXPECT_EQ(describe(events),
            (Strings{"Added Pod default/web", "Added ConfigMap default/site",
                     "Modified ConfigMap default/site", "Modified Pod default/web",
                     "Deleted Pod default/web", "Deleted ConfigMap default/site"}));
  EXPECT_TRUE(events[3].object->at("metadata").contains("deletionTimestamp"));
  for (std::size_t i = 1; i < events.size(); ++i) {
    EXPECT_GE(events[i].resource_version, events[i - 1].resource_version) << "in revision order";
  }
}

TEST_F(NodeWatchTest, SecretsAndConfigMapsFromEnvAndProjectedVolumesAreSent) {
  Json secret = {{"apiVersion", "v1"},
                 {"kind", "Secret"},
                 {"metadata", {{"name", "db"}, {"namespace", "default"}}},
                 {"stringData", {{"password", "hunter2"}}}};
  client.request("POST", "/api/v1/namespaces/default/secrets", &secret);
  create_config_map("env", "x");
  Json spec = {
      {"containers",
       {{{"name", "app"},
         {"image", "busybox"},
         {"envFrom", {{{"configMapRef", {{"name", "env"}}}}}},
         {"env",
          {{{"name", "PASSWORD"},
            {"valueFrom", {{"secretKeyRef", {{"name", "db"}, {"key", "password"}}}}}}}}}}}};
  create_pod("web", "n1", spec);
  RecordingSink sink;
  RunningWatch watch(service, request(), sink);
  ASSERT_TRUE(sink.wait_count(5));
  EXPECT_EQ(describe(sink.events()),
            (Strings{"Reset", "Added ConfigMap default/env", "Added Secret default/db",
                     "Added Pod default/web", "Synced"}));
}

TEST_F(NodeWatchTest, PodsOnlyWhenTheAgentAsksForPodsOnly) {
  create_config_map("site", "v1");
  create_pod("web", "n1", kConfigMapVolume);
  RecordingSink sink;
  NodeWatchRequest pods_only = request();
  pods_only.kinds = {NodeObjectKind::Pod};
  RunningWatch watch(service, pods_only, sink);
  ASSERT_TRUE(sink.wait_count(3));
  EXPECT_EQ(describe(sink.events()), (Strings{"Reset", "Added Pod default/web", "Synced"}));
}

TEST_F(NodeWatchTest, ResumeSendsOnlyWhatChangedAndTheDependenciesOfNewPods) {
  create_config_map("site", "v1");
  create_pod("web", "n1");
  create_pod("api", "n1");
  RecordingSink first;
  int64_t resume_point = 0;
  {
    RunningWatch watch(service, request(), first);
    ASSERT_TRUE(first.wait_count(4));
    resume_point = last_resume_point(first.events());
  }
  // Disconnected: a pod deleted, one added that needs an existing ConfigMap, one changed.
  controllers::remove(client, pods_resource(), "default", "api", "", 0);
  create_pod("db", "n1", kConfigMapVolume);
  controllers::merge_patch(client, pods_resource(), "default", "web",
                           {{"metadata", {{"labels", {{"tier", "front"}}}}}});

  RecordingSink second;
  RunningWatch watch(service, request(resume_point), second);
  ASSERT_TRUE(second.wait_for(
      [](const auto& events) { return !events.empty() && events.back().type == Type::Synced; },
      "Synced"));
  EXPECT_EQ(describe(second.events()),
            (Strings{"Added ConfigMap default/site", "Deleted Pod default/api",
                     "Added Pod default/db", "Modified Pod default/web", "Synced"}));
  for (const auto& event : second.events()) {
    EXPECT_GE(event.resource_version, resume_point) << describe(event);
  }
  EXPECT_EQ(second.events().back().resource_version, store.current_revision());
}

TEST_F(NodeWatchTest, ResumeFromTheFutureSendsTheFullSet) {
  create_pod("web", "n1");
  RecordingSink sink;
  RunningWatch watch(service, request(store.current_revision() + 100), sink);
  ASSERT_TRUE(sink.wait_count(3));
  EXPECT_EQ(describe(sink.events()), (Strings{"Reset", "Added Pod default/web", "Synced"}));
}

TEST_F(NodeWatchTest, BookmarksMoveTheResumePointWhileNothingChangesHere) {
  NodeServiceOptions fast = options();
  fast.watch_limits.bookmark_interval = 0ms;
  NodeService bookmarking(store, client, fast);
  RecordingSink sink;
  RunningWatch watch(bookmarking, request(), sink);
  ASSERT_TRUE(sink.wait_count(2));
  create_pod("elsewhere", "n2");
  ASSERT_TRUE(sink.wait_for([](const auto& events) { return events.back().type == Type::Bookmark; },
                            "a bookmark"));
  EXPECT_EQ(sink.events().back().resource_version, store.current_revision());
}

TEST_F(NodeWatchTest, ShutdownEndsWatches) {
  RecordingSink sink;
  RunningWatch watch(service, request(), sink);
  ASSERT_TRUE(sink.wait_count(2));
  service.shutdown();
  for (int i = 0; i < 200 && !watch.ended; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_TRUE(watch.ended);
  EXPECT_EQ(watch.end, NodeWatchEnd::Stopped);
}

TEST_F(NodeWatchTest, AReceiverThatIsGoneEndsTheWatch) {
  create_pod("web", "n1");
  RecordingSink sink;
  sink.accept = false;
  RunningWatch watch(service, request(), sink);
  for (int i = 0; i < 200 && !watch.ended; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_TRUE(watch.ended);
  EXPECT_EQ(watch.end, NodeWatchEnd::ReceiverGone);
  EXPECT_EQ(sink.events().size(), 1u);
}

TEST_F(NodeWatchTest, AnAgentThatFallsBehindIsCutOff) {
  NodeServiceOptions small = options();
  small.watch_limits.max_queued_events = 3;
  NodeService limited(store, client, small);
  RecordingSink sink;
  RunningWatch watch(limited, request(), sink);
  ASSERT_TRUE(sink.wait_count(2));
  sink.set_hold(true);  // the agent stops reading
  for (int i = 0; i < 6; ++i) create_pod("p" + std::to_string(i), "n1");
  sink.set_hold(false);
  for (int i = 0; i < 200 && !watch.ended; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_TRUE(watch.ended);
  EXPECT_EQ(watch.end, NodeWatchEnd::TooSlow);
}

class CompactedWatchTest : public NodeWatchTest {
 protected:
  CompactedWatchTest() : NodeWatchTest(/*window=*/4) {}
};

TEST_F(CompactedWatchTest, AResumePointOutOfTheWindowGetsTheFullSet) {
  create_pod("web", "n1");
  RecordingSink first;
  int64_t resume_point = 0;
  {
    RunningWatch watch(service, request(), first);
    ASSERT_TRUE(first.wait_count(3));
    resume_point = last_resume_point(first.events());
  }
  for (int i = 0; i < 6; ++i) create_config_map("filler" + std::to_string(i), "x");
  create_pod("api", "n1");
  RecordingSink second;
  RunningWatch watch(service, request(resume_point), second);
  ASSERT_TRUE(second.wait_count(4));
  EXPECT_EQ(describe(second.events()),
            (Strings{"Reset", "Added Pod default/api", "Added Pod default/web", "Synced"}));
}

}  // namespace
}  // namespace skiff::nodeservice
