// Reading a Pod for the workers: Kubernetes' defaults, named probe ports, limits, and clear
// errors for what cannot run (never a crash).
#include <gtest/gtest.h>

#include "agent/pods/backoff.h"
#include "agent/pods/pod_spec.h"

namespace skiff::agent::pods {
namespace {

Json pod_with(Json container, Json spec = Json::object()) {
  Json pod = {{"metadata", {{"name", "web"}, {"namespace", "default"}, {"uid", "u1"}}},
              {"spec", {{"containers", {std::move(container)}}}}};
  for (auto& [key, value] : spec.items()) pod["spec"][key] = value;
  return pod;
}

std::string error_of(const Json& pod) {
  try {
    parse_pod_spec(pod);
  } catch (const SpecError& error) {
    return error.what();
  }
  return "";
}

TEST(PodSpecTest, PullPolicyDefaultsFollowTheTag) {
  EXPECT_EQ(default_pull_policy("busybox"), PullPolicy::Always);
  EXPECT_EQ(default_pull_policy("busybox:latest"), PullPolicy::Always);
  EXPECT_EQ(default_pull_policy("localhost:5000/busybox"), PullPolicy::Always);
  EXPECT_EQ(default_pull_policy("busybox:1.36"), PullPolicy::IfNotPresent);
  EXPECT_EQ(default_pull_policy("localhost:5000/busybox:1"), PullPolicy::IfNotPresent);
  EXPECT_EQ(default_pull_policy("busybox@sha256:abc"), PullPolicy::IfNotPresent);

  PodSpecView spec = parse_pod_spec(pod_with({{"name", "a"}, {"image", "busybox"}}));
  EXPECT_EQ(spec.containers[0].pull_policy, PullPolicy::Always);
  spec =
      parse_pod_spec(pod_with({{"name", "a"}, {"image", "busybox"}, {"imagePullPolicy", "Never"}}));
  EXPECT_EQ(spec.containers[0].pull_policy, PullPolicy::Never);
}

TEST(PodSpecTest, DefaultsOfAPodThatSkippedDefaulting) {
  PodSpecView spec =
      parse_pod_spec(pod_with({{"name", "a"},
                               {"image", "busybox:1"},
                               {"readinessProbe", {{"tcpSocket", {{"port", 80}}}}}}));
  EXPECT_EQ(spec.key, (PodKey{"default", "web", "u1"}));
  EXPECT_EQ(spec.restart_policy, RestartPolicy::Always);
  EXPECT_EQ(spec.termination_grace, std::chrono::seconds(30));
  EXPECT_EQ(spec.hostname, "web");
  EXPECT_FALSE(spec.deleting);
  const ProbeSpec& probe = *spec.containers[0].readiness_probe;
  EXPECT_EQ(probe.kind, ProbeSpec::Kind::TcpSocket);
  EXPECT_EQ(probe.period, std::chrono::seconds(10));
  EXPECT_EQ(probe.timeout, std::chrono::seconds(1));
  EXPECT_EQ(probe.success_threshold, 1);
  EXPECT_EQ(probe.failure_threshold, 3);
  EXPECT_EQ(probe.initial_delay, std::chrono::seconds(0));
}

TEST(PodSpecTest, ProbesResolveNamedPortsAndReadEveryField) {
  PodSpecView spec = parse_pod_spec(
      pod_with({{"name", "a"},
                {"image", "busybox:1"},
                {"ports", {{{"name", "http"}, {"containerPort", 8080}}}},
                {"livenessProbe",
                 {{"httpGet",
                   {{"port", "http"},
                    {"path", "healthz"},
                    {"httpHeaders", {{{"name", "X-Probe"}, {"value", "1"}}}}}},
                  {"initialDelaySeconds", 5},
                  {"periodSeconds", 2},
                  {"timeoutSeconds", 3},
                  {"failureThreshold", 4}}},
                {"startupProbe", {{"exec", {{"command", {"cat", "/tmp/ready"}}}}}}}));
  const ProbeSpec& liveness = *spec.containers[0].liveness_probe;
  EXPECT_EQ(liveness.kind, ProbeSpec::Kind::HttpGet);
  EXPECT_EQ(liveness.port, 8080);
  EXPECT_EQ(liveness.path, "/healthz");
  EXPECT_EQ(liveness.scheme, "HTTP");
  EXPECT_EQ(liveness.headers.size(), 1u);
  EXPECT_EQ(liveness.initial_delay, std::chrono::seconds(5));
  EXPECT_EQ(liveness.period, std::chrono::seconds(2));
  EXPECT_EQ(liveness.timeout, std::chrono::seconds(3));
  EXPECT_EQ(liveness.failure_threshold, 4);
  EXPECT_EQ(spec.containers[0].startup_probe->command,
            (std::vector<std::string>{"cat", "/tmp/ready"}));
}

TEST(PodSpecTest, LimitsRunAsUserAndDeletion) {
  Json pod =
      pod_with({{"name", "a"},
                {"image", "busybox:1"},
                {"resources", {{"limits", {{"memory", "1Gi"}, {"cpu", "1.5"}}}}}},
               {{"securityContext", {{"runAsUser", 1000}}}, {"terminationGracePeriodSeconds", 45}});
  pod["metadata"]["deletionTimestamp"] = "2027-01-15T08:00:00Z";
  pod["metadata"]["deletionGracePeriodSeconds"] = 7;
  PodSpecView spec = parse_pod_spec(pod);
  EXPECT_EQ(spec.containers[0].memory_limit_bytes, 1024LL * 1024 * 1024);
  EXPECT_EQ(spec.containers[0].cpu_limit_millicores, 1500);
  EXPECT_EQ(spec.containers[0].run_as_user, 1000) << "the pod's runAsUser applies";
  EXPECT_TRUE(spec.deleting);
  EXPECT_EQ(spec.deletion_grace, std::chrono::seconds(7));

  pod["spec"]["containers"][0]["securityContext"] = {{"runAsUser", 0}};
  EXPECT_EQ(parse_pod_spec(pod).containers[0].run_as_user, 0) << "the container's wins";
}

TEST(PodSpecTest, WhatCannotRunIsAnErrorNamingTheField) {
  EXPECT_EQ(error_of(pod_with({{"name", "a"}})), "spec.containers[0].image: is required");
  EXPECT_EQ(error_of(pod_with({{"name", "a"}, {"image", "x"}, {"command", "sh"}})),
            "spec.containers[0].command: must be a list");
  EXPECT_EQ(
      error_of(pod_with(
          {{"name", "a"}, {"image", "x"}, {"livenessProbe", {{"httpGet", {{"port", "web"}}}}}})),
      "spec.containers[0].livenessProbe.httpGet.port: no container port is named \"web\"");
  EXPECT_EQ(error_of(pod_with({{"name", "a"}, {"image", "x"}}, {{"hostNetwork", true}})),
            "spec.hostNetwork: is not supported by skiff yet");
  EXPECT_EQ(
      error_of(pod_with(
          {{"name", "a"}, {"image", "x"}},
          {{"volumes", {{{"name", "data"}, {"persistentVolumeClaim", {{"claimName", "c"}}}}}}})),
      "spec.volumes[0]: persistentVolumeClaim volumes are not supported by skiff yet");
  EXPECT_EQ(
      error_of(pod_with({{"name", "a"},
                         {"image", "x"},
                         {"volumeMounts", {{{"name", "nope"}, {"mountPath", "/x"}}}}})),
      "spec.containers: container \"a\" mounts volume \"nope\", which the pod does not define");
  EXPECT_EQ(error_of(pod_with({{"name", "a"}, {"image", "x"}}, {{"restartPolicy", "Sometimes"}})),
            "spec.restartPolicy: must be Always, OnFailure or Never");
  EXPECT_EQ(
      error_of(pod_with(
          {{"name", "a"}, {"image", "x"}, {"resources", {{"limits", {{"memory", "lots"}}}}}})),
      "spec.containers[0].resources.limits.memory: is not a valid quantity");
  EXPECT_EQ(error_of(Json::array()), "a pod must be a JSON object");
  EXPECT_EQ(error_of(Json{{"metadata", {{"name", "x"}}}}), "metadata.namespace: is required");
}

TEST(PodSpecTest, TheIdentityOfABrokenPodIsStillRead) {
  Json pod = pod_with({{"name", "a"}, {"image", "x"}, {"livenessProbe", {{"grpc", {}}}}});
  pod["metadata"]["deletionTimestamp"] = "2027-01-15T08:00:00Z";
  PodSpecView identity = parse_pod_identity(pod);
  EXPECT_EQ(identity.key.uid, "u1");
  EXPECT_TRUE(identity.deleting);
  ASSERT_EQ(identity.containers.size(), 1u);
  EXPECT_EQ(identity.containers[0].name, "a");
}

TEST(PodSpecTest, BackoffFollowsTheKubelet) {
  Backoff backoff;
  const TimePoint t0{std::chrono::seconds(1000)};
  EXPECT_FALSE(backoff.in_backoff_since("app", t0, t0));
  backoff.next("app", t0);
  EXPECT_TRUE(backoff.in_backoff_since("app", t0, t0 + std::chrono::seconds(9)));
  EXPECT_FALSE(backoff.in_backoff_since("app", t0, t0 + std::chrono::seconds(10)));
  backoff.next("app", t0 + std::chrono::seconds(10));
  EXPECT_EQ(backoff.delay("app", t0 + std::chrono::seconds(10)), std::chrono::seconds(20));
  for (int i = 0; i < 10; ++i) backoff.next("app", t0 + std::chrono::seconds(20));
  EXPECT_EQ(backoff.delay("app", t0 + std::chrono::seconds(20)), std::chrono::seconds(300));
  const TimePoint quiet = t0 + std::chrono::seconds(20 + 601);
  EXPECT_EQ(backoff.delay("app", quiet), std::chrono::seconds(0)) << "ten quiet minutes forget it";
  backoff.next("app", quiet);
  EXPECT_EQ(backoff.delay("app", quiet), std::chrono::seconds(10));
}

}  // namespace
}  // namespace skiff::agent::pods
