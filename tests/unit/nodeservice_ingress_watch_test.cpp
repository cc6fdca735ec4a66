// Ingresses on a node's stream (NodeWatch through NodeService::watch, against the real API
// server in-process): every node sees every Ingress, and the TLS Secrets they name travel as
// dependencies, counted together with the pods' so a Secret both use is sent once and
// released when the last user lets go. Full set, live changes, resume.
#include <gtest/gtest.h>

#include "server/nodeservice/node_service.h"
#include "tests/unit/support/nodeservice_fixture.h"

namespace skiff::nodeservice {
namespace {

using namespace testing;
using Type = NodeWatchEvent::Type;
using Strings = std::vector<std::string>;

const std::string kIngresses = "/apis/networking.k8s.io/v1/namespaces/default/ingresses";
const std::string kSecrets = "/api/v1/namespaces/default/secrets";

Json ingress_object(const std::string& name, const std::vector<std::string>& tls_secrets) {
  Json tls = Json::array();
  for (const auto& secret : tls_secrets) {
    tls.push_back({{"hosts", {name + ".example.com"}}, {"secretName", secret}});
  }
  return {{"apiVersion", "networking.k8s.io/v1"},
          {"kind", "Ingress"},
          {"metadata", {{"name", name}, {"namespace", "default"}}},
          {"spec",
           {{"ingressClassName", "skiff"},
            {"defaultBackend", {{"service", {{"name", "web"}, {"port", {{"number", 80}}}}}}},
            {"tls", tls}}}};
}

// A pod that mounts Secret `secret`.
Json secret_volume(const std::string& secret) {
  return {{"volumes", {{{"name", "certs"}, {"secret", {{"secretName", secret}}}}}}};
}

TEST(IngressDependencies, TheTlsSecretsInTheIngresssNamespace) {
  Json ingress = ingress_object("web", {"web-tls", "api-tls", "web-tls"});
  ingress["metadata"]["namespace"] = "shop";
  ingress["spec"]["tls"].push_back({{"hosts", {"no-secret.example.com"}}});
  EXPECT_EQ(ingress_dependency_keys(ingress),
            (std::set<std::string>{"/registry/core/secrets/shop/api-tls",
                                   "/registry/core/secrets/shop/web-tls"}));
  EXPECT_EQ(dependency_keys(NodeObjectKind::Ingress, ingress), ingress_dependency_keys(ingress));
  EXPECT_TRUE(dependency_keys(NodeObjectKind::Service, ingress).empty());
}

TEST(IngressDependencies, MalformedIngressesNeedNothingAndDoNotThrow) {
  EXPECT_TRUE(ingress_dependency_keys(Json()).empty());
  EXPECT_TRUE(ingress_dependency_keys(Json::parse(R"({"spec": {"tls": "x"}})")).empty());
  EXPECT_TRUE(
      ingress_dependency_keys(Json::parse(R"({"spec": {"tls": [3, {"secretName": 4}]}})")).empty());
}

TEST(IngressDependencies, IngressKeysAreTheirOwnKindNotIngressClasses) {
  EXPECT_EQ(kind_of_key("/registry/networking.k8s.io/ingresses/default/web"),
            NodeObjectKind::Ingress);
  EXPECT_EQ(kind_of_key("/registry/networking.k8s.io/ingressclasses/skiff"), std::nullopt);
  EXPECT_TRUE(is_cluster_wide(NodeObjectKind::Ingress));
}

class IngressWatchTest : public ApiFixture {
 protected:
  IngressWatchTest() : service(store, client, options()) {}
  static NodeServiceOptions options() {
    NodeServiceOptions options;
    options.watch_limits.stop_poll_interval = 20ms;
    options.watch_limits.bookmark_interval = 1h;
    return options;
  }
  // What an agent running the ingress proxy asks for.
  static NodeWatchRequest request(int64_t resource_version = 0) {
    NodeWatchRequest r;
    r.node_name = "n1";
    r.resource_version = resource_version;
    r.kinds = {NodeObjectKind::Pod, NodeObjectKind::ConfigMap, NodeObjectKind::Secret,
               NodeObjectKind::Ingress};
    return r;
  }
  void create_secret(const std::string& name, const std::string& value = "v1") {
    const Json body = {{"apiVersion", "v1"},
                       {"kind", "Secret"},
                       {"metadata", {{"name", name}, {"namespace", "default"}}},
                       {"stringData", {{"tls.crt", value}}}};
    client.request("POST", kSecrets, &body);
  }
  void create_ingress(const std::string& name, const std::vector<std::string>& tls_secrets) {
    const Json body = ingress_object(name, tls_secrets);
    client.request("POST", kIngresses, &body);
  }
  void set_tls(const std::string& name, const std::vector<std::string>& tls_secrets) {
    const Json patch = {{"spec", {{"tls", ingress_object(name, tls_secrets)["spec"]["tls"]}}}};
    client.request("PATCH", kIngresses + "/" + name, &patch, "application/merge-patch+json");
  }
  void delete_ingress(const std::string& name) {
    client.request("DELETE", kIngresses + "/" + name, nullptr);
  }
  static bool ends_synced(const std::vector<NodeWatchEvent>& events) {
    return !events.empty() && events.back().type == Type::Synced;
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

TEST_F(IngressWatchTest, FullSetSendsEveryIngressAfterItsSecretsAndASharedSecretOnce) {
  create_secret("web-tls");
  create_secret("unrelated");
  create_ingress("web", {"web-tls", "missing-tls"});
  create_pod("app", "n1", secret_volume("web-tls"));
  RecordingSink sink;
  RunningWatch watch(service, request(), sink);
  ASSERT_TRUE(sink.wait_for(ends_synced, "the full set"));
  EXPECT_EQ(describe(sink.events()),
            (Strings{"Reset", "Added Secret default/web-tls", "Added Ingress default/web",
                     "Added Pod default/app", "Synced"}))
      << "a Secret that does not exist yet is not sent; one the pod also uses is sent once";
  sink.clear();

  // The Ingress goes: the pod still uses the Secret, so it stays. Then the pod goes too.
  delete_ingress("web");
  ASSERT_TRUE(sink.wait_count(1));
  controllers::remove(client, pods_resource(), "default", "app", "", 0);
  ASSERT_TRUE(sink.wait_count(3));
  EXPECT_EQ(describe(sink.events()),
            (Strings{"Deleted Ingress default/web", "Deleted Pod default/app",
                     "Deleted Secret default/web-tls"}));
}

TEST_F(IngressWatchTest, TlsSecretsOnlyWhenTheAgentAsksForIngressesAndSecrets) {
  create_secret("web-tls");
  create_ingress("web", {"web-tls"});
  RecordingSink without_secrets;
  NodeWatchRequest no_secrets = request();
  no_secrets.kinds.erase(NodeObjectKind::Secret);
  {
    RunningWatch watch(service, no_secrets, without_secrets);
    ASSERT_TRUE(without_secrets.wait_for(ends_synced, "the full set"));
  }
  EXPECT_EQ(describe(without_secrets.events()),
            (Strings{"Reset", "Added Ingress default/web", "Synced"}));

  RecordingSink without_ingresses;
  NodeWatchRequest no_ingresses = request();
  no_ingresses.kinds.erase(NodeObjectKind::Ingress);
  RunningWatch watch(service, no_ingresses, without_ingresses);
  ASSERT_TRUE(without_ingresses.wait_for(ends_synced, "the full set"));
  set_tls("web", {"web-tls", "other-tls"});
  create_secret("other-tls");
  create_pod("marker", "n1");  // something this agent does see, to know the rest was skipped
  ASSERT_TRUE(without_ingresses.wait_count(3));
  EXPECT_EQ(describe(without_ingresses.events()),
            (Strings{"Reset", "Synced", "Added Pod default/marker"}));
}

TEST_F(IngressWatchTest, AnIngressNamingAnotherSecretSwapsThemAroundItsEvent) {
  create_secret("old-tls");
  create_secret("new-tls");
  create_ingress("web", {"old-tls"});
  RecordingSink sink;
  RunningWatch watch(service, request(), sink);
  ASSERT_TRUE(sink.wait_for(ends_synced, "the full set"));
  sink.clear();

  set_tls("web", {"new-tls"});
  ASSERT_TRUE(sink.wait_count(3));
  auto events = sink.events();
  EXPECT_EQ(describe(events),
            (Strings{"Added Secret default/new-tls", "Modified Ingress default/web",
                     "Deleted Secret default/old-tls"}));
  EXPECT_EQ(events[2].object->at("data").value("tls.crt", ""), "djE=")
      << "released with the last state sent";
  sink.clear();

  // Changes to a released Secret are not sent; to the one in use they are.
  Json patch = {{"stringData", {{"tls.crt", "v2"}}}};
  client.request("PATCH", kSecrets + "/old-tls", &patch, "application/merge-patch+json");
  client.request("PATCH", kSecrets + "/new-tls", &patch, "application/merge-patch+json");
  delete_ingress("web");
  ASSERT_TRUE(sink.wait_count(3));
  EXPECT_EQ(describe(sink.events()),
            (Strings{"Modified Secret default/new-tls", "Deleted Ingress default/web",
                     "Deleted Secret default/new-tls"}));
}

TEST_F(IngressWatchTest, ASecretCreatedAfterTheIngressNamedItIsSentThen) {
  RecordingSink sink;
  RunningWatch watch(service, request(), sink);
  ASSERT_TRUE(sink.wait_for(ends_synced, "the full set"));
  sink.clear();

  create_ingress("web", {"web-tls"});
  ASSERT_TRUE(sink.wait_count(1));  // sent before the Secret exists
  EXPECT_EQ(describe(sink.events()), (Strings{"Added Ingress default/web"}));
  sink.clear();
  create_secret("unrelated");
  create_secret("web-tls");
  ASSERT_TRUE(sink.wait_count(1));
  EXPECT_EQ(describe(sink.events()), (Strings{"Added Secret default/web-tls"}));
  sink.clear();

  client.request("DELETE", kSecrets + "/web-tls", nullptr);
  ASSERT_TRUE(sink.wait_count(1));
  EXPECT_EQ(describe(sink.events()), (Strings{"Deleted Secret default/web-tls"}))
      << "a Secret deleted while in use is removed from the agent";
}

TEST_F(IngressWatchTest, APodAndAnIngressShareASecretUntilTheLastLetsGo) {
  create_secret("shared");
  RecordingSink sink;
  RunningWatch watch(service, request(), sink);
  ASSERT_TRUE(sink.wait_for(ends_synced, "the full set"));
  sink.clear();

  create_ingress("web", {"shared"});
  create_pod("app", "n1", secret_volume("shared"));
  controllers::remove(client, pods_resource(), "default", "app", "", 0);
  ASSERT_TRUE(sink.wait_count(4));
  EXPECT_EQ(describe(sink.events()),
            (Strings{"Added Secret default/shared", "Added Ingress default/web",
                     "Added Pod default/app", "Deleted Pod default/app"}))
      << "the Ingress still names the Secret after the pod is gone";
  sink.clear();

  set_tls("web", {});
  ASSERT_TRUE(sink.wait_count(2));
  EXPECT_EQ(describe(sink.events()),
            (Strings{"Modified Ingress default/web", "Deleted Secret default/shared"}));
}

TEST_F(IngressWatchTest, ResumeCatchesUpWithIngressesChangedWhileAway) {
  create_secret("a-tls");
  create_secret("b-tls");
  create_secret("c-tls");
  create_secret("gone-tls");
  create_ingress("web", {"a-tls"});
  create_ingress("old", {"gone-tls"});
  RecordingSink first;
  int64_t resume_point = 0;
  {
    RunningWatch watch(service, request(), first);
    ASSERT_TRUE(first.wait_for(ends_synced, "the full set"));
    resume_point = last_resume_point(first.events());
  }
  EXPECT_EQ(describe(first.events()),
            (Strings{"Reset", "Added Secret default/gone-tls", "Added Ingress default/old",
                     "Added Secret default/a-tls", "Added Ingress default/web", "Synced"}));

  // Away: one Ingress names another Secret, one is deleted, one is created.
  set_tls("web", {"b-tls"});
  delete_ingress("old");
  create_ingress("api", {"c-tls"});

  RecordingSink second;
  RunningWatch watch(service, request(resume_point), second);
  ASSERT_TRUE(second.wait_for(ends_synced, "Synced"));
  EXPECT_EQ(describe(second.events()),
            (Strings{// the current dependencies first, in the order the Ingresses list
                     "Added Secret default/c-tls", "Added Secret default/b-tls",
                     // then the replay, releasing what the agent held and no one needs now
                     "Modified Ingress default/web", "Deleted Secret default/a-tls",
                     "Deleted Ingress default/old", "Deleted Secret default/gone-tls",
                     "Added Ingress default/api", "Synced"}));
  for (const auto& event : second.events()) {
    EXPECT_GE(event.resource_version, resume_point) << describe(event);
  }
}

TEST_F(IngressWatchTest, AfterResumeASecretDeletedWhileAwayIsStillReleased) {
  create_secret("a-tls");
  create_ingress("web", {"a-tls"});
  RecordingSink first;
  int64_t resume_point = 0;
  {
    RunningWatch watch(service, request(), first);
    ASSERT_TRUE(first.wait_for(ends_synced, "the full set"));
    resume_point = last_resume_point(first.events());
  }
  // Away: the Ingress stops naming the Secret, and the Secret is deleted.
  set_tls("web", {});
  client.request("DELETE", kSecrets + "/a-tls", nullptr);

  RecordingSink second;
  RunningWatch watch(service, request(resume_point), second);
  ASSERT_TRUE(second.wait_for(ends_synced, "Synced"));
  auto events = second.events();
  ASSERT_EQ(describe(events),
            (Strings{"Modified Ingress default/web", "Deleted Secret default/a-tls", "Synced"}));
  EXPECT_GT(std::stoll(events[1].object->at("metadata").value("resourceVersion", "0")),
            resume_point)
      << "newer than the agent's copy, so the agent drops it";
}

}  // namespace
}  // namespace skiff::nodeservice
