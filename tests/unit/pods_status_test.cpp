// The status builder as a pure function: Kubernetes' phase rules, condition transition times
// kept while a condition holds, conditions other components own kept, waiting reasons and
// lastState, and the QoS class.
#include "agent/pods/pod_status.h"
#include "pkg/api/time.h"
#include "tests/unit/support/pods_fixture.h"

namespace skiff::agent::pods::testing {
namespace {

using runtime::ContainerState;
using runtime::ContainerStatus;

const TimePoint kNow{std::chrono::seconds(1'800'000'000)};

ContainerStatus instance(const std::string& name, ContainerState state, uint32_t attempt = 0,
                         int exit_code = 0) {
  ContainerStatus out;
  out.id = name + "-" + std::to_string(attempt);
  out.sandbox_id = "sandbox-1";
  out.name = name;
  out.attempt = attempt;
  out.state = state;
  out.image_id = "sha256:x";
  out.created_at = out.started_at = kNow - std::chrono::seconds(60);
  if (state == ContainerState::Exited) {
    out.exit_code = exit_code;
    out.finished_at = kNow - std::chrono::seconds(30);
    out.reason = runtime::exit_reason(exit_code, false);
  }
  return out;
}

runtime::PodSandboxStatus ready_sandbox() {
  runtime::PodSandboxStatus out;
  out.id = "sandbox-1";
  out.state = runtime::SandboxState::Ready;
  out.ip = "10.88.0.9";
  return out;
}

class PodStatusTest : public ::testing::Test {
 protected:
  Json build(const Json& pod, std::vector<ContainerStatus> containers,
             const Json& previous = Json(), bool terminal = false) {
    spec = parse_pod_spec(pod);
    snapshot = make_snapshot({ready_sandbox()}, std::move(containers));
    return build_pod_status({spec, snapshot, previous, waiting, probes, "podman", "192.168.1.10",
                             "10.88.0.9", terminal, "BestEffort", kNow});
  }
  std::string phase(RestartPolicy policy, std::vector<ContainerStatus> containers,
                    bool terminal = false) {
    const char* names[] = {"Always", "OnFailure", "Never"};
    return build(make_pod({container("a"), container("b")},
                          {{"restartPolicy", names[static_cast<int>(policy)]}}),
                 std::move(containers), Json(), terminal)["phase"];
  }

  PodSpecView spec;
  PodSnapshot snapshot;
  std::map<std::string, ContainerWaiting> waiting;
  std::map<std::string, ProbeView> probes;
};

TEST_F(PodStatusTest, PhaseRules) {
  using R = RestartPolicy;
  const auto running = ContainerState::Running;
  const auto exited = ContainerState::Exited;
  EXPECT_EQ(phase(R::Always, {}), "Pending");
  EXPECT_EQ(phase(R::Always, {instance("a", running)}), "Pending") << "b has not started";
  EXPECT_EQ(phase(R::Always, {instance("a", running), instance("b", running)}), "Running");
  EXPECT_EQ(phase(R::Always, {instance("a", exited, 0, 1), instance("b", exited)}), "Running")
      << "Always: restarting";
  EXPECT_EQ(phase(R::OnFailure, {instance("a", exited), instance("b", exited)}), "Succeeded");
  EXPECT_EQ(phase(R::OnFailure, {instance("a", exited, 0, 1), instance("b", exited)}), "Running");
  EXPECT_EQ(phase(R::Never, {instance("a", exited, 0, 1), instance("b", exited)}), "Failed");
  EXPECT_EQ(phase(R::Never, {instance("a", exited, 0, 1), instance("b", running)}), "Running");
  EXPECT_EQ(phase(R::Always, {instance("a", exited, 0, 143), instance("b", exited)}, true),
            "Failed")
      << "deleted: terminal whatever the policy";
  EXPECT_EQ(phase(R::Always, {instance("a", exited), instance("b", exited)}, true), "Succeeded");
}

TEST_F(PodStatusTest, TransitionTimesMoveOnlyWhenAConditionChanges) {
  Json pod = make_pod({container("a")});
  probes["a-0"] = {true, false};
  Json first = build(pod, {instance("a", ContainerState::Running)});
  EXPECT_EQ(condition(first, "Ready")["status"], "False");
  EXPECT_EQ(condition(first, "Ready")["lastTransitionTime"], api::format_rfc3339(kNow));

  Json older = first;
  for (auto& c : older["conditions"]) c["lastTransitionTime"] = "2027-01-01T00:00:00Z";
  older["startTime"] = "2027-01-01T00:00:00Z";
  older["conditions"].push_back({{"type", "DisruptionTarget"}, {"status", "True"}});
  probes["a-0"] = {true, true};
  Json second = build(pod, {instance("a", ContainerState::Running)}, older);
  EXPECT_EQ(condition(second, "Initialized")["lastTransitionTime"], "2027-01-01T00:00:00Z");
  EXPECT_EQ(condition(second, "PodScheduled")["lastTransitionTime"], "2027-01-01T00:00:00Z");
  EXPECT_EQ(condition(second, "Ready")["status"], "True");
  EXPECT_EQ(condition(second, "Ready")["lastTransitionTime"], api::format_rfc3339(kNow));
  EXPECT_EQ(condition(second, "DisruptionTarget")["status"], "True") << "not ours: kept";
  EXPECT_EQ(second["startTime"], "2027-01-01T00:00:00Z");
  EXPECT_EQ(second["conditions"].size(), 6u);
}

TEST_F(PodStatusTest, WaitingReasonsAndLastState) {
  Json pod = make_pod({container("a"), container("b"), container("c")});
  waiting["a"] = {"CrashLoopBackOff",
                  "back-off 10s restarting failed container=a pod=web_default(uid-1)"};
  waiting["c"] = {"ErrImagePull", "manifest unknown"};
  Json status = build(
      pod,
      {instance("a", ContainerState::Exited, 2, 1), instance("a", ContainerState::Exited, 1, 1),
       instance("b", ContainerState::Running, 1), instance("b", ContainerState::Exited, 0, 137)});
  Json a = container_status(status, "a");
  const Json expected_state = {
      {"waiting",
       {{"reason", "CrashLoopBackOff"},
        {"message", "back-off 10s restarting failed container=a pod=web_default(uid-1)"}}}};
  EXPECT_EQ(a["state"], expected_state);
  EXPECT_EQ(a["restartCount"], 2);
  EXPECT_EQ(a["lastState"]["terminated"]["containerID"], "podman://a-2");
  EXPECT_EQ(a["lastState"]["terminated"]["finishedAt"], "2027-01-15T07:59:30Z");
  EXPECT_EQ(a["lastState"]["terminated"]["startedAt"], "2027-01-15T07:59:00Z");
  Json b = container_status(status, "b");
  EXPECT_EQ(b["state"]["running"]["startedAt"], "2027-01-15T07:59:00Z");
  EXPECT_EQ(b["lastState"]["terminated"]["exitCode"], 137);
  EXPECT_EQ(b["restartCount"], 1);
  Json c = container_status(status, "c");
  EXPECT_EQ(c["state"]["waiting"]["reason"], "ErrImagePull");
  EXPECT_EQ(c["imageID"], "");
  EXPECT_FALSE(c.contains("containerID"));
  EXPECT_EQ(status["phase"], "Pending");
}

TEST_F(PodStatusTest, QosClass) {
  auto qos = [](Json resources) {
    return qos_class(make_pod({container("a", {{"resources", std::move(resources)}})}));
  };
  EXPECT_EQ(qos(Json::object()), "BestEffort");
  EXPECT_EQ(qos({{"requests", {{"cpu", "100m"}}}}), "Burstable");
  EXPECT_EQ(qos({{"limits", {{"cpu", "1"}, {"memory", "1Gi"}}}}), "Guaranteed");
  EXPECT_EQ(qos({{"limits", {{"cpu", "1"}, {"memory", "1Gi"}}}, {"requests", {{"cpu", "500m"}}}}),
            "Burstable");
}

}  // namespace
}  // namespace skiff::agent::pods::testing
