// The JSON bodies the podman runtime sends: what Kubernetes semantics become in podman's
// SpecGenerator, and that bad configs are refused before podman sees them.
#include <gtest/gtest.h>

#include "agent/runtime/podman/podman_specs.h"

namespace skiff::agent::runtime::podman {
namespace {

PodSandboxConfig sandbox_config() {
  PodSandboxConfig config;
  config.metadata = {"web-1", "default", "0b6f1c2e-1111-2222-3333-444455556666", 0};
  config.labels = {{"app", "web"}};
  return config;
}

ContainerConfig container_config() {
  ContainerConfig config;
  config.name = "httpd";
  config.image = "localhost/busybox:1";
  return config;
}

TEST(PodmanSpecs, NamesCarryPodNamespaceUidAndAttempt) {
  PodSandboxConfig sandbox = sandbox_config();
  sandbox.metadata.attempt = 2;
  EXPECT_EQ(sandbox_name(sandbox.metadata),
            "k8s_web-1_default_0b6f1c2e-1111-2222-3333-444455556666_2");
  ContainerConfig container = container_config();
  container.attempt = 5;
  EXPECT_EQ(container_name(sandbox.metadata, container),
            "k8s_httpd_web-1_default_0b6f1c2e-1111-2222-3333-444455556666_5");
}

TEST(PodmanSpecs, PodBodyIsABridgeSandboxWithKubernetesLabels) {
  Json body = pod_create_body(sandbox_config());
  EXPECT_EQ(body["name"], "k8s_web-1_default_0b6f1c2e-1111-2222-3333-444455556666_0");
  EXPECT_EQ(body["hostname"], "web-1");
  EXPECT_EQ(body["netns"]["nsmode"], "bridge");
  EXPECT_EQ(body["labels"]["io.kubernetes.pod.name"], "web-1");
  EXPECT_EQ(body["labels"]["io.kubernetes.pod.namespace"], "default");
  EXPECT_EQ(body["labels"]["io.kubernetes.pod.uid"], "0b6f1c2e-1111-2222-3333-444455556666");
  EXPECT_EQ(body["labels"]["app"], "web");
  EXPECT_EQ(body["labels"]["io.skiff.attempt"], "0");
  EXPECT_FALSE(body.contains("portmappings"));
  EXPECT_FALSE(body.contains("Networks"));
}

TEST(PodmanSpecs, ReservedLabelsCannotBeOverriddenByExtraLabels) {
  PodSandboxConfig config = sandbox_config();
  config.labels["io.kubernetes.pod.name"] = "someone-else";
  EXPECT_EQ(pod_create_body(config)["labels"]["io.kubernetes.pod.name"], "web-1");
}

TEST(PodmanSpecs, OnlyPublishedPortsAndANamedNetworkReachThePod) {
  PodSandboxConfig config = sandbox_config();
  config.port_mappings = {{8080, 0, "TCP", ""}, {53, 5353, "UDP", "127.0.0.1"}};
  config.network = "skiff";
  Json body = pod_create_body(config);
  ASSERT_EQ(body["portmappings"].size(), 1u);
  EXPECT_EQ(body["portmappings"][0]["container_port"], 53);
  EXPECT_EQ(body["portmappings"][0]["host_port"], 5353);
  EXPECT_EQ(body["portmappings"][0]["protocol"], "udp");
  EXPECT_EQ(body["portmappings"][0]["host_ip"], "127.0.0.1");
  EXPECT_TRUE(body["Networks"].contains("skiff"));
}

TEST(PodmanSpecs, TheSandboxsDnsSettingsAreThePodsResolvConf) {
  PodSandboxConfig config = sandbox_config();
  EXPECT_FALSE(pod_create_body(config).contains("dns_server"));  // podman's default
  config.dns_servers = {"10.43.0.10"};
  config.dns_searches = {"default.svc.cluster.local", "svc.cluster.local", "cluster.local"};
  config.dns_options = {"ndots:5"};
  Json body = pod_create_body(config);
  EXPECT_EQ(body["dns_server"], Json({"10.43.0.10"}));
  EXPECT_EQ(body["dns_search"],
            Json({"default.svc.cluster.local", "svc.cluster.local", "cluster.local"}));
  EXPECT_EQ(body["dns_option"], Json({"ndots:5"}));
}

TEST(PodmanSpecs, BadSandboxConfigsAreInvalid) {
  auto expect_invalid = [](const PodSandboxConfig& config) {
    try {
      pod_create_body(config);
      ADD_FAILURE() << "accepted " << config.metadata.name;
    } catch (const RuntimeError& error) {
      EXPECT_EQ(error.code(), ErrorCode::Invalid) << error.what();
    }
  };
  PodSandboxConfig config = sandbox_config();
  config.metadata.name = "";
  expect_invalid(config);
  config = sandbox_config();
  config.metadata.namespace_name = "a_b";  // would make the name ambiguous
  expect_invalid(config);
  config = sandbox_config();
  config.metadata.uid = "x/y";
  expect_invalid(config);
  config = sandbox_config();
  config.port_mappings = {{0, 80, "TCP", ""}};
  expect_invalid(config);
  config = sandbox_config();
  config.port_mappings = {{80, 80, "ICMP", ""}};
  expect_invalid(config);
}

TEST(PodmanSpecs, ContainerBodyCarriesEverythingAPodSpecSays) {
  ContainerConfig config = container_config();
  config.attempt = 3;
  config.command = {"/bin/httpd"};
  config.args = {"-f", "-p", "8080"};
  config.env = {{"A", "1"}, {"B", "2"}, {"A", "3"}};
  config.working_dir = "/www";
  config.mounts = {{"/var/lib/skiff/pods/x/volumes/html", "/www", true},
                   {"/tmp/cache", "/cache", false}};
  config.run_as_user = 1000;
  config.memory_limit_bytes = 64 * 1024 * 1024;
  config.cpu_limit_millicores = 250;
  config.labels = {{"tier", "front"}};
  config.log_path = "/var/log/pods/x/httpd/3.log";

  Json body = container_create_body("pod-id-1", config, sandbox_config());
  EXPECT_EQ(body["name"], "k8s_httpd_web-1_default_0b6f1c2e-1111-2222-3333-444455556666_3");
  EXPECT_EQ(body["pod"], "pod-id-1");
  EXPECT_EQ(body["image"], "localhost/busybox:1");
  EXPECT_EQ(body["entrypoint"], Json({"/bin/httpd"}));
  EXPECT_EQ(body["command"], Json({"-f", "-p", "8080"}));
  EXPECT_EQ(body["env"], Json({{"A", "3"}, {"B", "2"}}));  // the later A wins
  EXPECT_EQ(body["work_dir"], "/www");
  ASSERT_EQ(body["mounts"].size(), 2u);
  EXPECT_EQ(body["mounts"][0]["type"], "bind");
  EXPECT_EQ(body["mounts"][0]["source"], "/var/lib/skiff/pods/x/volumes/html");
  EXPECT_EQ(body["mounts"][0]["destination"], "/www");
  EXPECT_EQ(body["mounts"][0]["options"], Json({"rbind", "ro"}));
  EXPECT_EQ(body["mounts"][1]["options"], Json({"rbind", "rw"}));
  EXPECT_EQ(body["user"], "1000");
  EXPECT_EQ(body["resource_limits"]["memory"]["limit"], 64 * 1024 * 1024);
  EXPECT_EQ(body["resource_limits"]["cpu"]["quota"], 25000);
  EXPECT_EQ(body["resource_limits"]["cpu"]["period"], 100000);
  EXPECT_EQ(body["labels"]["io.kubernetes.container.name"], "httpd");
  EXPECT_EQ(body["labels"]["io.kubernetes.pod.uid"], "0b6f1c2e-1111-2222-3333-444455556666");
  EXPECT_EQ(body["labels"]["io.skiff.attempt"], "3");
  EXPECT_EQ(body["labels"]["tier"], "front");
  EXPECT_EQ(body["log_configuration"]["driver"], "k8s-file");
  EXPECT_EQ(body["log_configuration"]["path"], "/var/log/pods/x/httpd/3.log");
}

TEST(PodmanSpecs, CommandAndArgsFollowKubernetesRules) {
  // Neither: the image's ENTRYPOINT and CMD.
  Json neither = container_create_body("p", container_config(), sandbox_config());
  EXPECT_FALSE(neither.contains("entrypoint"));
  EXPECT_FALSE(neither.contains("command"));
  // Only args: the image's ENTRYPOINT with these args.
  ContainerConfig args_only = container_config();
  args_only.args = {"echo", "hi"};
  Json with_args = container_create_body("p", args_only, sandbox_config());
  EXPECT_FALSE(with_args.contains("entrypoint"));
  EXPECT_EQ(with_args["command"], Json({"echo", "hi"}));
  // Only command: it replaces the ENTRYPOINT and the image's CMD is not appended.
  ContainerConfig command_only = container_config();
  command_only.command = {"/bin/sleep", "60"};
  Json with_command = container_create_body("p", command_only, sandbox_config());
  EXPECT_EQ(with_command["entrypoint"], Json({"/bin/sleep", "60"}));
  EXPECT_FALSE(with_command.contains("command"));
}

TEST(PodmanSpecs, NoLimitsNoUserNoLogPathLeaveTheDefaults) {
  Json body = container_create_body("p", container_config(), sandbox_config());
  EXPECT_FALSE(body.contains("resource_limits"));
  EXPECT_FALSE(body.contains("user"));
  EXPECT_FALSE(body["log_configuration"].contains("path"));
  EXPECT_EQ(body["log_configuration"]["driver"], "k8s-file");
}

TEST(PodmanSpecs, TinyCpuLimitsGetTheKernelMinimumQuota) {
  ContainerConfig config = container_config();
  config.cpu_limit_millicores = 1;
  EXPECT_EQ(container_create_body("p", config, sandbox_config())["resource_limits"]["cpu"]["quota"],
            1000);
}

TEST(PodmanSpecs, BadContainerConfigsAreInvalid) {
  auto expect_invalid = [](const ContainerConfig& config, const std::string& sandbox_id = "p") {
    try {
      container_create_body(sandbox_id, config, sandbox_config());
      ADD_FAILURE() << "accepted a bad config for " << config.name;
    } catch (const RuntimeError& error) {
      EXPECT_EQ(error.code(), ErrorCode::Invalid) << error.what();
    }
  };
  ContainerConfig config = container_config();
  config.image = "";
  expect_invalid(config);
  config = container_config();
  config.name = "";
  expect_invalid(config);
  expect_invalid(container_config(), "");
  config = container_config();
  config.mounts = {{"relative/dir", "/data", false}};
  expect_invalid(config);
  config = container_config();
  config.mounts = {{"/data", "data", false}};
  expect_invalid(config);
  config = container_config();
  config.working_dir = "www";
  expect_invalid(config);
  config = container_config();
  config.memory_limit_bytes = -1;
  expect_invalid(config);
  config = container_config();
  config.run_as_user = -5;
  expect_invalid(config);
  config = container_config();
  config.env = {{"A=B", "x"}};
  expect_invalid(config);
  config = container_config();
  config.log_path = "logs/x.log";
  expect_invalid(config);
  config = container_config();
  config.ports = {{70000, 0, "TCP", ""}};
  expect_invalid(config);
}

TEST(PodmanSpecs, ListFiltersAreEncodedJson) {
  EXPECT_EQ(list_filters_query({}), "");
  const std::string query = list_filters_query({{"io.kubernetes.pod.name", "web"}}, "abc");
  // {"label":["io.kubernetes.pod.name=web"],"pod":["abc"]}, percent-encoded.
  EXPECT_EQ(query,
            "%7B%22label%22%3A%5B%22io.kubernetes.pod.name%3Dweb%22%5D%2C%22pod%22%3A%5B%22abc%"
            "22%5D%7D");
}

}  // namespace
}  // namespace skiff::agent::runtime::podman
