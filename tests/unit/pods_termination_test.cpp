// Deleting a pod: preStop hooks, stopping with the grace period (at least 2 s), removing the
// sandbox, containers and volumes, the final status, then "stopped"; a forgotten pod goes the
// same way without reports; failures are retried and "stopped" comes only when all is gone.
#include "tests/unit/support/pods_fixture.h"

namespace skiff::agent::pods::testing {
namespace {

Json deleting(Json pod, int grace) {
  pod["metadata"]["deletionTimestamp"] = "2027-01-15T08:01:00Z";
  pod["metadata"]["deletionGracePeriodSeconds"] = grace;
  return pod;
}

class PodTerminationTest : public PodsTest {
 protected:
  bool called(const std::string& call) {
    for (const auto& c : runtime.calls())
      if (c == call) return true;
    return false;
  }
};

TEST_F(PodTerminationTest, PreStopThenStopWithGraceThenRemoveEverything) {
  objects.put_config_map("site", {{"index.html", "hi"}});
  Json pod = make_pod(
      {container("app", {{"lifecycle",
                          {{"preStop", {{"exec", {{"command", {"/bin/sh", "-c", "sleep 1"}}}}}}}},
                         {"volumeMounts", {{{"name", "www"}, {"mountPath", "/www"}}}}}),
       container("side")},
      {{"volumes",
        {{{"name", "www"}, {"configMap", {{"name", "site"}}}},
         {{"name", "tmp"}, {"emptyDir", Json::object()}}}}});
  auto worker = make_worker(pod);
  worker->sync();
  const std::string app = newest("app").id, side = newest("side").id;
  ASSERT_TRUE(std::filesystem::exists(root / "pods" / "uid-1" / "volumes"));

  worker->update(deleting(pod, 20));
  EXPECT_TRUE(worker->deleting());
  EXPECT_FALSE(worker->sync());
  EXPECT_EQ(runtime.exec_calls(app), std::vector<std::string>{"/bin/sh -c sleep 1"});
  EXPECT_TRUE(called("stop_container " + app + " 20s"));
  EXPECT_TRUE(called("stop_container " + side + " 20s"));
  EXPECT_TRUE(runtime.list_pod_sandboxes({}).empty());
  EXPECT_TRUE(runtime.list_containers({}).empty());
  EXPECT_FALSE(std::filesystem::exists(root / "pods" / "uid-1")) << "volumes go with the pod";
  EXPECT_TRUE(worker->stopped());
  ASSERT_EQ(sink.stopped().size(), 1u);
  EXPECT_EQ(sink.stopped()[0], (PodKey{"default", "web", "uid-1"}));

  // The last status before "stopped": everything terminated, the phase terminal.
  Json status = sink.latest();
  EXPECT_EQ(status["phase"], "Failed") << "killed by SIGTERM: exit 143";
  EXPECT_EQ(container_status(status, "app")["state"]["terminated"]["exitCode"], 143);
  EXPECT_EQ(container_status(status, "app")["ready"], false);
  EXPECT_EQ(condition(status, "Ready")["status"], "False");
  EXPECT_EQ(condition(status, "PodReadyToStartContainers")["status"], "False");

  const size_t calls = runtime.calls().size();
  EXPECT_FALSE(worker->sync());
  EXPECT_EQ(runtime.calls().size(), calls) << "a stopped worker does nothing";
}

TEST_F(PodTerminationTest, AGracefulExitIsSucceededAndGraceZeroStillWaitsTwoSeconds) {
  runtime.exit_on_stop("app", 0);
  Json pod = make_pod({container("app")});
  auto worker = make_worker(pod);
  worker->sync();
  const std::string app = newest("app").id;
  worker->update(deleting(pod, 0));
  worker->sync();
  EXPECT_TRUE(called("stop_container " + app + " 2s"));
  EXPECT_EQ(sink.latest()["phase"], "Succeeded");
  EXPECT_EQ(sink.stopped().size(), 1u);
}

TEST_F(PodTerminationTest, APodThatNeverStartedStopsAtOnce) {
  Json pod =
      make_pod({{{"name", "app"}, {"image", "localhost/absent:1"}, {"imagePullPolicy", "Never"}}});
  auto worker = make_worker(pod);
  worker->sync();
  worker->update(deleting(pod, 30));
  worker->sync();
  EXPECT_EQ(count_calls("stop_container"), 0u);
  EXPECT_TRUE(runtime.list_pod_sandboxes({}).empty());
  EXPECT_EQ(sink.stopped().size(), 1u);
}

TEST_F(PodTerminationTest, AnOlderCopyDoesNotUndoTheDeletion) {
  Json pod = make_pod({container("app")});
  auto worker = make_worker(pod);
  worker->update(deleting(pod, 30));
  worker->update(pod);
  EXPECT_TRUE(worker->deleting());
}

TEST_F(PodTerminationTest, AForgottenPodIsStoppedWithItsOwnGraceAndNotReported) {
  Json pod = make_pod({container("app")}, {{"terminationGracePeriodSeconds", 7}});
  auto worker = make_worker(pod);
  worker->sync();
  const std::string app = newest("app").id;
  const size_t reports = sink.reports();
  worker->forget();
  worker->sync();
  EXPECT_TRUE(called("stop_container " + app + " 7s"));
  EXPECT_TRUE(runtime.list_pod_sandboxes({}).empty());
  EXPECT_TRUE(worker->stopped());
  EXPECT_EQ(sink.reports(), reports);
  EXPECT_TRUE(sink.stopped().empty()) << "there is no API object to confirm";
}

TEST_F(PodTerminationTest, StoppedIsReportedOnlyOnceEverythingIsGone) {
  Json pod = make_pod({container("app")});
  auto worker = make_worker(pod);
  worker->sync();
  worker->update(deleting(pod, 30));
  runtime.fail_next("remove_pod_sandbox",
                    runtime::RuntimeError(runtime::ErrorCode::Unavailable, "podman restarting"));
  std::optional<TimePoint> wake = worker->sync();
  ASSERT_TRUE(wake);
  EXPECT_EQ(*wake, clock.now() + 5s);
  EXPECT_FALSE(worker->stopped());
  EXPECT_TRUE(sink.stopped().empty());
  worker->sync();
  EXPECT_TRUE(worker->stopped());
  EXPECT_EQ(sink.stopped().size(), 1u);
  EXPECT_TRUE(runtime.list_pod_sandboxes({}).empty());
}

}  // namespace
}  // namespace skiff::agent::pods::testing
