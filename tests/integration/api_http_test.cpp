// The API over real HTTPS: a `skiff server` process driven with plain HTTP requests, as the
// admin (client certificate) unless a test says otherwise.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "pkg/api/json.h"
#include "tests/integration/support/test_server.h"

namespace skiff::testing {
namespace {

const std::string kDeployments = "/apis/apps/v1/namespaces/default/deployments";
const std::string kConfigMaps = "/api/v1/namespaces/default/configmaps";

std::string configmap_json(const std::string& name) {
  Json object = {{"apiVersion", "v1"},
                 {"kind", "ConfigMap"},
                 {"metadata", {{"name", name}}},
                 {"data", {{"mode", "slow"}}}};
  return object.dump();
}

std::string deployment_json(const std::string& name, int replicas = 1) {
  Json object = {{"apiVersion", "apps/v1"},
                 {"kind", "Deployment"},
                 {"metadata", {{"name", name}, {"labels", {{"app", name}}}}},
                 {"spec",
                  {{"replicas", replicas},
                   {"selector", {{"matchLabels", {{"app", name}}}}},
                   {"template",
                    {{"metadata", {{"labels", {{"app", name}}}}},
                     {"spec", {{"containers", {{{"name", "web"}, {"image", "nginx"}}}}}}}}}}};
  return object.dump();
}

TEST(ApiHttp, CreateGetListUpdateConflictAndErrors) {
  TestServer server;
  auto created = http("POST", server.url() + kDeployments, deployment_json("web"));
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.header("Content-Type"), "application/json");

  auto got = http("GET", server.url() + kDeployments + "/web");
  ASSERT_EQ(got.status, 200);
  EXPECT_EQ(Json::parse(got.body)["kind"], "Deployment");

  auto list = http("GET", server.url() + kDeployments);
  EXPECT_EQ(Json::parse(list.body)["items"].size(), 1u);

  // A ConfigMap for the compare-and-swap: no controller writes it behind the test's back.
  auto config = http("POST", server.url() + kConfigMaps, configmap_json("settings"));
  ASSERT_EQ(config.status, 201) << config.body;
  Json settings = Json::parse(config.body);
  settings["data"]["mode"] = "fast";
  ASSERT_EQ(http("PUT", server.url() + kConfigMaps + "/settings", settings.dump()).status, 200);
  auto stale = http("PUT", server.url() + kConfigMaps + "/settings", settings.dump());
  EXPECT_EQ(stale.status, 409);
  EXPECT_EQ(Json::parse(stale.body)["reason"], "Conflict");

  auto invalid = http("POST", server.url() + kDeployments, deployment_json("Bad_Name"));
  EXPECT_EQ(invalid.status, 422);
  auto malformed = http("POST", server.url() + kDeployments, "{\"kind\":");
  EXPECT_EQ(malformed.status, 400);
  EXPECT_EQ(Json::parse(malformed.body)["kind"], "Status");

  std::string huge =
      "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"big\"},"
      "\"data\":{\"x\":\"" +
      std::string(3 * 1024 * 1024 + 10, 'a') + "\"}}";
  auto too_large = http("POST", server.url() + "/api/v1/namespaces/default/configmaps", huge);
  EXPECT_EQ(too_large.status, 413);
  EXPECT_EQ(http("GET", server.url() + "/api/v1/namespaces/default/configmaps/big").status, 404);
  EXPECT_EQ(http("GET", server.url() + "/readyz").body, "ok");
}

TEST(ApiHttp, WatchStreamsEvents) {
  TestServer server;
  auto list = http("GET", server.url() + kDeployments);
  std::string rv = Json::parse(list.body)["metadata"]["resourceVersion"];
  std::atomic<bool> done{false};
  HttpResult watched;
  std::thread watcher([&] {
    watched = http("GET",
                   server.url() + kDeployments + "?watch=1&timeoutSeconds=2&resourceVersion=" + rv);
    done = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ASSERT_EQ(http("POST", server.url() + kDeployments, deployment_json("watched")).status, 201);
  watcher.join();
  ASSERT_EQ(watched.status, 200);
  auto newline = watched.body.find('\n');
  ASSERT_NE(newline, std::string::npos) << watched.body;
  Json event = Json::parse(watched.body.substr(0, newline));
  EXPECT_EQ(event["type"], "ADDED");
  EXPECT_EQ(event["object"]["metadata"]["name"], "watched");
  EXPECT_EQ(event["object"]["kind"], "Deployment");
}

TEST(ApiHttp, RestartKeepsObjectsAndResourceVersions) {
  TestServer server;
  auto created = http("POST", server.url() + kConfigMaps, configmap_json("durable"));
  ASSERT_EQ(created.status, 201);
  std::string rv = Json::parse(created.body)["metadata"]["resourceVersion"];
  server.stop();
  server.start();
  auto got = http("GET", server.url() + kConfigMaps + "/durable");
  ASSERT_EQ(got.status, 200);
  EXPECT_EQ(Json::parse(got.body)["metadata"]["resourceVersion"], rv);
  auto next = http("POST", server.url() + kDeployments, deployment_json("later"));
  ASSERT_EQ(next.status, 201);
  EXPECT_GT(std::stoll(Json::parse(next.body)["metadata"]["resourceVersion"].get<std::string>()),
            std::stoll(rv));
}

TEST(ApiHttp, KillNineLosesNoAcknowledgedCreate) {
  TestServer server;
  std::vector<std::string> acknowledged;
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int i = 0; !stop; ++i) {
      std::string name = "cm-" + std::to_string(i);
      Json cm = {{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", {{"name", name}}}};
      try {
        auto result =
            http("POST", server.url() + "/api/v1/namespaces/default/configmaps", cm.dump());
        if (result.status == 201) acknowledged.push_back(name);
      } catch (const std::exception&) {
        return;  // the server is gone
      }
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  server.stop(9);
  stop = true;
  writer.join();
  ASSERT_FALSE(acknowledged.empty());
  server.start();
  auto list = Json::parse(http("GET", server.url() + "/api/v1/namespaces/default/configmaps").body);
  std::set<std::string> stored;
  for (const auto& item : list["items"]) stored.insert(item["metadata"]["name"].get<std::string>());
  for (const auto& name : acknowledged) EXPECT_TRUE(stored.count(name)) << name << " was lost";
}

// Without credentials only the health, version and join endpoints answer.
TEST(ApiHttp, AnAnonymousRequestReachesOnlyThePublicPaths) {
  TestServer server;
  EXPECT_EQ(http("GET", server.url() + kConfigMaps, "", {}, /*as_admin=*/false).status, 401);
  EXPECT_EQ(http("POST", server.url() + kConfigMaps, configmap_json("x"), {}, false).status, 401);
  const auto ready = http("GET", server.url() + "/readyz", "", {}, false);
  EXPECT_EQ(ready.status, 200);
  EXPECT_EQ(ready.body, "ok");
  EXPECT_EQ(http("GET", server.url() + "/version", "", {}, false).status, 200);
  EXPECT_EQ(http("GET", server.url() + kConfigMaps + "/x").status, 404) << "nothing was created";
}

// The binary is linked with jemalloc (cmd/skiff/jemalloc_config.cpp): a create costs about a
// third less CPU on it. A link that silently lost it, or a server that never started jemalloc's
// background thread, would still pass every other test.
TEST(ServerProcess, RunsOnJemallocWithOneBackgroundThread) {
  if (!SKIFF_BINARY_USES_JEMALLOC) GTEST_SKIP() << "built with -DSKIFF_JEMALLOC=OFF";
  TestServer server;
  const std::string proc = "/proc/" + std::to_string(server.pid());
  std::stringstream maps;
  maps << std::ifstream(proc + "/maps").rdbuf();
  EXPECT_NE(maps.str().find("libjemalloc"), std::string::npos) << "no jemalloc in the server";
  int purging_threads = 0;
  for (const auto& task : std::filesystem::directory_iterator(proc + "/task")) {
    std::string name;
    std::getline(std::ifstream(task.path() / "comm"), name);
    if (name == "jemalloc_bg_thd") ++purging_threads;
  }
  EXPECT_EQ(purging_threads, 1);
}

}  // namespace
}  // namespace skiff::testing
