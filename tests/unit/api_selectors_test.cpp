// Label and field selectors: parsing (including the exact strings kubectl sends), matching and
// the 400 errors users see for bad syntax.
#include <gtest/gtest.h>

#include "pkg/api/errors.h"
#include "pkg/api/selectors.h"

namespace skiff::api {
namespace {

Json labels(std::initializer_list<std::pair<const char*, const char*>> kv) {
  Json out = Json::object();
  for (const auto& [k, v] : kv) out[k] = v;
  return out;
}

struct MatchCase {
  const char* selector;
  Json labels;
  bool matches;
};

TEST(LabelSelector, MatchesLikeKubernetes) {
  const Json web = labels({{"app", "web"}, {"tier", "fe"}});
  const Json empty_value = labels({{"app", ""}});
  const std::vector<MatchCase> cases = {
      {"", web, true},
      {"   ", web, true},
      {"app=web", web, true},
      {"app==web", web, true},
      {"app = web", web, true},
      {"app=db", web, false},
      {"app!=db", web, true},
      {"app!=web", web, false},
      {"missing!=x", web, true},
      {"app in (web,db)", web, true},
      {"app in ( db , web )", web, true},
      {"app in (db)", web, false},
      {"app notin (db)", web, true},
      {"app notin (web)", web, false},
      {"missing notin (web)", web, true},
      {"missing in (web)", web, false},
      {"app", web, true},
      {"missing", web, false},
      {"!missing", web, true},
      {"!app", web, false},
      {"app=web,tier=fe", web, true},
      {"app=web,tier=be", web, false},
      {"app=web, !missing, tier in (fe)", web, true},
      {"app=", empty_value, true},
      {"app=", web, false},
      {"app=web", Json(nullptr), false},
      {"!app", Json(nullptr), true},
      {"example.com/role=x", labels({{"example.com/role", "x"}}), true},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(LabelSelector::parse(c.selector).matches(c.labels), c.matches)
        << c.selector << " vs " << c.labels.dump();
  }
}

TEST(LabelSelector, RejectsBadSyntaxWith400) {
  for (const char* bad :
       {"app=web=x", "app in web", "app in (web", "=web", "app,", "a b", "app in ()", "!",
        "app=web)", "Bad Key=x", "app=bad value!", "app>1", "key/with/slashes=x", ",app=web"}) {
    try {
      LabelSelector::parse(bad);
      ADD_FAILURE() << "accepted " << bad;
    } catch (const ApiError& e) {
      EXPECT_EQ(e.code(), 400) << bad;
      EXPECT_EQ(e.reason(), "BadRequest");
      EXPECT_NE(std::string(e.what()).find("unable to parse requirement"), std::string::npos)
          << bad << ": " << e.what();
    }
  }
}

TEST(LabelSelector, ToStringIsCanonicalAndSorted) {
  EXPECT_EQ(LabelSelector::parse("tier in (b, a),app==web,!x,y").to_string(),
            "app=web,tier in (a,b),!x,y");
  EXPECT_EQ(LabelSelector::parse("a!=b,c notin (z)").to_string(), "a!=b,c notin (z)");
  EXPECT_EQ(LabelSelector().to_string(), "");
  // Round trip.
  auto s = LabelSelector::parse("app=web,tier in (a,b)");
  EXPECT_EQ(LabelSelector::parse(s.to_string()).to_string(), s.to_string());
}

TEST(LabelSelector, FromJsonMatchLabelsAndExpressions) {
  Json sel = Json::parse(R"({"matchLabels":{"app":"web"},"matchExpressions":[
      {"key":"tier","operator":"In","values":["fe","be"]},
      {"key":"env","operator":"NotIn","values":["prod"]},
      {"key":"track","operator":"Exists"},
      {"key":"legacy","operator":"DoesNotExist"}]})");
  auto s = LabelSelector::from_json(sel);
  EXPECT_EQ(s.requirements().size(), 5u);
  EXPECT_TRUE(s.matches(labels({{"app", "web"}, {"tier", "fe"}, {"track", "x"}})));
  EXPECT_FALSE(s.matches(labels({{"app", "web"}, {"tier", "fe"}})));
  EXPECT_FALSE(
      s.matches(labels({{"app", "web"}, {"tier", "fe"}, {"track", "x"}, {"legacy", "1"}})));
  EXPECT_FALSE(
      s.matches(labels({{"app", "web"}, {"tier", "fe"}, {"track", "x"}, {"env", "prod"}})));
  EXPECT_EQ(s.to_string(), "app=web,env notin (prod),!legacy,tier in (be,fe),track");

  EXPECT_TRUE(LabelSelector::from_json(nullptr).empty());
  EXPECT_TRUE(LabelSelector::from_json(Json::object()).matches(labels({{"a", "b"}})));
}

TEST(LabelSelector, FromJsonRejectsInvalidOperator) {
  Json sel =
      Json::parse(R"({"matchExpressions":[{"key":"a","operator":"Equals","values":["x"]}]})");
  try {
    LabelSelector::from_json(sel);
    FAIL() << "accepted";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.code(), 400);
    EXPECT_STREQ(e.what(), "\"Equals\" is not a valid label selector operator");
  }
  Json empty_in = Json::parse(R"({"matchExpressions":[{"key":"a","operator":"In"}]})");
  EXPECT_THROW(LabelSelector::from_json(empty_in), ApiError);
  Json exists_with_values =
      Json::parse(R"({"matchExpressions":[{"key":"a","operator":"Exists","values":["x"]}]})");
  EXPECT_THROW(LabelSelector::from_json(exists_with_values), ApiError);
}

TEST(FieldSelector, KubectlDescribeNodeSelectors) {
  auto pods =
      FieldSelector::parse("spec.nodeName=n1,status.phase!=Succeeded,status.phase!=Failed", "Pod");
  ASSERT_EQ(pods.requirements().size(), 3u);
  Json running = {{"spec", {{"nodeName", "n1"}}}, {"status", {{"phase", "Running"}}}};
  Json done = {{"spec", {{"nodeName", "n1"}}}, {"status", {{"phase", "Succeeded"}}}};
  Json elsewhere = {{"spec", {{"nodeName", "n2"}}}, {"status", {{"phase", "Running"}}}};
  EXPECT_TRUE(pods.matches(running));
  EXPECT_FALSE(pods.matches(done));
  EXPECT_FALSE(pods.matches(elsewhere));

  auto events = FieldSelector::parse(
      "involvedObject.name=n1,involvedObject.namespace=,involvedObject.kind=Node,"
      "involvedObject.uid=n1",
      "Event");
  Json node_event = {{"involvedObject", {{"kind", "Node"}, {"name", "n1"}, {"uid", "n1"}}}};
  Json ns_event = {{"involvedObject",
                    {{"kind", "Node"}, {"name", "n1"}, {"uid", "n1"}, {"namespace", "default"}}}};
  EXPECT_TRUE(events.matches(node_event));
  EXPECT_FALSE(events.matches(ns_event));
}

TEST(FieldSelector, CommonFieldsAndOperators) {
  Json obj = {{"metadata", {{"name", "web"}, {"namespace", "default"}}}};
  EXPECT_TRUE(FieldSelector::parse("metadata.name=web", "Deployment").matches(obj));
  EXPECT_TRUE(FieldSelector::parse("metadata.name==web", "Deployment").matches(obj));
  EXPECT_FALSE(FieldSelector::parse("metadata.name!=web", "Deployment").matches(obj));
  EXPECT_TRUE(FieldSelector::parse("metadata.namespace=default", "ConfigMap").matches(obj));
  EXPECT_TRUE(FieldSelector::parse("", "Pod").matches(obj));
  EXPECT_TRUE(FieldSelector::parse("", "Pod").empty());
}

TEST(FieldSelector, UnsupportedFieldIs400) {
  try {
    FieldSelector::parse("spec.replicas=3", "Deployment");
    FAIL();
  } catch (const ApiError& e) {
    EXPECT_EQ(e.code(), 400);
    EXPECT_STREQ(e.what(), "field label not supported: spec.replicas");
  }
  EXPECT_THROW(FieldSelector::parse("spec.nodeName=x", "Service"), ApiError);
  EXPECT_THROW(FieldSelector::parse("metadata.name", "Pod"), ApiError);  // no operator
}

TEST(FieldSelector, TypedFieldValues) {
  Json node = {{"spec", {{"unschedulable", true}}}};
  EXPECT_EQ(field_value(node, "spec.unschedulable"), "true");
  EXPECT_EQ(field_value(Json::object(), "spec.unschedulable"), "false");
  EXPECT_TRUE(FieldSelector::parse("spec.unschedulable=false", "Node").matches(Json::object()));
  Json rs = {{"status", {{"replicas", 3}}}};
  EXPECT_EQ(field_value(rs, "status.replicas"), "3");
  EXPECT_EQ(field_value(Json::object(), "status.replicas"), "0");
  Json secret = {{"type", "kubernetes.io/tls"}};
  EXPECT_TRUE(FieldSelector::parse("type=kubernetes.io/tls", "Secret").matches(secret));
  Json event = {{"source", {{"component", "kubelet"}}}};
  EXPECT_EQ(field_value(event, "source"), "kubelet");
}

}  // namespace
}  // namespace skiff::api
