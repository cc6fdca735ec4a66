// The pod manager: adopting what the runtime runs after an agent restart (running containers
// kept, not restarted or duplicated; pods deleted meanwhile stopped), routing updates, deletions
// and ConfigMap changes to the right worker, the relist that wakes only changed pods, and the
// same on real threads.
#include <fstream>

#include "agent/pods/pod_manager.h"
#include "tests/unit/support/pods_fixture.h"

namespace skiff::agent::pods::testing {
namespace {

using runtime::ContainerState;

class PodManagerTest : public PodsTest {
 protected:
  std::unique_ptr<PodManager> make_manager(const Clock& with_clock) {
    PodManagerOptions manager_options;
    manager_options.worker = options();
    manager_options.relist_period = 20ms;
    return std::make_unique<PodManager>(capturing, objects, sink, probes, with_clock,
                                        manager_options);
  }
  std::unique_ptr<PodManager> make_manager() { return make_manager(clock); }
  Json with_status(Json pod, const std::string& uid) {
    pod["status"] = sink.latest(uid);
    return pod;
  }
};

TEST_F(PodManagerTest, AnAgentThatRestartedKeepsRunningContainersAndStopsDeletedPods) {
  Json web = make_pod({container("app"), container("side")}, {}, "web", "uid-1");
  Json gone =
      make_pod({container("app")}, {{"terminationGracePeriodSeconds", 12}}, "gone", "uid-2");
  {
    auto manager = make_manager();
    manager->set_pods({web, gone});
    manager->sync_all();
    ASSERT_EQ(manager->worker_count(), 2u);
  }  // the agent stops; the containers keep running
  const std::string app = newest("app", "uid-1").id, side = newest("side", "uid-1").id;
  const std::string gone_app = newest("app", "uid-2").id;
  const size_t creates = count_calls("create_container");
  const size_t reports = sink.reports();

  auto restarted = make_manager();
  std::vector<PodKey> found = restarted->adopt();
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0], (PodKey{"default", "web", "uid-1"}));
  EXPECT_EQ(found[1], (PodKey{"default", "gone", "uid-2"}));

  // The server's list: "gone" was deleted while the agent was away.
  restarted->set_pods({with_status(web, "uid-1")});
  restarted->sync_all();
  EXPECT_EQ(newest("app", "uid-1").id, app);
  EXPECT_EQ(newest("side", "uid-1").id, side);
  EXPECT_EQ(newest("app", "uid-1").state, ContainerState::Running);
  EXPECT_EQ(count_calls("create_container"), creates) << "nothing started twice";
  EXPECT_EQ(count_calls("stop_container " + app), 0u);
  EXPECT_EQ(sink.reports(), reports) << "the status did not change, so nothing is sent";

  EXPECT_EQ(count_calls("stop_container " + gone_app + " 12s"), 1u)
      << "stopped with the grace period its containers recorded";
  EXPECT_TRUE(runtime.list_pod_sandboxes({{{"io.kubernetes.pod.uid", "uid-2"}}, {}}).empty());
  EXPECT_TRUE(sink.stopped().empty()) << "no API object to confirm";
  EXPECT_EQ(restarted->worker_count(), 1u);
}

TEST_F(PodManagerTest, DeletionIsConfirmedAndALateUpdateDoesNotRestartThePod) {
  auto manager = make_manager();
  Json pod = make_pod({container("app")});
  manager->update_pod(pod);
  manager->sync_all();
  ASSERT_EQ(manager->status("uid-1").value()["phase"], "Running");

  Json deleting = pod;
  deleting["metadata"]["deletionTimestamp"] = "2027-01-15T08:01:00Z";
  deleting["metadata"]["deletionGracePeriodSeconds"] = 30;
  manager->update_pod(deleting);
  manager->sync_all();
  EXPECT_EQ(manager->worker_count(), 0u);
  EXPECT_EQ(sink.stopped().size(), 1u);
  EXPECT_FALSE(manager->status("uid-1"));

  manager->update_pod(deleting);  // the confirmation got lost; the server sends the pod again
  manager->sync_all();
  EXPECT_EQ(manager->worker_count(), 0u);
  EXPECT_EQ(sink.stopped().size(), 2u) << "confirmed again";
  EXPECT_EQ(count_calls("create_container"), 1u);

  manager->update_pod(make_pod({container("app")}, {}, "bad-json", ""));  // no uid: ignored
  EXPECT_EQ(manager->worker_count(), 0u);
}

TEST_F(PodManagerTest, RemovingAPodStopsItWithoutConfirmation) {
  auto manager = make_manager();
  manager->update_pod(make_pod({container("app")}));
  manager->sync_all();
  manager->remove_pod("uid-1");
  manager->sync_all();
  EXPECT_EQ(manager->worker_count(), 0u);
  EXPECT_TRUE(runtime.list_pod_sandboxes({}).empty());
  EXPECT_TRUE(sink.stopped().empty());
}

TEST_F(PodManagerTest, RelistWakesOnlyThePodsWhoseContainersChanged) {
  auto manager = make_manager();
  manager->set_pods({make_pod({container("app")}, {}, "a", "uid-a"),
                     make_pod({container("app")}, {}, "b", "uid-b")});
  manager->sync_all();
  EXPECT_EQ(manager->relist().size(), 2u) << "the first look sees everything as new";
  manager->sync_all();
  EXPECT_TRUE(manager->relist().empty()) << "nothing changed";
  runtime.exit_container(newest("app", "uid-b").id, 1);
  EXPECT_EQ(manager->relist(), std::vector<std::string>{"uid-b"});
  const size_t lists = count_calls("list_pod_sandboxes");
  manager->sync_all();
  EXPECT_EQ(count_calls("list_pod_sandboxes"), lists + 2)
      << "only b synced (two looks: before and after the restart)";
  EXPECT_EQ(newest("app", "uid-b").attempt, 1u);
}

TEST_F(PodManagerTest, AConfigMapChangeReachesTheWorkersThatUseIt) {
  objects.put_config_map("site", {{"index.html", "v1"}});
  Json user =
      make_pod({container("app", {{"volumeMounts", {{{"name", "www"}, {"mountPath", "/www"}}}}})},
               {{"volumes", {{{"name", "www"}, {"configMap", {{"name", "site"}}}}}}});
  auto manager = make_manager();
  manager->set_pods({user, make_pod({container("app")}, {}, "other", "uid-2")});
  manager->sync_all();
  const auto file =
      std::filesystem::path(capturing.config(newest("app").id).mounts[0].host_path) / "index.html";
  objects.put_config_map("site", {{"index.html", "v2"}});
  manager->object_changed("ConfigMap", "default", "site");
  manager->sync_all();
  std::ifstream in(file);
  std::string content;
  std::getline(in, content);
  EXPECT_EQ(content, "v2");
}

TEST_F(PodManagerTest, OnThreadsPodsStartRestartAndStop) {
  SystemClock real_clock;
  runtime.set_clock([] { return std::chrono::system_clock::now(); });
  auto manager = make_manager(real_clock);
  manager->start();
  manager->update_pod(make_pod({container("app")}));
  ASSERT_TRUE(sink.wait_for("uid-1", [](const Json& s) { return s["phase"] == "Running"; }));

  runtime.exit_container(newest("app").id, 1);  // noticed by the relister, restarted at once
  ASSERT_TRUE(sink.wait_for("uid-1", [](const Json& s) {
    return container_status(s, "app")["restartCount"] == 1 &&
           container_status(s, "app")["state"].contains("running");
  })) << sink.latest().dump(2);

  Json deleting = make_pod({container("app")});
  deleting["metadata"]["deletionTimestamp"] = "2027-01-15T08:01:00Z";
  manager->update_pod(deleting);
  ASSERT_TRUE(sink.wait_stopped("uid-1"));
  EXPECT_TRUE(runtime.list_pod_sandboxes({}).empty());
  manager->stop();
  EXPECT_EQ(manager->worker_count(), 0u);
}

}  // namespace
}  // namespace skiff::agent::pods::testing
