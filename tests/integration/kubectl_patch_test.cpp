// `skiff kubectl patch` against a real `skiff server`, side by side with the real kubectl
// (/usr/bin/kubectl v1.32): the same command gets the same output, exit code and result.
#include <gtest/gtest.h>

#include <unistd.h>

#include <fstream>

#include "tests/integration/support/test_server.h"

namespace skiff::testing {
namespace {

// Each object has a twin named "<name>-ref" that the real kubectl patches, so both clients
// start from the same state.
std::string manifest(const std::string& suffix) {
  return "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web" + suffix +
         "\nspec:\n  replicas: 1\n  selector:\n    matchLabels: {app: web" + suffix +
         "}\n  template:\n    metadata:\n      labels: {app: web" + suffix +
         "}\n    spec:\n      containers:\n      - name: web\n        image: nginx:1.25\n"
         "      - name: sidecar\n        image: busybox:1.36\n---\napiVersion: v1\n"
         "kind: ConfigMap\nmetadata:\n  name: settings" +
         suffix + "\ndata:\n  mode: slow\n  level: \"1\"\n";
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

class KubectlPatch : public ::testing::Test {
 protected:
  void SetUp() override {
    auto applied =
        server_.skiff_kubectl({"apply", "-f", "-"}, manifest("") + "---\n" + manifest("-ref"));
    ASSERT_EQ(applied.exit_code, 0) << applied.err;
  }
  CommandResult skiff(const std::vector<std::string>& args) {
    std::vector<std::string> full = {"patch"};
    full.insert(full.end(), args.begin(), args.end());
    return server_.skiff_kubectl(full);
  }
  // Runs `patch args` with skiff on `name` and with the real kubectl on its twin; expects the
  // same stdout, stderr and exit code (the twin's name read back as `name`), and returns
  // skiff's result. Without /usr/bin/kubectl only skiff's is run.
  CommandResult both(const std::string& name, const std::vector<std::string>& args) {
    CommandResult ours = skiff(args);
    if (access("/usr/bin/kubectl", X_OK) != 0) return ours;
    std::vector<std::string> full = {"patch"};
    for (const auto& arg : args) {
      const bool names_it = arg == name || (arg.size() > name.size() + 1 &&
                                            arg.compare(arg.size() - name.size() - 1,
                                                        name.size() + 1, "/" + name) == 0);
      full.push_back(names_it ? arg + "-ref" : arg);
    }
    CommandResult theirs = server_.kubectl(full);
    const std::string context = "patch " + ::testing::PrintToString(args);
    EXPECT_EQ(ours.out, replace_all(theirs.out, name + "-ref", name)) << context;
    EXPECT_EQ(ours.err, replace_all(theirs.err, name + "-ref", name)) << context;
    EXPECT_EQ(ours.exit_code, theirs.exit_code) << context;
    return ours;
  }
  std::string get(const std::string& target, const std::string& jsonpath) {
    return server_.skiff_kubectl({"get", target, "-o", "jsonpath=" + jsonpath}).out;
  }
  TestServer server_;
};

TEST_F(KubectlPatch, StrategicMergeUpdatesOneContainerByName) {
  const std::string new_image =
      R"({"spec":{"template":{"spec":{"containers":[{"name":"web","image":"nginx:1.27"}]}}}})";
  auto first = both("web", {"deployment", "web", "-p", new_image});
  EXPECT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(first.out, "deployment.apps/web patched\n");
  // Merged by name: the sidecar is still there, the web container has the new image.
  EXPECT_EQ(get("deploy/web", "{.spec.template.spec.containers[*].image}"),
            "nginx:1.27 busybox:1.36");

  // The same patch again changes nothing, and both clients say so.
  auto again = both("web", {"deploy/web", "-p", new_image});
  EXPECT_EQ(again.out, "deployment.apps/web patched (no change)\n");
}

TEST_F(KubectlPatch, StrategicDeleteDirectiveRemovesAListEntry) {
  auto removed = both(
      "web",
      {"deploy", "web", "-p",
       R"({"spec":{"template":{"spec":{"containers":[{"name":"sidecar","$patch":"delete"}]}}}})"});
  EXPECT_EQ(removed.exit_code, 0) << removed.err;
  EXPECT_EQ(get("deploy/web", "{.spec.template.spec.containers[*].name}"), "web");
}

TEST_F(KubectlPatch, MergeAndJsonPatchesAndYaml) {
  auto merged = both("settings", {"configmap", "settings", "--type", "merge", "-p",
                                  R"({"data":{"mode":"fast","level":null}})"});
  EXPECT_EQ(merged.out, "configmap/settings patched\n") << merged.err;
  EXPECT_EQ(get("cm/settings", "{.data}"), R"({"mode":"fast"})");

  auto json_patch = both("settings", {"cm/settings", "--type=json", "-p",
                                      R"([{"op":"add","path":"/data/extra","value":"x"}])"});
  EXPECT_EQ(json_patch.out, "configmap/settings patched\n") << json_patch.err;
  EXPECT_EQ(get("cm/settings", "{.data.extra}"), "x");

  // YAML is accepted as well as JSON, inline or from a file.
  TempDir dir;
  const std::string file = dir.path() + "/patch.yaml";
  std::ofstream(file) << "data:\n  mode: turbo\n";
  auto from_file = skiff({"cm", "settings", "--type", "merge", "--patch-file", file});
  EXPECT_EQ(from_file.out, "configmap/settings patched\n") << from_file.err;
  EXPECT_EQ(get("cm/settings", "{.data.mode}"), "turbo");
}

TEST_F(KubectlPatch, DryRunsPersistNothing) {
  auto server_side = both("settings", {"cm", "settings", "--type", "merge", "--dry-run=server",
                                       "-p", R"({"data":{"mode":"fast"}})"});
  EXPECT_EQ(server_side.out, "configmap/settings patched\n");
  auto client_named = both("settings", {"cm", "settings", "--type", "merge", "--dry-run=client",
                                        "-p", R"({"data":{"mode":"fast"}})"});
  EXPECT_EQ(client_named.out, "configmap/settings patched\n");  // kubectl 1.32 words it so
  auto client_side = skiff({"cm", "settings", "--type", "merge", "--dry-run=client", "-o",
                            "jsonpath={.data.mode}", "-p", R"({"data":{"mode":"fast"}})"});
  EXPECT_EQ(client_side.out, "fast") << client_side.err;
  EXPECT_EQ(get("cm/settings", "{.data.mode}"), "slow");
}

TEST_F(KubectlPatch, ScaleSubresource) {
  auto scaled = skiff({"deploy", "web", "--subresource", "scale", "--type", "merge", "-p",
                       R"({"spec":{"replicas":3}})"});
  EXPECT_EQ(scaled.out, "deployment.apps/web patched\n") << scaled.err;
  EXPECT_EQ(get("deploy/web", "{.spec.replicas}"), "3");
}

TEST_F(KubectlPatch, BadInputGetsTheErrorKubectlPrints) {
  auto no_patch = both("settings", {"cm", "settings"});
  EXPECT_EQ(no_patch.exit_code, 1);
  EXPECT_EQ(no_patch.err,
            "error: must specify --patch or --patch-file containing the contents of the patch\n");

  auto bad_type = both("settings", {"cm", "settings", "--type", "xml", "-p", "{}"});
  EXPECT_EQ(bad_type.exit_code, 1);
  EXPECT_EQ(bad_type.err, "error: --type must be one of [json merge strategic], not \"xml\"\n");

  auto missing = both("nope", {"cm", "nope", "-p", R"({"data":{"a":"b"}})"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(missing.err, "Error from server (NotFound): configmaps \"nope\" not found\n");

  // A patch the server cannot apply is its 4xx Status, and nothing changes.
  auto invalid =
      both("web", {"deploy", "web", "--type", "merge", "-p", R"({"spec":{"replicas":-1}})"});
  EXPECT_EQ(invalid.exit_code, 1);
  EXPECT_NE(invalid.err.find("is invalid"), std::string::npos) << invalid.err;
  EXPECT_EQ(get("deploy/web", "{.spec.replicas}"), "1");

  auto twice = both("settings", {"cm", "settings", "-p", "{}", "--patch-file", "/nonexistent"});
  EXPECT_EQ(twice.exit_code, 1);
  EXPECT_EQ(twice.err, "error: cannot specify --patch and --patch-file together\n");

  auto no_file = skiff({"cm", "settings", "--patch-file", "/nonexistent/patch.yaml"});
  EXPECT_EQ(no_file.exit_code, 1);
  EXPECT_EQ(no_file.err,
            "error: unable to read patch file: open /nonexistent/patch.yaml: no such file or "
            "directory\n");

  auto bad_subresource = skiff({"cm", "settings", "--subresource", "log", "-p", "{}"});
  EXPECT_EQ(bad_subresource.exit_code, 1);
  EXPECT_EQ(bad_subresource.err,
            "error: invalid subresource value: \"log\". Must be one of [status scale]\n");

  auto not_json = skiff({"cm", "settings", "-p", "{not json"});
  EXPECT_EQ(not_json.exit_code, 1);
  EXPECT_EQ(not_json.err.rfind("error: unable to parse \"{not json\"", 0), 0u) << not_json.err;
}

}  // namespace
}  // namespace skiff::testing
