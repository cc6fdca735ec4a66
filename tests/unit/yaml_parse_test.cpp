// parse_documents: YAML 1.2 core schema, tags, anchors/merge keys, multi-doc, errors.
#include <gtest/gtest.h>

#include <cmath>

#include "pkg/yaml/yaml.h"

namespace skiff::yaml {
namespace {

Json one(std::string_view text) {
  auto docs = parse_documents(text, "test.yaml");
  EXPECT_EQ(docs.size(), 1u);
  return docs.empty() ? Json() : docs[0];
}

TEST(YamlParse, CoreSchemaPlainScalars) {
  Json v = one(R"(
t: true
f: False
n1: null
n2: ~
n3:
i: 42
neg: -7
oct: 0o17
hex: 0x1F
fl: 1.5
exp: 1e3
inf: .inf
ninf: -.inf
s: hello world
yes: yes
ver: 1.2.3
)");
  EXPECT_EQ(v["t"], true);
  EXPECT_EQ(v["f"], false);
  EXPECT_TRUE(v["n1"].is_null());
  EXPECT_TRUE(v["n2"].is_null());
  EXPECT_TRUE(v["n3"].is_null());
  EXPECT_EQ(v["i"], 42);
  EXPECT_TRUE(v["i"].is_number_integer());
  EXPECT_EQ(v["neg"], -7);
  EXPECT_EQ(v["oct"], 15);
  EXPECT_EQ(v["hex"], 31);
  EXPECT_DOUBLE_EQ(v["fl"].get<double>(), 1.5);
  EXPECT_DOUBLE_EQ(v["exp"].get<double>(), 1000.0);
  EXPECT_TRUE(std::isinf(v["inf"].get<double>()));
  EXPECT_LT(v["ninf"].get<double>(), 0);
  EXPECT_EQ(v["s"], "hello world");
  EXPECT_EQ(v["yes"], "yes");  // YAML 1.2: not a bool
  EXPECT_EQ(v["ver"], "1.2.3");
}

TEST(YamlParse, NanIsAFloat) {
  Json v = one("x: .nan\n");
  ASSERT_TRUE(v["x"].is_number_float());
  EXPECT_TRUE(std::isnan(v["x"].get<double>()));
}

TEST(YamlParse, QuotedScalarsStayStrings) {
  Json v = one(R"(a: "true"
b: '123'
c: "null"
d: ""
e: '~'
)");
  EXPECT_EQ(v["a"], "true");
  EXPECT_EQ(v["b"], "123");
  EXPECT_EQ(v["c"], "null");
  EXPECT_EQ(v["d"], "");
  EXPECT_EQ(v["e"], "~");
}

TEST(YamlParse, ExplicitTagsAreHonoured) {
  Json v = one("a: !!str 123\nb: !!int \"42\"\nc: !!float 3\nd: !!bool true\n");
  EXPECT_EQ(v["a"], "123");
  EXPECT_EQ(v["b"], 42);
  EXPECT_TRUE(v["c"].is_number_float());
  EXPECT_EQ(v["d"], true);
}

TEST(YamlParse, BadTaggedValueReportsPosition) {
  try {
    parse_documents("a: 1\nb: !!int nope\n", "bad.yaml");
    FAIL() << "expected YamlError";
  } catch (const YamlError& e) {
    EXPECT_EQ(e.line(), 2);
    EXPECT_NE(std::string(e.what()).find("bad.yaml: line 2"), std::string::npos) << e.what();
  }
}

TEST(YamlParse, AnchorsAliasesAndMergeKeys) {
  Json v = one(R"(
base: &base
  image: nginx
  port: 80
extra: &extra
  pull: Always
web:
  <<: [*base, *extra]
  port: 8080
copy: *base
)");
  EXPECT_EQ(v["web"]["image"], "nginx");
  EXPECT_EQ(v["web"]["port"], 8080);  // explicit key wins over merged
  EXPECT_EQ(v["web"]["pull"], "Always");
  EXPECT_FALSE(v["web"].contains("<<"));
  EXPECT_EQ(v["copy"], v["base"]);
}

TEST(YamlParse, DuplicateKeyIsAnErrorWithLine) {
  try {
    parse_documents("metadata:\n  name: a\n  name: b\n", "dup.yaml");
    FAIL() << "expected YamlError";
  } catch (const YamlError& e) {
    EXPECT_EQ(e.line(), 3);
    EXPECT_EQ(e.column(), 3);
    EXPECT_NE(std::string(e.what()).find("duplicate key \"name\""), std::string::npos);
  }
}

TEST(YamlParse, SyntaxErrorsAreOneBased) {
  try {
    parse_documents("a: 1\nb: [1, 2\nc: 3\n", "app.yaml");
    FAIL() << "expected YamlError";
  } catch (const YamlError& e) {
    EXPECT_GE(e.line(), 2);
    EXPECT_GE(e.column(), 1);
    EXPECT_EQ(std::string(e.what()).rfind("app.yaml: line ", 0), 0u) << e.what();
  }
}

TEST(YamlParse, MultipleDocumentsSkippingEmptyOnes) {
  auto docs = parse_documents("---\na: 1\n---\n# only a comment\n---\nb: 2\n...\n---\n");
  ASSERT_EQ(docs.size(), 2u);
  EXPECT_EQ(docs[0]["a"], 1);
  EXPECT_EQ(docs[1]["b"], 2);
}

TEST(YamlParse, EmptyInputHasNoDocuments) {
  EXPECT_TRUE(parse_documents("").empty());
  EXPECT_TRUE(parse_documents("\n# nothing\n").empty());
}

TEST(YamlParse, AcceptsJson) {
  Json v = one(R"({"kind": "Pod", "spec": {"replicas": 3, "on": true, "x": null}})");
  EXPECT_EQ(v["kind"], "Pod");
  EXPECT_EQ(v["spec"]["replicas"], 3);
  EXPECT_EQ(v["spec"]["on"], true);
  EXPECT_TRUE(v["spec"]["x"].is_null());
}

TEST(YamlParse, FlowCollectionsAndBlockScalars) {
  Json v =
      one("args: [a, 'b', 1]\nmeta: {k: v}\nscript: |\n  echo hi\n  exit 0\nfolded: >-\n  one\n  "
          "two\n");
  EXPECT_EQ(v["args"], Json::parse(R"(["a","b",1])"));
  EXPECT_EQ(v["meta"]["k"], "v");
  EXPECT_EQ(v["script"], "echo hi\nexit 0\n");
  EXPECT_EQ(v["folded"], "one two");
}

TEST(YamlParse, NumericKeysBecomeStrings) {
  Json v = one("80: http\ntrue: x\n");
  EXPECT_EQ(v["80"], "http");
  EXPECT_EQ(v["true"], "x");
}

TEST(YamlParse, LargeIntegers) {
  Json v =
      one("big: 9223372036854775807\nbigger: 18446744073709551615\nneg: -9223372036854775808\n");
  EXPECT_EQ(v["big"].get<std::int64_t>(), INT64_MAX);
  EXPECT_EQ(v["bigger"].get<std::uint64_t>(), UINT64_MAX);
  EXPECT_EQ(v["neg"].get<std::int64_t>(), INT64_MIN);
}

}  // namespace
}  // namespace skiff::yaml
