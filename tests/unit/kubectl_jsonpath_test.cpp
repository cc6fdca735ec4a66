// kubectl's JSONPath subset as `-o jsonpath` prints it.
#include <gtest/gtest.h>

#include "pkg/kubectl/errors.h"
#include "pkg/kubectl/jsonpath.h"

namespace skiff::kubectl {
namespace {

const Json kList = Json::parse(R"({
  "kind": "List",
  "items": [
    {"metadata": {"name": "a", "labels": {"app.kubernetes.io/name": "web"}},
     "status": {"conditions": [{"type": "Ready", "status": "True"},
                               {"type": "PodScheduled", "status": "True"}],
                "restarts": 3}},
    {"metadata": {"name": "b"},
     "status": {"conditions": [{"type": "Ready", "status": "False"}], "restarts": 0}}
  ]})");

std::string run(const std::string& tmpl, const Json& data = kList) {
  return JsonPath::parse(tmpl).execute(data);
}

TEST(KubectlJsonPath, FieldsAndWildcards) {
  EXPECT_EQ(run("{.items[*].metadata.name}"), "a b");
  EXPECT_EQ(run("{.items[0].metadata.name}"), "a");
  EXPECT_EQ(run("{.items[-1].metadata.name}"), "b");
  EXPECT_EQ(run("{.kind}"), "List");
  EXPECT_EQ(run("{$.kind}"), "List");
}

TEST(KubectlJsonPath, NonStringsPrintAsJson) {
  EXPECT_EQ(run("{.items[0].status.restarts}"), "3");
  EXPECT_EQ(run("{.items[1].metadata}"), R"({"name":"b"})");
}

TEST(KubectlJsonPath, RangeWithLiterals) {
  EXPECT_EQ(run(R"({range .items[*]}{.metadata.name}{"\n"}{end})"), "a\nb\n");
  EXPECT_EQ(run(R"({range .items[*]}[{.metadata.name}]{end})"), "[a][b]");
}

TEST(KubectlJsonPath, Filters) {
  EXPECT_EQ(run(R"({.items[0].status.conditions[?(@.type=="Ready")].status})"), "True");
  EXPECT_EQ(run(R"({.items[?(@.status.restarts > 1)].metadata.name})"), "a");
  EXPECT_EQ(run(R"({.items[?(@.metadata.labels)].metadata.name})"), "a");
  EXPECT_EQ(
      run(R"({range .items[*]}{.metadata.name}={.status.conditions[?(@.type=='Ready')].status};{end})"),
      "a=True;b=False;");
}

TEST(KubectlJsonPath, EscapedDotsAndBracketKeys) {
  EXPECT_EQ(run(R"({.items[0].metadata.labels.app\.kubernetes\.io/name})"), "web");
  EXPECT_EQ(run(R"({.items[0].metadata.labels['app.kubernetes.io/name']})"), "web");
}

TEST(KubectlJsonPath, SlicesAndRecursiveDescent) {
  EXPECT_EQ(run("{.items[0:1].metadata.name}"), "a");
  EXPECT_EQ(run("{..name}"), "a b");
}

TEST(KubectlJsonPath, MissingFieldsPrintNothing) {
  EXPECT_EQ(run("{.items[0].spec.nodeName}"), "");
  EXPECT_EQ(run("x{.nope}y"), "xy");
}

TEST(KubectlJsonPath, RelaxedTemplateWithoutBraces) {
  EXPECT_EQ(run(".kind"), "List");
  EXPECT_EQ(run("kind"), "List");
}

TEST(KubectlJsonPath, MalformedTemplatesAreErrors) {
  EXPECT_THROW(JsonPath::parse("{.items[0}"), KubectlError);
  EXPECT_THROW(JsonPath::parse("{range .items[*]}{.x}"), KubectlError);
  EXPECT_THROW(JsonPath::parse("{.a}{end}"), KubectlError);
  EXPECT_THROW(JsonPath::parse("{.a"), KubectlError);
}

}  // namespace
}  // namespace skiff::kubectl
