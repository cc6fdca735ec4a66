// The DefaultIngressClass admission step: a new Ingress without a class gets the default
// IngressClass, through the API as a client sees it.
#include <gtest/gtest.h>

#include "server/apiserver/default_ingress_class.h"
#include "tests/unit/apiserver_test_support.h"

namespace skiff::apiserver::testing {
namespace {

store::ObjectPtr ingress_class(const std::string& name, const std::string& created,
                               const char* is_default) {
  Json metadata = {{"name", name}, {"creationTimestamp", created}};
  if (is_default) metadata["annotations"] = {{kDefaultIngressClassAnnotation, is_default}};
  return std::make_shared<const Json>(Json{{"metadata", metadata}});
}

TEST(DefaultIngressClass, PicksTheNewestMarkedClass) {
  EXPECT_EQ(default_ingress_class({}), "");
  EXPECT_EQ(default_ingress_class({ingress_class("a", "2026-01-01T00:00:00Z", nullptr),
                                   ingress_class("b", "2026-01-01T00:00:00Z", "false")}),
            "");
  EXPECT_EQ(default_ingress_class({ingress_class("a", "2026-01-01T00:00:00Z", nullptr),
                                   ingress_class("b", "2026-01-01T00:00:00Z", "true")}),
            "b");
  // Several marked: the newest, and among equally old ones the first name (Kubernetes >= 1.25).
  EXPECT_EQ(default_ingress_class({ingress_class("old", "2026-01-01T00:00:00Z", "true"),
                                   ingress_class("new", "2026-02-01T00:00:00Z", "true")}),
            "new");
  EXPECT_EQ(default_ingress_class({ingress_class("y", "2026-01-01T00:00:00Z", "true"),
                                   ingress_class("x", "2026-01-01T00:00:00Z", "true")}),
            "x");
}

TEST(DefaultIngressClass, WhatCountsAsNamingAClass) {
  EXPECT_FALSE(ingress_names_class(Json::parse(R"({"metadata":{},"spec":{}})")));
  EXPECT_TRUE(ingress_names_class(Json::parse(R"({"spec":{"ingressClassName":"x"}})")));
  // The legacy annotation counts whatever its value, as in Kubernetes.
  EXPECT_TRUE(ingress_names_class(
      Json::parse(R"({"metadata":{"annotations":{"kubernetes.io/ingress.class":""}}})")));
}

class DefaultIngressClassApiTest : public ApiTest {
 protected:
  Reply create_class(const std::string& name, bool is_default) {
    Json object = {{"apiVersion", "networking.k8s.io/v1"},
                   {"kind", "IngressClass"},
                   {"metadata", {{"name", name}}},
                   {"spec", {{"controller", "example.com/" + name}}}};
    if (is_default) object["metadata"]["annotations"] = {{kDefaultIngressClassAnnotation, "true"}};
    return call("POST", "/apis/networking.k8s.io/v1/ingressclasses", object);
  }
  Reply create_ingress(const std::string& name, Json spec = Json::object(),
                       Json annotations = nullptr, const std::string& query = "") {
    spec["defaultBackend"] = {{"service", {{"name", "web"}, {"port", {{"number", 80}}}}}};
    Json object = {{"apiVersion", "networking.k8s.io/v1"},
                   {"kind", "Ingress"},
                   {"metadata", {{"name", name}}},
                   {"spec", spec}};
    if (!annotations.is_null()) object["metadata"]["annotations"] = annotations;
    return call("POST", "/apis/networking.k8s.io/v1/namespaces/default/ingresses" + query, object);
  }
};

TEST_F(DefaultIngressClassApiTest, DefaultsOnCreateOnly) {
  // No class marked default: nothing set.
  ASSERT_EQ(create_class("other", false).status, 201u);
  auto plain = create_ingress("before");
  ASSERT_EQ(plain.status, 201u) << plain.text;
  EXPECT_FALSE(plain.body["spec"].contains("ingressClassName"));

  ASSERT_EQ(create_class("skiff", true).status, 201u);
  auto defaulted = create_ingress("after");
  ASSERT_EQ(defaulted.status, 201u) << defaulted.text;
  EXPECT_EQ(defaulted.body["spec"]["ingressClassName"], "skiff");
  auto dry = create_ingress("dry", Json::object(), nullptr, "?dryRun=All");
  ASSERT_EQ(dry.status, 201u) << dry.text;
  EXPECT_EQ(dry.body["spec"]["ingressClassName"], "skiff");

  // A class given by field or by the legacy annotation is kept.
  auto named = create_ingress("named", {{"ingressClassName", "other"}});
  EXPECT_EQ(named.body["spec"]["ingressClassName"], "other");
  auto legacy = create_ingress("legacy", Json::object(), {{"kubernetes.io/ingress.class", "x"}});
  ASSERT_EQ(legacy.status, 201u) << legacy.text;
  EXPECT_FALSE(legacy.body["spec"].contains("ingressClassName"));

  // Updates are not defaulted: the Ingress created before the default stays without a class.
  Json before = call("GET", "/apis/networking.k8s.io/v1/namespaces/default/ingresses/before").body;
  before["metadata"]["labels"] = {{"touched", "yes"}};
  auto updated =
      call("PUT", "/apis/networking.k8s.io/v1/namespaces/default/ingresses/before", before);
  ASSERT_EQ(updated.status, 200u) << updated.text;
  EXPECT_FALSE(updated.body["spec"].contains("ingressClassName"));
}

}  // namespace
}  // namespace skiff::apiserver::testing
