// Create, read, update and the metadata rules of the API server, driven without sockets.
#include <regex>
#include <set>
#include <string>

#include "tests/unit/apiserver_test_support.h"

namespace skiff::apiserver::testing {
namespace {

class CrudTest : public ApiTest {};

TEST_F(CrudTest, CreateGetListRoundTrip) {
  auto created = call("POST", kConfigMaps, configmap("one"));
  ASSERT_EQ(created.status, 201u) << created.text;
  EXPECT_EQ(created.body["metadata"]["namespace"], "default");
  EXPECT_FALSE(created.body["metadata"]["uid"].get<std::string>().empty());
  EXPECT_FALSE(created.body["metadata"]["resourceVersion"].get<std::string>().empty());
  EXPECT_FALSE(created.body["metadata"].contains("generation"));  // ConfigMaps have no spec

  auto got = call("GET", std::string(kConfigMaps) + "/one");
  ASSERT_EQ(got.status, 200u);
  EXPECT_EQ(got.body["kind"], "ConfigMap");
  EXPECT_EQ(got.body["apiVersion"], "v1");
  EXPECT_EQ(got.body["data"]["a"], "1");

  auto list = call("GET", kConfigMaps);
  ASSERT_EQ(list.status, 200u);
  EXPECT_EQ(list.body["kind"], "ConfigMapList");
  EXPECT_FALSE(list.body["metadata"]["resourceVersion"].get<std::string>().empty());
  ASSERT_EQ(list.body["items"].size(), 1u);

  auto all = call("GET", "/api/v1/configmaps");
  EXPECT_EQ(all.status, 200u);
  EXPECT_EQ(all.body["items"].size(), 1u);
}

// Every object gets a random version 4 UUID (RFC 4122 text: lowercase hex, 8-4-4-4-12).
TEST_F(CrudTest, UidsAreVersionFourUuids) {
  const std::regex uuid("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  std::set<std::string> seen;
  for (int i = 0; i < 50; ++i) {
    auto created = call("POST", kConfigMaps, configmap("uid-" + std::to_string(i)));
    ASSERT_EQ(created.status, 201u) << created.text;
    const std::string uid = created.body["metadata"]["uid"];
    EXPECT_TRUE(std::regex_match(uid, uuid)) << uid;
    seen.insert(uid);
  }
  EXPECT_EQ(seen.size(), 50u);
}

TEST_F(CrudTest, DuplicateCreateIsAlreadyExists) {
  ASSERT_EQ(call("POST", kConfigMaps, configmap("dup")).status, 201u);
  auto again = call("POST", kConfigMaps, configmap("dup"));
  EXPECT_EQ(again.status, 409u);
  EXPECT_EQ(again.body["reason"], "AlreadyExists");
  EXPECT_EQ(again.body["message"], "configmaps \"dup\" already exists");
}

TEST_F(CrudTest, UnknownPathsAndMethods) {
  auto missing = call("GET", "/apis/apps/v1/namespaces/default/widgets");
  EXPECT_EQ(missing.status, 404u);
  EXPECT_EQ(missing.body["kind"], "Status");
  EXPECT_EQ(missing.body["message"], "the server could not find the requested resource");
  EXPECT_EQ(call("GET", "/apis/nope/v1/things").status, 404u);
  EXPECT_EQ(call("POST", std::string(kConfigMaps) + "/x", configmap("x")).status, 405u);
  auto object_missing = call("GET", std::string(kDeployments) + "/nope");
  EXPECT_EQ(object_missing.status, 404u);
  EXPECT_EQ(object_missing.body["message"], "deployments.apps \"nope\" not found");
}

TEST_F(CrudTest, GenerateNameAppendsFiveCharacters) {
  Json object = configmap("");
  object["metadata"].erase("name");
  object["metadata"]["generateName"] = "gen-";
  auto created = call("POST", kConfigMaps, object);
  ASSERT_EQ(created.status, 201u) << created.text;
  std::string name = created.body["metadata"]["name"];
  ASSERT_EQ(name.size(), 9u);
  EXPECT_EQ(name.substr(0, 4), "gen-");
  for (char c : name.substr(4))
    EXPECT_NE(std::string("bcdfghjklmnpqrstvwxz2456789").find(c), std::string::npos) << name;
}

TEST_F(CrudTest, StaleUpdateIsConflictAndEmptyVersionIsUnconditional) {
  auto created = call("POST", kConfigMaps, configmap("cas"));
  Json update = created.body;
  update["data"]["a"] = "2";
  auto first = call("PUT", std::string(kConfigMaps) + "/cas", update);
  ASSERT_EQ(first.status, 200u) << first.text;
  update["data"]["a"] = "3";  // still carries the old resourceVersion
  auto stale = call("PUT", std::string(kConfigMaps) + "/cas", update);
  EXPECT_EQ(stale.status, 409u);
  EXPECT_EQ(stale.body["reason"], "Conflict");
  EXPECT_EQ(call("GET", std::string(kConfigMaps) + "/cas").body["data"]["a"], "2");
  update["metadata"].erase("resourceVersion");
  EXPECT_EQ(call("PUT", std::string(kConfigMaps) + "/cas", update).status, 200u);
  EXPECT_EQ(call("GET", std::string(kConfigMaps) + "/cas").body["data"]["a"], "3");
}

TEST_F(CrudTest, UpdateOfMissingObjectIs404AndImmutableFieldsStay) {
  EXPECT_EQ(call("PUT", std::string(kConfigMaps) + "/ghost", configmap("ghost")).status, 404u);
  auto created = call("POST", kConfigMaps, configmap("keep"));
  Json update = configmap("keep", {{"b", "2"}});
  update["metadata"]["uid"] = "forged";
  update["metadata"]["creationTimestamp"] = "2000-01-01T00:00:00Z";
  auto updated = call("PUT", std::string(kConfigMaps) + "/keep", update);
  ASSERT_EQ(updated.status, 200u) << updated.text;
  EXPECT_EQ(updated.body["metadata"]["uid"], created.body["metadata"]["uid"]);
  EXPECT_EQ(updated.body["metadata"]["creationTimestamp"],
            created.body["metadata"]["creationTimestamp"]);
  auto renamed = call("PUT", std::string(kConfigMaps) + "/keep", configmap("other"));
  EXPECT_EQ(renamed.status, 400u);
}

TEST_F(CrudTest, GenerationBumpsOnlyOnSpecChange) {
  auto created = call("POST", kDeployments, deployment("web"));
  ASSERT_EQ(created.status, 201u) << created.text;
  EXPECT_EQ(created.body["metadata"]["generation"], 1);
  Json labels_only = created.body;
  labels_only["metadata"]["labels"]["extra"] = "yes";
  auto relabeled = call("PUT", std::string(kDeployments) + "/web", labels_only);
  ASSERT_EQ(relabeled.status, 200u) << relabeled.text;
  EXPECT_EQ(relabeled.body["metadata"]["generation"], 1);
  Json scaled = relabeled.body;
  scaled["spec"]["replicas"] = 3;
  auto updated = call("PUT", std::string(kDeployments) + "/web", scaled);
  ASSERT_EQ(updated.status, 200u) << updated.text;
  EXPECT_EQ(updated.body["metadata"]["generation"], 2);
}

TEST_F(CrudTest, StatusSubresourceIsolation) {
  auto created = call("POST", kDeployments, deployment("iso"));
  ASSERT_EQ(created.status, 201u);
  // The main resource ignores status.
  Json with_status = created.body;
  with_status["status"] = {{"replicas", 7}};
  with_status["metadata"].erase("resourceVersion");
  auto main = call("PUT", std::string(kDeployments) + "/iso", with_status);
  ASSERT_EQ(main.status, 200u) << main.text;
  EXPECT_FALSE(main.body.contains("status") && main.body["status"].contains("replicas"));
  // /status changes only status.
  Json status_body = main.body;
  status_body["status"] = {{"replicas", 2}};
  status_body["spec"]["replicas"] = 9;
  auto status = call("PUT", std::string(kDeployments) + "/iso/status", status_body);
  ASSERT_EQ(status.status, 200u) << status.text;
  EXPECT_EQ(status.body["status"]["replicas"], 2);
  EXPECT_EQ(status.body["spec"]["replicas"], 1);
  EXPECT_EQ(status.body["metadata"]["generation"], 1);
  auto patched = call("PATCH", std::string(kDeployments) + "/iso/status",
                      Json{{"status", {{"readyReplicas", 1}}}},
                      {{"Content-Type", "application/merge-patch+json"}});
  ASSERT_EQ(patched.status, 200u) << patched.text;
  EXPECT_EQ(patched.body["status"]["readyReplicas"], 1);
}

TEST_F(CrudTest, ScaleSubresource) {
  ASSERT_EQ(call("POST", kDeployments, deployment("sc", 2)).status, 201u);
  auto scale = call("GET", std::string(kDeployments) + "/sc/scale");
  ASSERT_EQ(scale.status, 200u) << scale.text;
  EXPECT_EQ(scale.body["kind"], "Scale");
  EXPECT_EQ(scale.body["apiVersion"], "autoscaling/v1");
  EXPECT_EQ(scale.body["spec"]["replicas"], 2);
  EXPECT_EQ(scale.body["status"]["selector"], "app=sc");
  auto patched =
      call("PATCH", std::string(kDeployments) + "/sc/scale", Json{{"spec", {{"replicas", 5}}}},
           {{"Content-Type", "application/merge-patch+json"}});
  ASSERT_EQ(patched.status, 200u) << patched.text;
  EXPECT_EQ(patched.body["spec"]["replicas"], 5);
  auto deploy = call("GET", std::string(kDeployments) + "/sc");
  EXPECT_EQ(deploy.body["spec"]["replicas"], 5);
  EXPECT_EQ(deploy.body["metadata"]["generation"], 2);
  auto bad =
      call("PATCH", std::string(kDeployments) + "/sc/scale", Json{{"spec", {{"replicas", -1}}}},
           {{"Content-Type", "application/merge-patch+json"}});
  EXPECT_EQ(bad.status, 422u);
}

TEST_F(CrudTest, DryRunNeverPersists) {
  auto dry = call("POST", std::string(kConfigMaps) + "?dryRun=All", configmap("dry"));
  EXPECT_EQ(dry.status, 201u) << dry.text;
  EXPECT_EQ(call("GET", std::string(kConfigMaps) + "/dry").status, 404u);
  ASSERT_EQ(call("POST", kConfigMaps, configmap("real")).status, 201u);
  auto before = stored_workloads();
  auto patched = call("PATCH", std::string(kConfigMaps) + "/real?dryRun=All",
                      Json{{"data", {{"a", "changed"}}}},
                      {{"Content-Type", "application/strategic-merge-patch+json"}});
  EXPECT_EQ(patched.status, 200u);
  EXPECT_EQ(patched.body["data"]["a"], "changed");
  EXPECT_EQ(call("DELETE", std::string(kConfigMaps) + "/real?dryRun=All").status, 200u);
  EXPECT_EQ(call("GET", std::string(kConfigMaps) + "/real").body["data"]["a"], "1");
  EXPECT_EQ(stored_workloads(), before);
  EXPECT_EQ(call("POST", std::string(kConfigMaps) + "?dryRun=Some", configmap("x")).status, 400u);
}

TEST_F(CrudTest, FieldValidationModes) {
  Json object = configmap("fv");
  object["spec"] = {{"foo", 1}};
  object["bogus"] = true;
  auto strict = call("POST", std::string(kConfigMaps) + "?fieldValidation=Strict", object);
  EXPECT_EQ(strict.status, 400u);
  std::string message = strict.body.value("message", "");
  EXPECT_NE(message.find("strict decoding error: "), std::string::npos) << message;
  EXPECT_NE(message.find("unknown field \"bogus\""), std::string::npos) << message;

  auto warn = call("POST", kConfigMaps, object);
  ASSERT_EQ(warn.status, 201u) << warn.text;
  auto warnings = warn.header_values("Warning");
  ASSERT_FALSE(warnings.empty());
  EXPECT_NE(warnings.front().find("unknown field"), std::string::npos);
  EXPECT_FALSE(warn.body.contains("bogus"));

  object["metadata"]["name"] = "fv2";
  auto ignore = call("POST", std::string(kConfigMaps) + "?fieldValidation=Ignore", object);
  ASSERT_EQ(ignore.status, 201u);
  EXPECT_TRUE(ignore.header_values("Warning").empty());
  EXPECT_FALSE(ignore.body.contains("bogus"));
}

TEST_F(CrudTest, BadInputChangesNothing) {
  auto before = stored_workloads();
  EXPECT_EQ(call("POST", kConfigMaps, std::string("{\"kind\": ")).status, 400u);
  EXPECT_EQ(call("POST", kConfigMaps, std::string("[1,2]")).status, 400u);
  EXPECT_EQ(call("POST", kConfigMaps, configmap("x").dump(), {{"Content-Type", "text/csv"}}).status,
            415u);
  Json wrong_kind = configmap("x");
  wrong_kind["kind"] = "Secret";
  EXPECT_EQ(call("POST", kConfigMaps, wrong_kind).status, 400u);
  Json wrong_namespace = configmap("x");
  wrong_namespace["metadata"]["namespace"] = "other";
  auto ns = call("POST", kConfigMaps, wrong_namespace);
  EXPECT_EQ(ns.status, 400u);
  EXPECT_EQ(ns.body["message"],
            "the namespace of the provided object does not match the namespace sent on the "
            "request");
  auto long_name = call("POST", kConfigMaps, configmap(std::string(300, 'a')));
  EXPECT_EQ(long_name.status, 422u) << long_name.text;
  auto bad_name = call("POST", kConfigMaps, configmap("Not_Valid"));
  EXPECT_EQ(bad_name.status, 422u);
  EXPECT_EQ(bad_name.body["reason"], "Invalid");
  Json three = deployment("three");
  three["spec"]["replicas"] = "three";
  auto typed = call("POST", kDeployments, three);
  EXPECT_TRUE(typed.status == 400u || typed.status == 422u) << typed.text;
  auto missing_ns = call("POST", "/api/v1/namespaces/nowhere/configmaps", configmap("x"));
  EXPECT_EQ(missing_ns.status, 404u);
  EXPECT_EQ(missing_ns.body["message"], "namespaces \"nowhere\" not found");
  EXPECT_EQ(stored_workloads(), before);
}

TEST_F(CrudTest, YamlBodies) {
  auto created =
      call("POST", kConfigMaps,
           std::string("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: y\ndata:\n  k: v\n"),
           {{"Content-Type", "application/yaml"}});
  ASSERT_EQ(created.status, 201u) << created.text;
  EXPECT_EQ(created.body["data"]["k"], "v");
}

TEST_F(CrudTest, DiscoveryVersionAndHealth) {
  auto version = call("GET", "/version");
  EXPECT_EQ(version.body["minor"], "32");
  auto health = call("GET", "/readyz");
  EXPECT_EQ(health.status, 200u);
  EXPECT_EQ(health.text, "ok");
  auto legacy = call("GET", "/api");
  EXPECT_EQ(legacy.body["kind"], "APIVersions");
  EXPECT_EQ(call("GET", "/openapi/v2").status, 404u);
  EXPECT_EQ(call("GET", "/apis/apps/v1").status, 200u);
}

TEST_F(CrudTest, SystemNamespacesAndDefaultServiceAccount) {
  for (const char* name : {"default", "kube-system", "kube-public", "kube-node-lease"})
    EXPECT_EQ(call("GET", std::string("/api/v1/namespaces/") + name).status, 200u) << name;
  EXPECT_TRUE(eventually([&] {
    return call("GET", "/api/v1/namespaces/kube-system/serviceaccounts/default").status == 200u;
  }));
}

}  // namespace
}  // namespace skiff::apiserver::testing
