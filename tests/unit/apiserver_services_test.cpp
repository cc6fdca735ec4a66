// Service writes through the API: addresses handed out, refused with 422, kept on update,
// freed on delete, and unique under concurrent creates.
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "tests/unit/apiserver_test_support.h"

namespace skiff::apiserver::testing {
namespace {

class ServiceApiTest : public ApiTest {
 protected:
  static Json svc(const std::string& name, const std::string& type = "ClusterIP",
                  Json extra_spec = Json::object()) {
    Json spec = {{"type", type},
                 {"selector", {{"app", name}}},
                 {"ports", {{{"port", 80}, {"targetPort", 8080}}}}};
    spec.update(extra_spec);
    return {
        {"apiVersion", "v1"}, {"kind", "Service"}, {"metadata", {{"name", name}}}, {"spec", spec}};
  }
  Reply create(const Json& object) {
    return call("POST", "/api/v1/namespaces/default/services", object);
  }
};

TEST_F(ServiceApiTest, CreateAssignsAndRefusesTakenAddresses) {
  auto first = create(svc("a", "NodePort"));
  ASSERT_EQ(first.status, 201u) << first.text;
  const std::string ip = first.body["spec"]["clusterIP"];
  EXPECT_EQ(ip.rfind("10.43.", 0), 0u) << ip;
  EXPECT_EQ(first.body["spec"]["clusterIPs"], Json::array({ip}));
  const int64_t node_port = first.body["spec"]["ports"][0]["nodePort"];
  EXPECT_GE(node_port, 30000);
  EXPECT_LE(node_port, 32767);

  auto same_ip = create(svc("b", "ClusterIP", {{"clusterIP", ip}}));
  EXPECT_EQ(same_ip.status, 422u);
  EXPECT_EQ(same_ip.body.value("message", ""),
            "Service \"b\" is invalid: spec.clusterIPs: Invalid value: [\"" + ip +
                "\"]: failed to allocate IP " + ip + ": provided IP is already allocated");

  Json taken_port = svc("c", "NodePort");
  taken_port["spec"]["ports"][0]["nodePort"] = node_port;
  auto same_port = create(taken_port);
  EXPECT_EQ(same_port.status, 422u);
  EXPECT_NE(same_port.body.value("message", "")
                .find("spec.ports[0].nodePort: Invalid value: " + std::to_string(node_port) +
                      ": provided port is already allocated"),
            std::string::npos)
      << same_port.text;

  // Nothing of the refused ones was stored or kept: a dry run shows the port is free after a
  // delete of its holder.
  EXPECT_EQ(call("GET", "/api/v1/namespaces/default/services/c").status, 404u);
  ASSERT_EQ(call("DELETE", "/api/v1/namespaces/default/services/a").status, 200u);
  auto reused = create(taken_port);
  EXPECT_EQ(reused.status, 201u) << reused.text;
  EXPECT_EQ(reused.body["spec"]["ports"][0]["nodePort"], node_port);
  auto reused_ip = create(svc("d", "ClusterIP", {{"clusterIP", ip}}));
  EXPECT_EQ(reused_ip.status, 201u) << reused_ip.text;
}

TEST_F(ServiceApiTest, UpdateKeepsAddressesAndRefusesAChange) {
  auto created = create(svc("web", "NodePort"));
  ASSERT_EQ(created.status, 201u) << created.text;
  // A PUT without clusterIP and nodePort (as kubectl apply computes it) keeps both.
  Json put = svc("web", "NodePort");
  auto updated = call("PUT", "/api/v1/namespaces/default/services/web", put);
  ASSERT_EQ(updated.status, 200u) << updated.text;
  EXPECT_EQ(updated.body["spec"]["clusterIP"], created.body["spec"]["clusterIP"]);
  EXPECT_EQ(updated.body["spec"]["ports"][0]["nodePort"],
            created.body["spec"]["ports"][0]["nodePort"]);

  auto changed = call("PATCH", "/api/v1/namespaces/default/services/web",
                      Json{{"spec", {{"clusterIP", "10.43.200.200"}}}},
                      {{"Content-Type", "application/merge-patch+json"}});
  EXPECT_EQ(changed.status, 422u);
  EXPECT_NE(changed.text.find("field is immutable"), std::string::npos) << changed.text;

  // To ClusterIP: the node port is released.
  auto to_cluster_ip = call("PATCH", "/api/v1/namespaces/default/services/web",
                            Json{{"spec", {{"type", "ClusterIP"}}}},
                            {{"Content-Type", "application/merge-patch+json"}});
  ASSERT_EQ(to_cluster_ip.status, 200u) << to_cluster_ip.text;
  EXPECT_FALSE(to_cluster_ip.body["spec"]["ports"][0].contains("nodePort"));
  EXPECT_FALSE(to_cluster_ip.body["spec"].contains("externalTrafficPolicy"));
  Json reuse = svc("other", "NodePort");
  reuse["spec"]["ports"][0]["nodePort"] = created.body["spec"]["ports"][0]["nodePort"];
  EXPECT_EQ(create(reuse).status, 201u);
}

TEST_F(ServiceApiTest, HeadlessAndExternalName) {
  auto headless = create(svc("db", "ClusterIP", {{"clusterIP", "None"}}));
  ASSERT_EQ(headless.status, 201u) << headless.text;
  EXPECT_EQ(headless.body["spec"]["clusterIPs"], Json::array({"None"}));
  Json external = {{"apiVersion", "v1"},
                   {"kind", "Service"},
                   {"metadata", {{"name", "ext"}}},
                   {"spec", {{"type", "ExternalName"}, {"externalName", "example.com"}}}};
  auto created = create(external);
  ASSERT_EQ(created.status, 201u) << created.text;
  EXPECT_FALSE(created.body["spec"].contains("clusterIP"));
}

TEST_F(ServiceApiTest, DryRunTakesNothing) {
  auto dry = call("POST", "/api/v1/namespaces/default/services?dryRun=All",
                  svc("a", "ClusterIP", {{"clusterIP", "10.43.5.5"}}));
  ASSERT_EQ(dry.status, 201u) << dry.text;
  EXPECT_EQ(create(svc("b", "ClusterIP", {{"clusterIP", "10.43.5.5"}})).status, 201u);
}

TEST_F(ServiceApiTest, ConcurrentCreatesGetDistinctAddresses) {
  constexpr int kThreads = 8, kEach = 10;
  std::vector<std::thread> threads;
  std::mutex mutex;
  std::set<std::string> ips;
  std::set<int64_t> ports;
  int failures = 0;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        auto reply = create(svc("s" + std::to_string(t) + "-" + std::to_string(i), "NodePort"));
        std::lock_guard lock(mutex);
        if (reply.status != 201) {
          ++failures;
          continue;
        }
        ips.insert(reply.body["spec"]["clusterIP"].get<std::string>());
        ports.insert(reply.body["spec"]["ports"][0]["nodePort"].get<int64_t>());
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(ips.size(), static_cast<size_t>(kThreads * kEach));
  EXPECT_EQ(ports.size(), static_cast<size_t>(kThreads * kEach));
}

}  // namespace
}  // namespace skiff::apiserver::testing
