// Kubeconfig parsing and lookup order; discovery name resolution.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <vector>

#include "pkg/kubectl/discovery.h"
#include "pkg/kubectl/encoding.h"
#include "pkg/kubectl/errors.h"
#include "pkg/kubectl/kubeconfig.h"
#include "pkg/yaml/yaml.h"

namespace skiff::kubectl {
namespace {

const char* kConfig = R"(apiVersion: v1
kind: Config
clusters:
- name: prod
  cluster:
    server: https://10.0.0.1:6443/
    certificate-authority-data: UEVNIENB
- name: dev
  cluster:
    server: http://127.0.0.1:8080
    insecure-skip-tls-verify: true
    certificate-authority: ca.crt
users:
- name: admin
  user:
    client-certificate-data: Q0VSVA==
    client-key-data: S0VZ
- name: bot
  user:
    token: abc123
contexts:
- name: prod
  context: {cluster: prod, user: admin}
- name: dev
  context: {cluster: dev, user: bot, namespace: team-a}
current-context: prod
)";

Json config() {
  return yaml::parse_documents(kConfig)[0];
}

TEST(KubectlKubeconfig, CurrentContextWithInlineCertificates) {
  Connection c = connection_from_kubeconfig(config(), {}, "/etc/skiff");
  EXPECT_EQ(c.server, "https://10.0.0.1:6443");
  EXPECT_EQ(c.namespace_name, "default");
  EXPECT_EQ(c.tls.ca_pem, "PEM CA");
  EXPECT_EQ(c.tls.client_cert_pem, "CERT");
  EXPECT_EQ(c.tls.client_key_pem, "KEY");
  EXPECT_TRUE(c.tls.bearer_token.empty());
}

TEST(KubectlKubeconfig, ContextFlagNamespaceTokenAndRelativePaths) {
  ConnectionFlags flags;
  flags.context = "dev";
  Connection c = connection_from_kubeconfig(config(), flags, "/etc/skiff");
  EXPECT_EQ(c.server, "http://127.0.0.1:8080");
  EXPECT_EQ(c.namespace_name, "team-a");
  EXPECT_EQ(c.tls.bearer_token, "abc123");
  EXPECT_TRUE(c.tls.insecure_skip_tls_verify);
  EXPECT_EQ(c.tls.ca_file, "/etc/skiff/ca.crt");
}

TEST(KubectlKubeconfig, ServerFlagOverridesAndUnknownContextFails) {
  ConnectionFlags flags;
  flags.server = "http://other:1";
  EXPECT_EQ(connection_from_kubeconfig(config(), flags, "").server, "http://other:1");
  flags.context = "nope";
  EXPECT_THROW(connection_from_kubeconfig(config(), flags, ""), KubectlError);
  ConnectionFlags server_only;
  server_only.server = "http://s:1";
  EXPECT_EQ(connection_from_kubeconfig(Json::object(), server_only, "").server, "http://s:1");
}

TEST(KubectlKubeconfig, LookupOrder) {
  auto dir =
      std::filesystem::temp_directory_path() / ("kubeconfig-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir / ".kube");
  std::ofstream(dir / "a.yaml") << kConfig;
  std::ofstream(dir / ".kube" / "config") << kConfig;
  std::string a = (dir / "a.yaml").string();
  ConnectionFlags explicit_flags;
  explicit_flags.kubeconfig = "/explicit";
  EXPECT_EQ(find_kubeconfig(explicit_flags, a, dir.string()), "/explicit");
  EXPECT_EQ(find_kubeconfig({}, "/missing:" + a, dir.string()), a);
  if (!std::filesystem::exists("/etc/skiff/skiff.yaml")) {
    EXPECT_EQ(find_kubeconfig({}, "", dir.string()), (dir / ".kube" / "config").string());
  }
  std::filesystem::remove_all(dir);
}

TEST(KubectlEncoding, Base64RoundTrip) {
  const std::vector<std::string> samples = {
      "", "a", "ab", "abc", "hello world\n", std::string("\0\xff", 2)};
  for (const std::string& s : samples) EXPECT_EQ(base64_decode(base64_encode(s), "x"), s);
  EXPECT_EQ(base64_encode("pw"), "cHc=");
  EXPECT_THROW(base64_decode("abc", "x"), KubectlError);
  EXPECT_EQ(url_encode("app in (a,b)"), "app%20in%20%28a%2Cb%29");
}

TEST(KubectlDiscovery, ResolvesWhatPeopleType) {
  Json core = Json::parse(R"({"kind":"APIResourceList","groupVersion":"v1","resources":[
    {"name":"pods","singularName":"pod","namespaced":true,"kind":"Pod","shortNames":["po"],"verbs":["get"]},
    {"name":"pods/log","namespaced":true,"kind":"Pod"},
    {"name":"services","singularName":"service","namespaced":true,"kind":"Service","shortNames":["svc"]}]})");
  Json apps = Json::parse(R"({"kind":"APIResourceList","groupVersion":"apps/v1","resources":[
    {"name":"deployments","singularName":"deployment","namespaced":true,"kind":"Deployment","shortNames":["deploy"]}]})");
  auto types = parse_resource_list(core);
  EXPECT_EQ(types.size(), 2u);  // subresources skipped
  auto more = parse_resource_list(apps);
  types.insert(types.end(), more.begin(), more.end());
  for (std::string name : {"deploy", "deployment", "deployments", "deployments.apps", "Deployment",
                           "deployments.v1.apps"}) {
    const ResourceType* t = match_resource(types, name);
    ASSERT_NE(t, nullptr) << name;
    EXPECT_EQ(t->qualified(), "deployments.apps");
  }
  EXPECT_EQ(match_resource(types, "po")->collection_path("ns1"), "/api/v1/namespaces/ns1/pods");
  EXPECT_EQ(match_resource(types, "svc")->object_path("", "x"), "/api/v1/services/x");
  EXPECT_EQ(match_resource(types, "deploy")->name_prefix(), "deployment.apps");
  EXPECT_EQ(match_resource(types, "widgets"), nullptr);
}

TEST(KubectlDiscovery, BuiltinRegistryFallbackHasTheBasics) {
  auto types = builtin_resource_types();
  for (std::string name : {"po", "svc", "cm", "deploy", "ns", "no", "secrets", "rs"})
    EXPECT_NE(match_resource(types, name), nullptr) << name;
}

}  // namespace
}  // namespace skiff::kubectl
