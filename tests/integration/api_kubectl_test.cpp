// The acceptance test of the foundation: the real kubectl (/usr/bin/kubectl, v1.32) against a
// real `skiff server`.
#include <gtest/gtest.h>

#include <unistd.h>

#include <thread>

#include "pkg/api/json.h"
#include "tests/integration/support/test_server.h"

namespace skiff::testing {
namespace {

const char* kDeployment = R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: nginx
        image: nginx:1.25
)";

std::string changed_deployment() {
  std::string text = kDeployment;
  text.replace(text.find("nginx:1.25"), 10, "nginx:1.26");
  return text;
}

class KubectlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // These machines ship kubectl v1.32; elsewhere say plainly that the real client is missing.
    if (access("/usr/bin/kubectl", X_OK) != 0)
      GTEST_SKIP() << "/usr/bin/kubectl is not installed: the real-kubectl tests need it";
  }
  TestServer server;
  CommandResult kubectl(const std::vector<std::string>& args, const std::string& input = "") {
    return server.kubectl(args, input);
  }
};

#define EXPECT_OK(result) \
  EXPECT_EQ((result).exit_code, 0) << "stdout: " << (result).out << "\nstderr: " << (result).err

TEST_F(KubectlTest, ApplyGetDiffScaleDelete) {
  auto created = kubectl({"apply", "-f", "-"}, kDeployment);
  EXPECT_OK(created);
  EXPECT_NE(created.out.find("deployment.apps/web created"), std::string::npos) << created.out;

  auto configured = kubectl({"apply", "-f", "-"}, changed_deployment());
  EXPECT_OK(configured);
  EXPECT_NE(configured.out.find("deployment.apps/web configured"), std::string::npos)
      << configured.out;

  auto unchanged = kubectl({"apply", "-f", "-"}, changed_deployment());
  EXPECT_NE(unchanged.out.find("unchanged"), std::string::npos) << unchanged.out << unchanged.err;

  auto table = kubectl({"get", "deploy"});
  EXPECT_OK(table);
  EXPECT_NE(table.out.find("web"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("NAME"), std::string::npos) << table.out;

  auto yaml = kubectl({"get", "deploy", "web", "-o", "yaml"});
  EXPECT_OK(yaml);
  EXPECT_NE(yaml.out.find("image: nginx:1.26"), std::string::npos) << yaml.out;

  auto json = kubectl({"get", "deployments", "-o", "json"});
  EXPECT_OK(json);
  EXPECT_EQ(Json::parse(json.out)["items"].size(), 1u);

  auto name = kubectl({"get", "deploy", "-o", "name"});
  EXPECT_OK(name);
  EXPECT_EQ(name.out, "deployment.apps/web\n");

  EXPECT_OK(kubectl({"get", "deploy", "-o", "wide"}));
  auto all_namespaces = kubectl({"get", "deploy", "-A"});
  EXPECT_OK(all_namespaces);
  EXPECT_NE(all_namespaces.out.find("default"), std::string::npos) << all_namespaces.out;
  auto sorted = kubectl({"get", "ns", "--sort-by=.metadata.name"});
  EXPECT_OK(sorted);
  EXPECT_LT(sorted.out.find("default"), sorted.out.find("kube-system")) << sorted.out;

  // diff shows the change and does not persist it.
  std::string third = changed_deployment();
  third.replace(third.find("nginx:1.26"), 10, "nginx:1.27");
  auto diff = kubectl({"diff", "-f", "-"}, third);
  EXPECT_EQ(diff.exit_code, 1) << diff.out << diff.err;
  EXPECT_NE(diff.out.find("nginx:1.27"), std::string::npos) << diff.out;
  auto after_diff =
      kubectl({"get", "deploy", "web", "-o", "jsonpath={.spec.template.spec.containers[0].image}"});
  EXPECT_EQ(after_diff.out, "nginx:1.26");

  auto scaled = kubectl({"scale", "deploy", "web", "--replicas=5"});
  EXPECT_OK(scaled);
  auto replicas = kubectl({"get", "deploy", "web", "-o", "jsonpath={.spec.replicas}"});
  EXPECT_EQ(replicas.out, "5");

  auto deleted = kubectl({"delete", "-f", "-"}, kDeployment);
  EXPECT_OK(deleted);
  EXPECT_NE(deleted.out.find("deleted"), std::string::npos) << deleted.out;
  auto gone = kubectl({"get", "deploy", "web"});
  EXPECT_NE(gone.exit_code, 0);
  EXPECT_NE(gone.err.find("NotFound"), std::string::npos) << gone.err;
}

TEST_F(KubectlTest, CreateWithProtobufBodies) {
  auto ns = kubectl({"create", "namespace", "demo"});
  EXPECT_OK(ns);
  EXPECT_NE(ns.out.find("namespace/demo created"), std::string::npos) << ns.out;
  auto cm = kubectl({"create", "configmap", "cfg", "--from-literal=a=1"});
  EXPECT_OK(cm);
  auto secret = kubectl({"create", "secret", "generic", "sec", "--from-literal=pw=x"});
  EXPECT_OK(secret);
  auto type = kubectl({"get", "secret", "sec", "-o", "jsonpath={.type}"});
  EXPECT_EQ(type.out, "Opaque");
  auto value = kubectl({"get", "cm", "cfg", "-o", "jsonpath={.data.a}"});
  EXPECT_EQ(value.out, "1");
  auto deleted = kubectl({"delete", "configmap/cfg"});
  EXPECT_OK(deleted);
  auto ns_deleted = kubectl({"delete", "namespace", "demo"});
  EXPECT_OK(ns_deleted);
}

TEST_F(KubectlTest, GetEveryResourceTypeAndApiResources) {
  auto resources = kubectl({"api-resources"});
  EXPECT_OK(resources);
  EXPECT_NE(resources.out.find("deployments"), std::string::npos) << resources.out;
  for (const char* type : {"pods", "services", "endpoints", "configmaps", "secrets", "nodes",
                           "events", "serviceaccounts", "namespaces", "deployments", "replicasets",
                           "ingresses", "ingressclasses", "leases", "endpointslices"}) {
    auto result = kubectl({"get", type, "-A"});
    EXPECT_OK(result) << " for " << type;
  }
  auto accounts = kubectl({"get", "sa", "-n", "kube-system"});
  EXPECT_NE(accounts.out.find("default"), std::string::npos) << accounts.out << accounts.err;
}

TEST_F(KubectlTest, WatchPrintsTheFirstLine) {
  EXPECT_OK(kubectl({"apply", "-f", "-"}, kDeployment));
  // `get -w` keeps running; the harness kills it after the timeout and we read what it printed.
  TempDir home;
  std::vector<std::string> argv = {"timeout",
                                   "3",
                                   "/usr/bin/kubectl",
                                   "--kubeconfig",
                                   server.kubeconfig(),
                                   "--cache-dir",
                                   home.path() + "/cache",
                                   "get",
                                   "deploy",
                                   "web",
                                   "-w"};
  auto result = run_command(argv, "", 20, {"HOME=" + home.path()});
  auto first_line = result.out.substr(0, result.out.find('\n'));
  EXPECT_NE(first_line.find("NAME"), std::string::npos) << result.out << result.err;
  EXPECT_NE(result.out.find("web"), std::string::npos) << result.out << result.err;
}

}  // namespace
}  // namespace skiff::testing
