// A container's environment as Kubernetes builds it: envFrom, then env (value, configMapKeyRef,
// secretKeyRef, fieldRef), $(VAR) expansion in values, command and args, and the kubelet's
// words when something referenced is missing.
#include "agent/pods/container_config.h"
#include "tests/unit/support/pods_fixture.h"

namespace skiff::agent::pods::testing {
namespace {

class PodEnvTest : public ::testing::Test {
 protected:
  EnvList env_of(Json container_json,
                 const PodRuntimeFields& fields = {"10.88.0.7", "192.168.1.10"}) {
    Json pod = make_pod({std::move(container_json)});
    pod["metadata"]["annotations"] = {{"team", "blue"}};
    pod["spec"]["serviceAccountName"] = "robot";
    spec = parse_pod_spec(pod);
    return build_environment(spec.containers[0], spec, fields, objects);
  }
  std::string error_of(Json container_json) {
    try {
      env_of(std::move(container_json));
    } catch (const ContainerConfigError& error) {
      return error.what();
    }
    return "";
  }

  MapObjects objects;
  PodSpecView spec;
};

Json env_var(const std::string& name, const std::string& value) {
  return {{"name", name}, {"value", value}};
}

Json key_ref(const char* kind, const std::string& name, const std::string& key,
             bool optional = false) {
  Json ref = {{"name", name}, {"key", key}};
  if (optional) ref["optional"] = true;
  return {{kind, ref}};
}

TEST(PodExpansionTest, ExpandsAsKubernetesDoes) {
  auto lookup = [](const std::string& name) -> std::optional<std::string> {
    if (name == "A") return "a";
    if (name == "EMPTY") return "";
    return std::nullopt;
  };
  EXPECT_EQ(expand_variables("$(A)-$(A)", lookup), "a-a");
  EXPECT_EQ(expand_variables("x$(UNKNOWN)y", lookup), "x$(UNKNOWN)y");
  EXPECT_EQ(expand_variables("$$(A)", lookup), "$(A)");
  EXPECT_EQ(expand_variables("$$", lookup), "$");
  EXPECT_EQ(expand_variables("cost: $5", lookup), "cost: $5");
  EXPECT_EQ(expand_variables("$(A", lookup), "$(A");
  EXPECT_EQ(expand_variables("end$", lookup), "end$");
  EXPECT_EQ(expand_variables("[$(EMPTY)]", lookup), "[]");
  EXPECT_EQ(expand_variables("$(A)$(A)$$$(A)", lookup), "aa$a");
  EXPECT_TRUE(is_env_var_name("my.var-1_X"));
  EXPECT_FALSE(is_env_var_name("1abc"));
  EXPECT_FALSE(is_env_var_name("a=b"));
  EXPECT_FALSE(is_env_var_name(""));
}

TEST_F(PodEnvTest, ValuesReferencesAndFieldsInOrder) {
  objects.put_config_map("settings", {{"mode", "fast"}, {"level", "3"}});
  objects.put_secret("creds", {{"password", "s3cr3t"}});
  EnvList env = env_of(container(
      "app",
      {{"env",
        {env_var("GREETING", "hello"),
         {{"name", "MODE"}, {"valueFrom", key_ref("configMapKeyRef", "settings", "mode")}},
         {{"name", "PASSWORD"}, {"valueFrom", key_ref("secretKeyRef", "creds", "password")}},
         {{"name", "POD_NAME"}, {"valueFrom", {{"fieldRef", {{"fieldPath", "metadata.name"}}}}}},
         {{"name", "POD_NAMESPACE"},
          {"valueFrom", {{"fieldRef", {{"fieldPath", "metadata.namespace"}}}}}},
         {{"name", "POD_UID"}, {"valueFrom", {{"fieldRef", {{"fieldPath", "metadata.uid"}}}}}},
         {{"name", "POD_IP"}, {"valueFrom", {{"fieldRef", {{"fieldPath", "status.podIP"}}}}}},
         {{"name", "HOST_IP"}, {"valueFrom", {{"fieldRef", {{"fieldPath", "status.hostIP"}}}}}},
         {{"name", "NODE"}, {"valueFrom", {{"fieldRef", {{"fieldPath", "spec.nodeName"}}}}}},
         {{"name", "SA"},
          {"valueFrom", {{"fieldRef", {{"fieldPath", "spec.serviceAccountName"}}}}}},
         {{"name", "APP"},
          {"valueFrom", {{"fieldRef", {{"fieldPath", "metadata.labels['app']"}}}}}},
         {{"name", "TEAM"},
          {"valueFrom", {{"fieldRef", {{"fieldPath", "metadata.annotations['team']"}}}}}},
         env_var("URL", "http://$(POD_IP):8080/$(MODE)?$(LATER)"),
         env_var("LATER", "x")}}}));
  EnvList expected = {{"GREETING", "hello"},
                      {"MODE", "fast"},
                      {"PASSWORD", "s3cr3t"},
                      {"POD_NAME", "web"},
                      {"POD_NAMESPACE", "default"},
                      {"POD_UID", "uid-1"},
                      {"POD_IP", "10.88.0.7"},
                      {"HOST_IP", "192.168.1.10"},
                      {"NODE", "node-1"},
                      {"SA", "robot"},
                      {"APP", "web"},
                      {"TEAM", "blue"},
                      {"URL", "http://10.88.0.7:8080/fast?$(LATER)"},
                      {"LATER", "x"}};
  EXPECT_EQ(env, expected);
}

TEST_F(PodEnvTest, EnvFromWithPrefixesAndEnvOverriding) {
  objects.put_config_map("settings", {{"mode", "fast"}, {"level", "3"}, {"bad key", "skipped"}});
  objects.put_secret("creds", {{"user", "admin"}});
  EnvList env = env_of(
      container("app", {{"envFrom",
                         {{{"configMapRef", {{"name", "settings"}}}},
                          {{"prefix", "DB_"}, {"secretRef", {{"name", "creds"}}}},
                          {{"configMapRef", {{"name", "absent"}, {"optional", true}}}}}},
                        {"env", {env_var("mode", "slow"), env_var("EXTRA", "$(DB_user)")}}}));
  EnvList expected = {{"level", "3"}, {"mode", "slow"}, {"DB_user", "admin"}, {"EXTRA", "admin"}};
  EXPECT_EQ(env, expected);
}

TEST_F(PodEnvTest, MissingObjectsAndKeysInTheKubeletsWords) {
  objects.put_config_map("settings", {{"mode", "fast"}});
  objects.put_secret("creds", {{"user", "admin"}});
  auto with_env = [](Json var) { return container("app", {{"env", {std::move(var)}}}); };
  EXPECT_EQ(
      error_of(with_env({{"name", "X"}, {"valueFrom", key_ref("configMapKeyRef", "absent", "k")}})),
      "configmap \"absent\" not found");
  EXPECT_EQ(error_of(with_env(
                {{"name", "X"}, {"valueFrom", key_ref("configMapKeyRef", "settings", "k")}})),
            "couldn't find key k in ConfigMap default/settings");
  EXPECT_EQ(
      error_of(with_env({{"name", "X"}, {"valueFrom", key_ref("secretKeyRef", "absent", "k")}})),
      "secret \"absent\" not found");
  EXPECT_EQ(
      error_of(with_env({{"name", "X"}, {"valueFrom", key_ref("secretKeyRef", "creds", "k")}})),
      "couldn't find key k in Secret default/creds");
  EXPECT_EQ(error_of(container("app", {{"envFrom", {{{"secretRef", {{"name", "gone"}}}}}}})),
            "secret \"gone\" not found");
  EXPECT_EQ(error_of(with_env(
                {{"name", "X"}, {"valueFrom", {{"fieldRef", {{"fieldPath", "spec.priority"}}}}}})),
            "unsupported fieldPath: spec.priority");
  // Optional references that are missing leave the variable out.
  EXPECT_EQ(env_of(with_env(
                {{"name", "X"}, {"valueFrom", key_ref("configMapKeyRef", "settings", "k", true)}})),
            EnvList{});
  objects.put("Secret", "default", "broken", {{"data", {{"k", "%%%"}}}});
  EXPECT_EQ(
      error_of(with_env({{"name", "X"}, {"valueFrom", key_ref("secretKeyRef", "broken", "k")}})),
      "Secret key k is not valid base64");
}

TEST_F(PodEnvTest, CommandAndArgsExpandWithTheFinalEnvironment) {
  Json pod =
      make_pod({container("app", {{"command", {"/bin/echo", "$(GREETING)"}},
                                  {"args", {"$(WHO)", "$$(WHO)", "$(NOPE)"}},
                                  {"env", {env_var("GREETING", "hi"), env_var("WHO", "you")}}})});
  spec = parse_pod_spec(pod);
  EnvList env = build_environment(spec.containers[0], spec, {}, objects);
  runtime::ContainerConfig config = make_container_config(spec.containers[0], spec, 3, env, {});
  EXPECT_EQ(config.command, (std::vector<std::string>{"/bin/echo", "hi"}));
  EXPECT_EQ(config.args, (std::vector<std::string>{"you", "$(WHO)", "$(NOPE)"}));
  EXPECT_EQ(config.attempt, 3u);
  EXPECT_EQ(config.name, "app");
  EXPECT_EQ(config.image, kImage);
}

}  // namespace
}  // namespace skiff::agent::pods::testing
