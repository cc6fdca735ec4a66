// The ingress proxy's routing (agent/ingress/ingress_routes.h) given bad input, which becomes
// problems and never exceptions, and its TLS entries found by server name.
#include <gtest/gtest.h>

#include "agent/ingress/ingress_routes.h"
#include "tests/unit/support/ingress_objects.h"

namespace skiff::agent::ingress {
namespace {

TEST(IngressRoutesTest, BadInputBecomesProblemsNotExceptions) {
  struct Case {
    Json bad_path;  // put at spec.rules[0].http.paths[1], after a good "/good" path
    std::string problem;
  };
  const std::string at = "Ingress default/web: spec.rules[0].http.paths[1]";
  const std::vector<Case> cases = {
      {"not an object", at + ": must be an object"},
      {{{"path", "/b"}, {"backend", backend("svc")}}, at + ".pathType: Required value"},
      {{{"path", "/b"}, {"pathType", "Regex"}, {"backend", backend("svc")}},
       at + ".pathType: Unsupported value: \"Regex\": supported values: \"Exact\", "
            "\"ImplementationSpecific\", \"Prefix\""},
      {{{"path", "/b"}, {"pathType", 3}, {"backend", backend("svc")}},
       at + ".pathType: Unsupported value: 3: supported values: \"Exact\", "
            "\"ImplementationSpecific\", \"Prefix\""},
      {{{"path", "b"}, {"pathType", "Prefix"}, {"backend", backend("svc")}},
       at + ".path: Invalid value: \"b\": must be an absolute path"},
      {{{"path", "b"}, {"pathType", "ImplementationSpecific"}, {"backend", backend("svc")}},
       at + ".path: Invalid value: \"b\": must be an absolute path"},
      {{{"path", 7}, {"pathType", "Prefix"}, {"backend", backend("svc")}},
       at + ".path: must be a string"},
      {{{"pathType", "Exact"}, {"backend", backend("svc")}},
       at + ".path: Required value for pathType Exact"},
      {{{"path", "/b"}, {"pathType", "Prefix"}}, at + ".backend: Required value"},
      {{{"path", "/b"}, {"pathType", "Prefix"}, {"backend", "svc"}},
       at + ".backend: must be an object"},
      {{{"path", "/b"},
        {"pathType", "Prefix"},
        {"backend", {{"resource", {{"kind", "StorageBucket"}, {"name", "static"}}}}}},
       at + ".backend.resource: resource backends are not supported by skiff's ingress; use a "
            "service backend"},
      {{{"path", "/b"}, {"pathType", "Prefix"}, {"backend", Json::object()}},
       at + ".backend.service: Required value"},
      {{{"path", "/b"},
        {"pathType", "Prefix"},
        {"backend", {{"service", {{"port", {{"number", 80}}}}}}}},
       at + ".backend.service.name: Required value"},
      {{{"path", "/b"},
        {"pathType", "Prefix"},
        {"backend", {{"service", {{"name", 5}, {"port", {{"number", 80}}}}}}}},
       at + ".backend.service.name: Required value"},
      {{{"path", "/b"}, {"pathType", "Prefix"}, {"backend", {{"service", {{"name", "svc"}}}}}},
       at + ".backend.service.port: Required value: port name or number is required"},
      {{{"path", "/b"},
        {"pathType", "Prefix"},
        {"backend", {{"service", {{"name", "svc"}, {"port", Json::object()}}}}}},
       at + ".backend.service.port: Required value: port name or number is required"},
      {{{"path", "/b"},
        {"pathType", "Prefix"},
        {"backend",
         {{"service", {{"name", "svc"}, {"port", {{"number", 80}, {"name", "http"}}}}}}}},
       at + ".backend.service.port: cannot set both port name & port number"},
      {{{"path", "/b"}, {"pathType", "Prefix"}, {"backend", backend("svc", 70000)}},
       at + ".backend.service.port.number: Invalid value: 70000: must be between 1 and 65535, "
            "inclusive"},
      {{{"path", "/b"}, {"pathType", "Prefix"}, {"backend", backend("svc", 0)}},
       at + ".backend.service.port.number: Invalid value: 0: must be between 1 and 65535, "
            "inclusive"},
      {{{"path", "/b"},
        {"pathType", "Prefix"},
        {"backend", {{"service", {{"name", "svc"}, {"port", {{"number", "80"}}}}}}}},
       at + ".backend.service.port.number: Invalid value: \"80\": must be between 1 and 65535, "
            "inclusive"},
      {{{"path", "/b"}, {"pathType", "Prefix"}, {"backend", backend("svc", "")}},
       at + ".backend.service.port.name: Invalid value: \"\": must be a non-empty string"},
  };
  for (const Case& c : cases) {
    Json spec = {{"rules", {rule("app.test", {http_path("/good", "Prefix", "good"), c.bad_path})}}};
    RouteTableBuild result;
    ASSERT_NO_THROW(result = build_route_table({ingress("default", "web", spec)}))
        << c.bad_path.dump();
    EXPECT_EQ(joined(result.problems), c.problem + "\n") << c.bad_path.dump();
    EXPECT_EQ(routed(result.table, "app.test", "/good"), "good") << c.bad_path.dump();
    EXPECT_EQ(routed(result.table, "app.test", "/b"), "404") << c.bad_path.dump();
  }
}

TEST(IngressRoutesTest, BadRulesAndObjectsAreLeftOutWithTheirField) {
  Json good_rule = rule("good.test", {http_path("/", "Prefix", "good")});
  struct Case {
    Json object;
    std::string problem;
  };
  auto with_rule = [&](Json bad_rule) {
    return ingress("default", "web", {{"rules", {good_rule, std::move(bad_rule)}}});
  };
  const std::vector<Case> cases = {
      {with_rule("rule"), "Ingress default/web: spec.rules[1]: must be an object"},
      {with_rule({{"host", 3}}), "Ingress default/web: spec.rules[1].host: must be a string"},
      {with_rule(rule("foo.*.test", {http_path("/", "Prefix", "x")})),
       "Ingress default/web: spec.rules[1].host: Invalid value: \"foo.*.test\": a wildcard must "
       "be the whole first label, as in \"*.example.com\""},
      {with_rule(rule("*", {http_path("/", "Prefix", "x")})),
       "Ingress default/web: spec.rules[1].host: Invalid value: \"*\": a wildcard must be the "
       "whole first label, as in \"*.example.com\""},
      {with_rule(rule("a/b", {http_path("/", "Prefix", "x")})),
       "Ingress default/web: spec.rules[1].host: Invalid value: \"a/b\": must be a DNS name"},
      {with_rule({{"host", "x.test"}, {"http", "paths"}}),
       "Ingress default/web: spec.rules[1].http: must be an object"},
      {with_rule({{"host", "x.test"}, {"http", {{"paths", Json::array()}}}}),
       "Ingress default/web: spec.rules[1].http.paths: Required value: a list of paths"},
      {with_rule({{"host", "x.test"}, {"http", {{"paths", "/"}}}}),
       "Ingress default/web: spec.rules[1].http.paths: Required value: a list of paths"},
  };
  for (const Case& c : cases) {
    RouteTableBuild result = build_route_table({c.object});
    EXPECT_EQ(joined(result.problems), c.problem + "\n") << c.object.dump();
    EXPECT_EQ(routed(result.table, "good.test", "/"), "good") << c.object.dump();
  }

  Json rules_not_list =
      ingress("default", "web", {{"rules", "nope"}, {"defaultBackend", backend("d")}});
  Json spec_not_object = ingress("default", "web2", Json::object());
  spec_not_object["spec"] = "nope";
  Json nameless = {{"metadata", {{"namespace", "default"}}},
                   {"spec", {{"ingressClassName", "skiff"}}}};
  RouteTableBuild result = build_route_table({Json(42), rules_not_list, spec_not_object, nameless});
  EXPECT_EQ(joined(result.problems),
            "an Ingress that is not a JSON object was left out\n"
            "an Ingress without metadata.namespace and metadata.name was left out: the backends' "
            "namespace is the Ingress's\n"
            "Ingress default/web: spec.rules: must be a list\n"
            "Ingress default/web2: spec: must be an object\n");
  EXPECT_EQ(routed(result.table, "x", "/"), "d");  // the default backend still applies
}

TEST(IngressRoutesTest, TlsEntriesAreFoundByServerNameExactBeforeWildcard) {
  RouteTableBuild result = build_route_table({
      ingress("default", "site",
              {{"tls",
                {{{"hosts", {"www.example.com", "Shop.Example.com"}}, {"secretName", "exact"}},
                 {{"hosts", {"*.example.com"}}, {"secretName", "wild"}}}},
               {"rules", {rule("www.example.com", {http_path("/", "Prefix", "www")})}}},
              "2026-11-26T09:00:00Z"),
      // No hosts: the entry covers this Ingress's rule hosts.
      ingress("apps", "api",
              {{"tls", {{{"secretName", "api-cert"}}}},
               {"rules",
                {rule("api.test", {http_path("/", "Prefix", "api")}),
                 rule("*.api.test", {http_path("/", "Prefix", "api")}),
                 rule("", {http_path("/x", "Prefix", "api")})}}},
              "2026-11-26T09:00:01Z"),
  });
  ASSERT_TRUE(result.problems.empty()) << joined(result.problems);
  const RouteTable& table = result.table;
  auto secret_for = [&](std::string_view name) {
    const TlsEntry* entry = table.tls_for(name);
    return entry ? entry->namespace_name + "/" + entry->secret_name : std::string("none");
  };
  EXPECT_EQ(secret_for("www.example.com"), "default/exact");
  EXPECT_EQ(secret_for("SHOP.example.com."), "default/exact");
  EXPECT_EQ(secret_for("blog.example.com"), "default/wild");
  EXPECT_EQ(secret_for("example.com"), "none");
  EXPECT_EQ(secret_for("a.b.example.com"), "none");
  EXPECT_EQ(secret_for("api.test"), "apps/api-cert");
  EXPECT_EQ(secret_for("v1.api.test"), "apps/api-cert");
  EXPECT_EQ(secret_for("other.test"), "none");
  EXPECT_EQ(secret_for(""), "none");

  ASSERT_EQ(table.tls().size(), 3u);
  EXPECT_EQ(table.tls()[0].hosts,
            (std::vector<std::string>{"www.example.com", "shop.example.com"}));
  EXPECT_EQ(table.tls()[1].hosts, (std::vector<std::string>{"*.example.com"}));
  EXPECT_EQ(table.tls()[2].hosts, (std::vector<std::string>{"api.test", "*.api.test"}));
  EXPECT_EQ(table.tls()[2].ingress, "apps/api");
}

TEST(IngressRoutesTest, TheOldestIngressKeepsATlsHostAndBadEntriesAreProblems) {
  Json older = ingress("a", "old", {{"tls", {{{"hosts", {"app.test"}}, {"secretName", "old"}}}}},
                       "2026-11-26T09:00:00Z");
  Json newer =
      ingress("a", "new",
              {{"tls",
                {{{"hosts", {"app.test", "app.test", "new.test", 5}}, {"secretName", "new"}},
                 {{"hosts", {"x.test"}}},
                 "entry",
                 {{"secretName", "nohosts"}}}},
               {"defaultBackend", backend("d")}},
              "2026-11-26T09:00:01Z");
  for (const auto& input : {std::vector<Json>{older, newer}, std::vector<Json>{newer, older}}) {
    RouteTableBuild result = build_route_table(input);
    EXPECT_EQ(result.table.tls_for("app.test")->secret_name, "old");
    EXPECT_EQ(result.table.tls_for("new.test")->secret_name, "new");
    EXPECT_EQ(joined(result.problems),
              "Ingress a/new: spec.tls[0].hosts[3]: Invalid value: 5: must be a string\n"
              "Ingress a/new: spec.tls[0]: not used for host \"app.test\": the older Ingress "
              "a/old serves it with Secret a/old\n"
              "Ingress a/new: spec.tls[1].secretName: Required value: without it its hosts get "
              "the proxy's default certificate\n"
              "Ingress a/new: spec.tls[2]: must be an object\n"
              "Ingress a/new: spec.tls[3].hosts: Required value: neither this entry nor the "
              "Ingress's rules name a host\n");
  }
}

}  // namespace
}  // namespace skiff::agent::ingress
