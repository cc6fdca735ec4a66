// Table layout (tabwriter), -o name, custom-columns and error wording.
#include <gtest/gtest.h>

#include "pkg/kubectl/errors.h"
#include "pkg/kubectl/printers.h"
#include "pkg/kubectl/table_printer.h"
#include "pkg/kubectl/tabwriter.h"

namespace skiff::kubectl {
namespace {

const Json kTable = Json::parse(R"({
  "kind": "Table", "apiVersion": "meta.k8s.io/v1",
  "columnDefinitions": [{"name": "Name", "type": "string", "format": "name"},
                        {"name": "Ready", "type": "string"},
                        {"name": "Restarts", "type": "integer"},
                        {"name": "Age", "type": "string"},
                        {"name": "IP", "type": "string", "priority": 1}],
  "rows": [
    {"cells": ["web-1", "1/1", 0, "5m", "10.42.0.7"],
     "object": {"metadata": {"name": "web-1", "namespace": "default", "labels": {"app": "web", "tier": "fe"}}}},
    {"cells": ["db", "0/1", 12, "3h", null],
     "object": {"metadata": {"name": "db", "namespace": "prod"}}}
  ]})");

std::string print(const TableOptions& options, bool headers = true) {
  std::vector<Row> rows;
  if (headers) rows.push_back(table_header(kTable, options));
  for (auto& row : table_rows(kTable, options)) rows.push_back(row);
  return align_rows(rows, kTableStyle);
}

TEST(KubectlTable, DefaultColumnsAlignedWithThreeSpaces) {
  EXPECT_EQ(print({}),
            "NAME    READY   RESTARTS   AGE\n"
            "web-1   1/1     0          5m\n"
            "db      0/1     12         3h\n");
}

TEST(KubectlTable, WideShowsPriorityColumnsAndNoneForNull) {
  TableOptions options;
  options.wide = true;
  EXPECT_EQ(print(options),
            "NAME    READY   RESTARTS   AGE   IP\n"
            "web-1   1/1     0          5m    10.42.0.7\n"
            "db      0/1     12         3h    <none>\n");
}

TEST(KubectlTable, AllNamespacesAndLabels) {
  TableOptions options;
  options.with_namespace = true;
  options.show_labels = true;
  EXPECT_EQ(print(options, false),
            "default   web-1   1/1   0     5m    app=web,tier=fe\n"
            "prod      db      0/1   12    3h    <none>\n");
}

TEST(KubectlTable, NamePrefixForSeveralTypes) {
  TableOptions options;
  options.name_prefix = "pod/";
  EXPECT_EQ(table_rows(kTable, options)[0][0], "pod/web-1");
}

TEST(KubectlTable, TableFromPlainObjects) {
  Json table = table_from_objects({Json::parse(R"({"metadata": {"name": "x"}})")});
  EXPECT_EQ(table_header(table, {}), (Row{"NAME", "AGE"}));
  EXPECT_EQ(table_rows(table, {})[0], (Row{"x", "<unknown>"}));
}

TEST(KubectlTabWriter, BlocksLikeGoTabwriter) {
  // A line without tabs ends the block; each block gets its own width.
  std::string text =
      "Name:\tweb\nLabels:\tapp=web\n\tx=y\nContainers:\n  c:\n    Image:\tnginx\n    Restart "
      "Count:\t0\n";
  EXPECT_EQ(
      tab_align(text, kDescribeStyle),
      "Name:    web\nLabels:  app=web\n         x=y\nContainers:\n  c:\n    Image:          nginx\n"
      "    Restart Count:  0\n");
}

TEST(KubectlPrinters, NameFormat) {
  Json deploy = {
      {"apiVersion", "apps/v1"}, {"kind", "Deployment"}, {"metadata", {{"name", "web"}}}};
  Json pod = {{"apiVersion", "v1"}, {"kind", "Pod"}, {"metadata", {{"name", "p"}}}};
  OutputSpec name = OutputSpec::parse("name");
  EXPECT_EQ(render(deploy, name), "deployment.apps/web\n");
  EXPECT_EQ(render(as_list({deploy, pod}), name), "deployment.apps/web\npod/p\n");
}

TEST(KubectlPrinters, ListShapeInYamlAndJson) {
  Json list = as_list({{{"kind", "Pod"}, {"apiVersion", "v1"}, {"metadata", {{"name", "p"}}}}});
  EXPECT_EQ(render(list, OutputSpec::parse("yaml")),
            "apiVersion: v1\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata:\n    name: p\n"
            "kind: List\nmetadata:\n  resourceVersion: \"\"\n");
  EXPECT_EQ(Json::parse(render(list, OutputSpec::parse("json"))), list);
}

TEST(KubectlPrinters, OutputFlagParsing) {
  EXPECT_EQ(OutputSpec::parse("jsonpath='{.a}'").argument, "{.a}");
  EXPECT_EQ(OutputSpec::parse("jsonpath={.a}").format, OutputSpec::Format::JsonPath);
  EXPECT_THROW(OutputSpec::parse("xml"), KubectlError);
  EXPECT_THROW(OutputSpec::parse("jsonpath="), KubectlError);
}

TEST(KubectlPrinters, CustomColumns) {
  std::vector<Json> items = {
      Json::parse(
          R"({"metadata": {"name": "a"}, "spec": {"containers": [{"image": "nginx"}, {"image": "redis"}]}})"),
      Json::parse(R"({"metadata": {"name": "bb"}})")};
  EXPECT_EQ(
      render_custom_columns(items, "NAME:.metadata.name,IMAGES:.spec.containers[*].image", false),
      "NAME   IMAGES\na      nginx,redis\nbb     <none>\n");
}

TEST(KubectlErrors, StatusErrorsWordedLikeKubectl) {
  auto not_found = server_error(404, R"({"kind":"Status","status":"Failure","reason":"NotFound",
      "message":"deployments.apps \"x\" not found","code":404})",
                                "get deployments.apps x");
  EXPECT_STREQ(not_found.what(), "Error from server (NotFound): deployments.apps \"x\" not found");
  EXPECT_TRUE(not_found.not_found());

  auto invalid = server_error(422, R"({"kind":"Status","reason":"Invalid","message":"m","code":422,
      "details":{"name":"Bad_Name","kind":"ConfigMap","causes":[
        {"field":"metadata.name","message":"Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain"}]}})",
                              "create configmaps");
  EXPECT_STREQ(invalid.what(),
               "The ConfigMap \"Bad_Name\" is invalid: metadata.name: Invalid value: "
               "\"Bad_Name\": a lowercase RFC 1123 subdomain");
  // Several causes: one bulleted line each, after the heading (kubectl's MultilineError).
  auto invalid_twice = server_error(422, R"({"kind":"Status","reason":"Invalid","code":422,
      "details":{"name":"web","kind":"Deployment","causes":[
        {"field":"spec.replicas","message":"Invalid value: -1"},
        {"field":"spec.selector","message":"Required value"}]}})",
                                    "create deployments.apps");
  EXPECT_STREQ(invalid_twice.what(),
               "The Deployment \"web\" is invalid: \n* spec.replicas: Invalid value: -1\n* "
               "spec.selector: Required value");

  auto plain = server_error(404, "404 page not found", "get configmaps x");
  EXPECT_STREQ(plain.what(),
               "Error from server (NotFound): the server could not find the requested resource "
               "(get configmaps x)");
  auto exists = server_error(
      409,
      R"({"kind":"Status","reason":"AlreadyExists","message":"namespaces \"a\" already exists"})",
      "create", "error when creating \"ns.yaml\": ");
  EXPECT_STREQ(exists.what(),
               "Error from server (AlreadyExists): error when creating \"ns.yaml\": namespaces "
               "\"a\" already exists");
  EXPECT_STREQ(server_error(401, "", "get").what(),
               "error: You must be logged in to the server (Unauthorized)");
}

}  // namespace
}  // namespace skiff::kubectl
