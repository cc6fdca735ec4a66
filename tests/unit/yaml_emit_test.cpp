// to_yaml: kubectl-style layout, quoting, block scalars, and round trips through the parser.
#include <gtest/gtest.h>

#include "pkg/yaml/yaml.h"

namespace skiff::yaml {
namespace {

TEST(YamlEmit, KubectlLayout) {
  Json pod = Json::parse(R"({
    "apiVersion": "v1", "kind": "Pod",
    "metadata": {"name": "web", "labels": {"app": "web"}},
    "spec": {"containers": [{"name": "c", "image": "nginx", "ports": [{"containerPort": 80}],
                             "args": []}],
             "nodeSelector": {}}})");
  EXPECT_EQ(to_yaml(pod),
            "apiVersion: v1\n"
            "kind: Pod\n"
            "metadata:\n"
            "  labels:\n"
            "    app: web\n"
            "  name: web\n"
            "spec:\n"
            "  containers:\n"
            "  - args: []\n"
            "    image: nginx\n"
            "    name: c\n"
            "    ports:\n"
            "    - containerPort: 80\n"
            "  nodeSelector: {}\n");
}

TEST(YamlEmit, NestedSequences) {
  EXPECT_EQ(to_yaml(Json::parse(R"({"m": [[1, 2], ["a"]]})")), "m:\n- - 1\n  - 2\n- - a\n");
}

TEST(YamlEmit, QuotesStringsThatWouldBeMisread) {
  Json v = Json::parse(R"({"a": "true", "b": "123", "c": "", "d": " lead", "e": "trail ",
    "f": "a: b", "g": "x #y", "h": "*star", "i": "null", "j": "yes", "k": "1.5", "l": "0x10",
    "m": "-", "plain": "plain text", "o": "it's", "p": "- item", "q": "tab\there"})");
  std::string y = to_yaml(v);
  EXPECT_NE(y.find("a: \"true\"\n"), std::string::npos) << y;
  EXPECT_NE(y.find("b: \"123\"\n"), std::string::npos) << y;
  EXPECT_NE(y.find("c: \"\"\n"), std::string::npos) << y;
  EXPECT_NE(y.find("d: ' lead'\n"), std::string::npos) << y;
  EXPECT_NE(y.find("e: 'trail '\n"), std::string::npos) << y;
  EXPECT_NE(y.find("f: 'a: b'\n"), std::string::npos) << y;
  EXPECT_NE(y.find("g: 'x #y'\n"), std::string::npos) << y;
  EXPECT_NE(y.find("h: '*star'\n"), std::string::npos) << y;
  EXPECT_NE(y.find("i: \"null\"\n"), std::string::npos) << y;
  EXPECT_NE(y.find("j: \"yes\"\n"), std::string::npos) << y;
  EXPECT_NE(y.find("k: \"1.5\"\n"), std::string::npos) << y;
  EXPECT_NE(y.find("l: \"0x10\"\n"), std::string::npos) << y;
  EXPECT_NE(y.find("m: '-'\n"), std::string::npos) << y;
  EXPECT_NE(y.find("plain: plain text\n"), std::string::npos) << y;
  EXPECT_NE(y.find("o: it's\n"), std::string::npos) << y;
  EXPECT_NE(y.find("p: '- item'\n"), std::string::npos) << y;
  EXPECT_NE(y.find("q: \"tab\\there\"\n"), std::string::npos) << y;
  EXPECT_EQ(parse_documents(y)[0], v);
}

TEST(YamlEmit, ScalarsOfEveryType) {
  EXPECT_EQ(to_yaml(Json::parse(R"({"a": null, "b": true, "c": 3, "d": 2.5, "e": -1})")),
            "a: null\nb: true\nc: 3\nd: 2.5\ne: -1\n");
}

TEST(YamlEmit, MultilineStringsAsBlockScalars) {
  Json v = {{"clip", "line1\nline2\n"}, {"strip", "a\nb"}, {"keep", "x\n\n"}};
  std::string y = to_yaml(v);
  EXPECT_EQ(y, "clip: |\n  line1\n  line2\nkeep: |+\n  x\n\nstrip: |-\n  a\n  b\n");
  EXPECT_EQ(parse_documents(y)[0], v);
}

TEST(YamlEmit, BlockScalarInsideSequenceItem) {
  Json v = Json::parse(R"({"items": [{"script": "echo 1\necho 2\n", "name": "s"}]})");
  std::string y = to_yaml(v);
  EXPECT_EQ(y, "items:\n- name: s\n  script: |\n    echo 1\n    echo 2\n");
  EXPECT_EQ(parse_documents(y)[0], v);
}

TEST(YamlEmit, BlockScalarWithLeadingSpacesRoundTrips) {
  Json v = {{"x", "  indented\nnext\n"}, {"y", "a\n\n  b\n"}};
  EXPECT_EQ(parse_documents(to_yaml(v))[0], v) << to_yaml(v);
}

TEST(YamlEmit, ControlCharactersAreEscaped) {
  Json v = {{"x", std::string("bell\x07") + "\r\n"}};
  std::string y = to_yaml(v);
  EXPECT_EQ(y.find('\x07'), std::string::npos);
  EXPECT_EQ(parse_documents(y)[0], v) << y;
}

TEST(YamlEmit, KeysThatNeedQuoting) {
  Json v = {{"true", 1}, {"a: b", 2}, {"", 3}, {"app.kubernetes.io/name", 4}};
  std::string y = to_yaml(v);
  EXPECT_NE(y.find("app.kubernetes.io/name: 4"), std::string::npos) << y;
  EXPECT_EQ(parse_documents(y)[0], v) << y;
}

TEST(YamlEmit, RoundTripsARealManifest) {
  const char* manifest = R"(apiVersion: apps/v1
kind: Deployment
metadata:
  annotations:
    note: "multi word: value"
  name: web
spec:
  replicas: 3
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
        version: "2"
    spec:
      containers:
      - command:
        - sh
        - -c
        - |
          echo start
          sleep 3600
        env:
        - name: DEBUG
          value: "false"
        image: nginx:1.25
        name: web
)";
  Json parsed = parse_documents(manifest)[0];
  EXPECT_EQ(parsed["spec"]["template"]["metadata"]["labels"]["version"], "2");
  std::string y = to_yaml(parsed);
  EXPECT_EQ(parse_documents(y)[0], parsed);
  EXPECT_EQ(y, std::string(manifest).replace(std::string(manifest).find("\"multi word: value\""),
                                             19, "'multi word: value'"));
}

TEST(YamlEmit, TopLevelScalarsAndEmptyContainers) {
  EXPECT_EQ(to_yaml(Json::object()), "{}\n");
  EXPECT_EQ(to_yaml(Json::array()), "[]\n");
  EXPECT_EQ(to_yaml("true"), "\"true\"\n");
  EXPECT_EQ(to_yaml(Json::parse("[1, {\"a\": 2}]")), "- 1\n- a: 2\n");
}

}  // namespace
}  // namespace skiff::yaml
