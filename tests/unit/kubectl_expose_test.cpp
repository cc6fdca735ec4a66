// The Service `kubectl expose` builds for each kind of object.
#include <gtest/gtest.h>

#include "pkg/kubectl/errors.h"
#include "pkg/kubectl/expose_service.h"

namespace skiff::kubectl {
namespace {

Json deployment() {
  return {{"apiVersion", "apps/v1"},
          {"kind", "Deployment"},
          {"metadata", {{"name", "web"}, {"namespace", "default"}, {"labels", {{"team", "a"}}}}},
          {"spec",
           {{"selector", {{"matchLabels", {{"app", "web"}}}}},
            {"template",
             {{"spec",
               {{"containers",
                 {{{"name", "c"},
                   {"ports",
                    {{{"containerPort", 8080}, {"protocol", "TCP"}},
                     {{"containerPort", 53}, {"protocol", "UDP"}}}}}}}}}}}}}};
}

TEST(KubectlExpose, FromFlags) {
  ExposeOptions options;
  options.port = "80";
  options.target_port = "8080";
  options.type = "NodePort";
  options.name = "web-np";
  options.namespace_name = "default";
  Json service = expose_service(deployment(), options);
  EXPECT_EQ(service["metadata"]["name"], "web-np");
  EXPECT_EQ(service["metadata"]["labels"], (Json{{"team", "a"}}));
  EXPECT_EQ(service["spec"]["selector"], (Json{{"app", "web"}}));
  EXPECT_EQ(service["spec"]["type"], "NodePort");
  EXPECT_EQ(service["spec"]["ports"],
            Json::array({{{"port", 80}, {"protocol", "TCP"}, {"targetPort", 8080}}}));
  options.target_port = "http";
  EXPECT_EQ(expose_service(deployment(), options)["spec"]["ports"][0]["targetPort"], "http");
}

TEST(KubectlExpose, PortsFromTheObject) {
  Json service = expose_service(deployment(), {});
  EXPECT_EQ(service["metadata"]["name"], "web");
  EXPECT_EQ(
      service["spec"]["ports"],
      Json::array({{{"port", 8080}, {"protocol", "TCP"}, {"name", "port-1"}, {"targetPort", 8080}},
                   {{"port", 53}, {"protocol", "UDP"}, {"name", "port-2"}, {"targetPort", 53}}}));
  EXPECT_FALSE(service["spec"].contains("type"));
}

TEST(KubectlExpose, PodsAndServicesAndRefusals) {
  Json pod = {{"kind", "Pod"},
              {"metadata", {{"name", "p"}, {"labels", {{"run", "p"}}}}},
              {"spec", {{"containers", {{{"name", "c"}, {"ports", {{{"containerPort", 80}}}}}}}}}};
  EXPECT_EQ(expose_service(pod, {})["spec"]["selector"], (Json{{"run", "p"}}));
  Json service = {{"kind", "Service"},
                  {"metadata", {{"name", "s"}}},
                  {"spec", {{"selector", {{"app", "x"}}}, {"ports", {{{"port", 443}}}}}}};
  ExposeOptions renamed;
  renamed.name = "s2";
  EXPECT_EQ(expose_service(service, renamed)["spec"]["ports"][0]["port"], 443);

  Json no_ports = pod;
  no_ports["spec"]["containers"][0].erase("ports");
  EXPECT_THROW(expose_service(no_ports, {}), KubectlError);
  Json no_labels = pod;
  no_labels["metadata"].erase("labels");
  EXPECT_THROW(expose_service(no_labels, {}), KubectlError);
  Json expressions = deployment();
  expressions["spec"]["selector"]["matchExpressions"] = {{{"key", "a"}, {"operator", "Exists"}}};
  EXPECT_THROW(expose_service(expressions, {}), KubectlError);
  ExposeOptions bad_port;
  bad_port.port = "eighty";
  EXPECT_THROW(expose_service(deployment(), bad_port), KubectlError);
  ExposeOptions selector;
  selector.selector = "app=other,tier=x";
  selector.port = "80";
  EXPECT_EQ(expose_service(deployment(), selector)["spec"]["selector"],
            (Json{{"app", "other"}, {"tier", "x"}}));
}

}  // namespace
}  // namespace skiff::kubectl
