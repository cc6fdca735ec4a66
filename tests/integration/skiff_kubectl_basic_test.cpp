// `skiff kubectl` against a real `skiff server`: apply, get in every format, describe, create,
// delete, api-resources, version and the error messages a user sees.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "tests/integration/support/test_server.h"

namespace skiff::testing {
namespace {

const char* kManifest = R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.25
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: cfg
  labels: {tier: config}
data:
  a: "1"
)";

class SkiffKubectl : public ::testing::Test {
 protected:
  std::string write(const std::string& name, const std::string& text) {
    std::string path = dir_.path() + "/" + name;
    std::ofstream(path) << text;
    return path;
  }
  static TestServer& server() {
    static TestServer instance;
    return instance;
  }
  TempDir dir_;
};

TEST_F(SkiffKubectl, ApplyCreatesThenUnchangedThenConfigured) {
  std::string file = write("app.yaml", kManifest);
  auto first = server().skiff_kubectl({"apply", "-f", file});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(first.out, "deployment.apps/web created\nconfigmap/cfg created\n");
  auto again = server().skiff_kubectl({"apply", "-f", file});
  EXPECT_EQ(again.out, "deployment.apps/web unchanged\nconfigmap/cfg unchanged\n") << again.err;
  std::string changed = kManifest;
  changed.replace(changed.find("a: \"1\""), 6, "a: \"2\"");
  auto third = server().skiff_kubectl({"apply", "-f", "-"}, changed);
  EXPECT_EQ(third.out, "deployment.apps/web unchanged\nconfigmap/cfg configured\n") << third.err;
  auto value = server().skiff_kubectl({"get", "cm", "cfg", "-o", "jsonpath={.data.a}"});
  EXPECT_EQ(value.out, "2");
}

TEST_F(SkiffKubectl, GetInEveryFormat) {
  server().skiff_kubectl({"apply", "-f", write("app.yaml", kManifest)});
  auto table = server().skiff_kubectl({"get", "deploy"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_EQ(table.out.rfind("NAME   READY   UP-TO-DATE   AVAILABLE   AGE\nweb    ", 0), 0u)
      << table.out;

  auto yaml = server().skiff_kubectl({"get", "deployment.apps/web", "-o", "yaml"});
  EXPECT_NE(yaml.out.find("kind: Deployment\n"), std::string::npos) << yaml.out;
  EXPECT_NE(yaml.out.find("  name: web\n"), std::string::npos);

  auto list = server().skiff_kubectl({"get", "cm", "-l", "tier=config", "-o", "json"});
  EXPECT_NE(list.out.find("\"kind\": \"List\""), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("\"name\": \"cfg\""), std::string::npos);

  EXPECT_EQ(server().skiff_kubectl({"get", "deploy", "-o", "name"}).out, "deployment.apps/web\n");
  EXPECT_EQ(server()
                .skiff_kubectl({"get", "cm", "-l", "tier=config", "-o",
                                "jsonpath={range .items[*]}{.metadata.name}{\"\\n\"}{end}"})
                .out,
            "cfg\n");
  auto by_field =
      server().skiff_kubectl({"get", "cm", "--field-selector", "metadata.name=cfg", "-o", "name"});
  EXPECT_EQ(by_field.out, "configmap/cfg\n") << by_field.err;
  auto labels = server().skiff_kubectl({"get", "cm", "cfg", "--show-labels", "--no-headers"});
  EXPECT_NE(labels.out.find("tier=config"), std::string::npos) << labels.out;
  auto all_ns = server().skiff_kubectl({"get", "ns", "-o", "wide"});
  EXPECT_NE(all_ns.out.find("kube-system"), std::string::npos);
  auto wide = server().skiff_kubectl({"get", "cm", "-A"});
  EXPECT_EQ(wide.out.rfind("NAMESPACE ", 0), 0u) << wide.out;
}

TEST_F(SkiffKubectl, EmptyListSaysSoOnStderr) {
  auto result = server().skiff_kubectl({"get", "secrets", "-n", "empty-ns"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_EQ(result.out, "");
  EXPECT_EQ(result.err, "No resources found in empty-ns namespace.\n");
}

TEST_F(SkiffKubectl, DescribeShowsKindSpecificFields) {
  server().skiff_kubectl({"apply", "-f", write("app.yaml", kManifest)});
  auto result = server().skiff_kubectl({"describe", "deploy", "web"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("Name:                   web\n"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("Replicas:               2 desired | "), std::string::npos);
  EXPECT_NE(result.out.find("StrategyType:"), std::string::npos);
  EXPECT_NE(result.out.find("Events:"), std::string::npos);
  EXPECT_EQ(result.out.find("last-applied-configuration"), std::string::npos);
}

TEST_F(SkiffKubectl, CreateNamespaceConfigMapAndSecret) {
  auto ns = server().skiff_kubectl({"create", "namespace", "demo"});
  EXPECT_EQ(ns.out, "namespace/demo created\n") << ns.err;
  auto cm = server().skiff_kubectl({"create", "configmap", "c1", "-n", "demo", "--from-literal=k=v",
                                    "--from-file=f.txt=" + write("f.txt", "file body")});
  EXPECT_EQ(cm.out, "configmap/c1 created\n") << cm.err;
  EXPECT_EQ(server()
                .skiff_kubectl({"get", "cm", "c1", "-n", "demo", "-o", "jsonpath={.data.f\\.txt}"})
                .out,
            "file body");
  auto secret = server().skiff_kubectl(
      {"create", "secret", "generic", "s1", "-n", "demo", "--from-literal=pw=hunter2"});
  EXPECT_EQ(secret.out, "secret/s1 created\n") << secret.err;
  EXPECT_EQ(server()
                .skiff_kubectl({"get", "secret", "s1", "-n", "demo", "-o", "jsonpath={.data.pw}"})
                .out,
            "aHVudGVyMg==");
  auto described = server().skiff_kubectl({"describe", "secret", "s1", "-n", "demo"});
  EXPECT_NE(described.out.find("7 bytes"), std::string::npos) << described.out;
  EXPECT_EQ(described.out.find("hunter2"), std::string::npos);
}

TEST_F(SkiffKubectl, DeleteByFileAndByTypeName) {
  std::string file = write("cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: gone\n");
  server().skiff_kubectl({"apply", "-f", file});
  auto by_file = server().skiff_kubectl({"delete", "-f", file});
  EXPECT_EQ(by_file.out, "configmap \"gone\" deleted\n") << by_file.err;
  server().skiff_kubectl({"apply", "-f", file});
  auto by_name = server().skiff_kubectl({"delete", "configmap/gone"});
  EXPECT_EQ(by_name.out, "configmap \"gone\" deleted\n") << by_name.err;
  auto missing = server().skiff_kubectl({"delete", "cm", "gone"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(missing.err, "Error from server (NotFound): configmaps \"gone\" not found\n");
}

TEST_F(SkiffKubectl, ApiResourcesAndVersion) {
  auto resources = server().skiff_kubectl({"api-resources"});
  EXPECT_EQ(resources.out.rfind("NAME ", 0), 0u) << resources.out;
  EXPECT_NE(resources.out.find("deployments "), std::string::npos);
  EXPECT_NE(resources.out.find("apps/v1"), std::string::npos);
  auto version = server().skiff_kubectl({"version"});
  EXPECT_NE(version.out.find("Client Version: v1.32"), std::string::npos);
  EXPECT_NE(version.out.find("Server Version: v1.32"), std::string::npos) << version.err;
}

TEST_F(SkiffKubectl, ErrorsAUserCanActOn) {
  auto not_found = server().skiff_kubectl({"get", "deploy", "nope"});
  EXPECT_EQ(not_found.exit_code, 1);
  EXPECT_EQ(not_found.err, "Error from server (NotFound): deployments.apps \"nope\" not found\n");

  auto invalid = server().skiff_kubectl({"create", "configmap", "Bad_Name"});
  EXPECT_EQ(invalid.exit_code, 1);
  EXPECT_EQ(invalid.err.rfind("The ConfigMap \"Bad_Name\" is invalid: metadata.name: ", 0), 0u)
      << invalid.err;

  auto unknown = server().skiff_kubectl({"get", "widgets"});
  EXPECT_EQ(unknown.err, "error: the server doesn't have a resource type \"widgets\"\n");

  std::string bad = write("bad.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [x\n");
  auto parse = server().skiff_kubectl({"apply", "-f", bad});
  EXPECT_EQ(parse.exit_code, 1);
  EXPECT_NE(parse.err.find("error: error parsing " + bad + ": line "), std::string::npos)
      << parse.err;

  int port = free_port();
  auto refused = run_command({SKIFF_BINARY, "kubectl", "--server",
                              "http://127.0.0.1:" + std::to_string(port), "get", "pods"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_EQ(refused.err, "The connection to the server 127.0.0.1:" + std::to_string(port) +
                             " was refused - did you specify the right host or port?\n");
}

TEST_F(SkiffKubectl, WatchPrintsTheListingThenChanges) {
  server().skiff_kubectl(
      {"apply", "-f",
       write("w.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: watched\n")});
  CommandResult result;
  // The watch runs until run_command's timeout ends it; meanwhile another object appears.
  std::thread watcher([&] {
    result = run_command({SKIFF_BINARY, "kubectl", "--kubeconfig", server().kubeconfig(), "get",
                          "cm", "-n", "default", "-w"},
                         "", 6);
  });
  std::this_thread::sleep_for(std::chrono::seconds(2));
  server().skiff_kubectl({"create", "configmap", "appeared", "--from-literal=a=b"});
  watcher.join();
  EXPECT_EQ(result.out.rfind("NAME ", 0), 0u) << result.out << result.err;
  EXPECT_NE(result.out.find("\nwatched "), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("\nappeared "), std::string::npos) << result.out;
}

}  // namespace
}  // namespace skiff::testing
