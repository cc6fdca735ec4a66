// The ingress proxy's routing (agent/ingress/ingress_routes.h): the Kubernetes docs' path-matching
// table row by row, hosts and wildcards, precedence, merging, conflicts, TLS by SNI, class
// filtering and bad input.
#include "agent/ingress/ingress_routes.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <new>

// Counts heap allocations, so a test can show that match() makes none.
namespace {
std::atomic<size_t> allocations{0};
}  // namespace

void* operator new(size_t size) {
  allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size ? size : 1)) return p;
  throw std::bad_alloc();
}
void* operator new[](size_t size) {
  return operator new(size);
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete[](void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, size_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, size_t) noexcept {
  std::free(p);
}

namespace skiff::agent::ingress {
namespace {

Json backend(const std::string& service, Json port = 80) {
  Json port_field = port.is_string() ? Json{{"name", port}} : Json{{"number", port}};
  return {{"service", {{"name", service}, {"port", port_field}}}};
}

Json http_path(const std::string& path, const std::string& type, const std::string& service) {
  return {{"path", path}, {"pathType", type}, {"backend", backend(service)}};
}

Json rule(const std::string& host, Json paths) {
  Json out = {{"http", {{"paths", std::move(paths)}}}};
  if (!host.empty()) out["host"] = host;
  return out;
}

Json ingress(const std::string& ns, const std::string& name, Json spec,
             const std::string& created = "2026-11-26T10:00:00Z") {
  spec["ingressClassName"] = "skiff";
  return {{"metadata", {{"namespace", ns}, {"name", name}, {"creationTimestamp", created}}},
          {"spec", std::move(spec)}};
}

// "<service>" for a match (with ":<port>" when not 80), "404" for none.
std::string routed(const RouteTable& table, std::string_view host, std::string_view path) {
  const RouteTarget* target = table.match(host, path);
  if (!target) return "404";
  std::string out = target->backend.service;
  if (!target->backend.port_name.empty()) out += ":" + target->backend.port_name;
  if (target->backend.port_name.empty() && target->backend.port_number != 80) {
    out += ":" + std::to_string(target->backend.port_number);
  }
  return out;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& line : lines) out += line + "\n";
  return out;
}

// https://kubernetes.io/docs/concepts/services-networking/ingress/#examples: every row, with the
// rule paths given in both orders (the answer must not depend on it). Path i routes to "p<i>";
// the Ingress's defaultBackend is "default".
TEST(IngressRoutesTest, PathMatchingFollowsTheKubernetesDocsTable) {
  struct Row {
    std::vector<std::pair<std::string, std::string>> paths;  // (path, pathType)
    std::string request;
    std::string expected;
  };
  const std::vector<Row> rows = {
      {{{"/", "Prefix"}}, "/", "p0"},
      {{{"/", "Prefix"}}, "/any/path/at/all", "p0"},
      {{{"/foo", "Exact"}}, "/foo", "p0"},
      {{{"/foo", "Exact"}}, "/bar", "default"},
      {{{"/foo", "Exact"}}, "/foo/", "default"},
      {{{"/foo/", "Exact"}}, "/foo", "default"},
      {{{"/foo", "Prefix"}}, "/foo", "p0"},
      {{{"/foo", "Prefix"}}, "/foo/", "p0"},
      {{{"/foo/", "Prefix"}}, "/foo", "p0"},
      {{{"/foo/", "Prefix"}}, "/foo/", "p0"},
      {{{"/aaa/bb", "Prefix"}}, "/aaa/bbb", "default"},
      {{{"/aaa/bbb", "Prefix"}}, "/aaa/bbb", "p0"},
      {{{"/aaa/bbb/", "Prefix"}}, "/aaa/bbb", "p0"},         // ignores trailing slash
      {{{"/aaa/bbb", "Prefix"}}, "/aaa/bbb/", "p0"},         // matches trailing slash
      {{{"/aaa/bbb", "Prefix"}}, "/aaa/bbb/ccc", "p0"},      // matches subpath
      {{{"/aaa/bbb", "Prefix"}}, "/aaa/bbbxyz", "default"},  // not a string prefix
      {{{"/", "Prefix"}, {"/aaa", "Prefix"}}, "/aaa/ccc", "p1"},
      {{{"/", "Prefix"}, {"/aaa", "Prefix"}, {"/aaa/bbb", "Prefix"}}, "/aaa/bbb", "p2"},
      {{{"/", "Prefix"}, {"/aaa", "Prefix"}, {"/aaa/bbb", "Prefix"}}, "/ccc", "p0"},
      {{{"/aaa", "Prefix"}}, "/ccc", "default"},                // uses default backend
      {{{"/foo", "Prefix"}, {"/foo", "Exact"}}, "/foo", "p1"},  // prefers Exact
      // Beyond the table: ImplementationSpecific is Prefix here; a query is not part of the path.
      {{{"/foo", "ImplementationSpecific"}}, "/foo/bar", "p0"},
      {{{"/foo", "ImplementationSpecific"}}, "/foobar", "default"},
      {{{"/foo", "Exact"}}, "/foo?x=1", "p0"},
      {{{"/foo", "Exact"}}, "/FOO", "default"},                   // paths are case-sensitive
      {{{"/foo/", "Exact"}, {"/foo", "Prefix"}}, "/foo/", "p0"},  // longer wins
  };
  for (const Row& row : rows) {
    for (bool reversed : {false, true}) {
      Json paths = Json::array();
      for (size_t i = 0; i < row.paths.size(); ++i) {
        paths.push_back(
            http_path(row.paths[i].first, row.paths[i].second, "p" + std::to_string(i)));
      }
      if (reversed) std::reverse(paths.begin(), paths.end());
      RouteTableBuild result = build_route_table(
          {ingress("default", "web",
                   {{"defaultBackend", backend("default")}, {"rules", {rule("", paths)}}})});
      EXPECT_TRUE(result.problems.empty()) << joined(result.problems);
      EXPECT_EQ(routed(result.table, "example.com", row.request), row.expected)
          << "paths " << paths.dump() << " request " << row.request;
    }
  }
}

TEST(IngressRoutesTest, AnImplementationSpecificPathMayBeEmptyAndMatchesEverything) {
  Json path = {{"pathType", "ImplementationSpecific"}, {"backend", backend("all")}};
  RouteTableBuild result =
      build_route_table({ingress("default", "web", {{"rules", {rule("", {path})}}})});
  EXPECT_TRUE(result.problems.empty()) << joined(result.problems);
  EXPECT_EQ(routed(result.table, "a.example", "/x/y"), "all");
}

TEST(IngressRoutesTest, HostsMatchExactlyIgnoringCasePortAndTrailingDot) {
  RouteTableBuild result = build_route_table(
      {ingress("default", "web",
               {{"rules",
                 {rule("foo.example.com", {http_path("/", "Prefix", "foo")}),
                  rule("Upper.Example.com", {http_path("/", "Prefix", "upper")})}}})});
  ASSERT_TRUE(result.problems.empty()) << joined(result.problems);
  const RouteTable& table = result.table;
  EXPECT_EQ(routed(table, "foo.example.com", "/"), "foo");
  EXPECT_EQ(routed(table, "FOO.Example.COM", "/"), "foo");
  EXPECT_EQ(routed(table, "foo.example.com:8080", "/"), "foo");
  EXPECT_EQ(routed(table, "foo.example.com.", "/"), "foo");
  EXPECT_EQ(routed(table, "foo.example.com.:443", "/"), "foo");
  EXPECT_EQ(routed(table, "upper.example.com", "/"), "upper");
  EXPECT_EQ(routed(table, "bar.example.com", "/"), "404");
  EXPECT_EQ(routed(table, "example.com", "/"), "404");
  EXPECT_EQ(routed(table, "", "/"), "404");
  EXPECT_EQ(routed(table, "[::1]:80", "/"), "404");
  EXPECT_EQ(routed(table, std::string(300, 'a'), "/"), "404");
}

TEST(IngressRoutesTest, AWildcardHostMatchesExactlyOneMoreLabel) {
  RouteTableBuild result = build_route_table({ingress(
      "default", "web", {{"rules", {rule("*.example.com", {http_path("/", "Prefix", "wild")})}}})});
  ASSERT_TRUE(result.problems.empty()) << joined(result.problems);
  const RouteTable& table = result.table;
  EXPECT_EQ(routed(table, "foo.example.com", "/"), "wild");
  EXPECT_EQ(routed(table, "BAR.example.com:80", "/x"), "wild");
  EXPECT_EQ(routed(table, "example.com", "/"), "404");
  EXPECT_EQ(routed(table, "a.b.example.com", "/"), "404");
  EXPECT_EQ(routed(table, ".example.com", "/"), "404");
  EXPECT_EQ(routed(table, "fooexample.com", "/"), "404");
}

TEST(IngressRoutesTest, ARuleWithoutHostMatchesAnyHost) {
  RouteTableBuild result = build_route_table(
      {ingress("default", "web", {{"rules", {rule("", {http_path("/", "Prefix", "any")})}}})});
  EXPECT_EQ(routed(result.table, "whatever.test", "/"), "any");
  EXPECT_EQ(routed(result.table, "", "/"), "any");
  EXPECT_EQ(routed(result.table, "10.0.0.1:80", "/x"), "any");
}

// Exact host, then the wildcard, then host-less rules, then the default backend: each only when
// the ones before have no matching path.
TEST(IngressRoutesTest, PrecedenceGoesExactHostWildcardHostlessDefault) {
  RouteTableBuild result = build_route_table(
      {ingress("default", "web",
               {{"defaultBackend", backend("fallback")},
                {"rules",
                 {rule("foo.example.com", {http_path("/exact-only", "Prefix", "exact")}),
                  rule("*.example.com", {http_path("/wild", "Prefix", "wild"),
                                         http_path("/exact-only", "Prefix", "wild2")}),
                  rule("", {http_path("/any", "Prefix", "hostless")})}}})});
  ASSERT_TRUE(result.problems.empty()) << joined(result.problems);
  const RouteTable& table = result.table;
  EXPECT_EQ(routed(table, "foo.example.com", "/exact-only/x"), "exact");
  EXPECT_EQ(routed(table, "bar.example.com", "/exact-only/x"), "wild2");
  EXPECT_EQ(routed(table, "foo.example.com", "/wild"), "wild");
  EXPECT_EQ(routed(table, "foo.example.com", "/any"), "hostless");
  EXPECT_EQ(routed(table, "other.test", "/any"), "hostless");
  EXPECT_EQ(routed(table, "foo.example.com", "/nothing"), "fallback");
  EXPECT_EQ(routed(table, "other.test", "/wild"), "fallback");
}

TEST(IngressRoutesTest, IngressesAreMergedByHost) {
  RouteTableBuild result = build_route_table({
      ingress("default", "api",
              {{"rules", {rule("app.test", {http_path("/api", "Prefix", "api")})}}}),
      ingress("shop", "web", {{"rules", {rule("APP.test", {http_path("/", "Prefix", "web")})}}}),
  });
  ASSERT_TRUE(result.problems.empty()) << joined(result.problems);
  const RouteTarget* api = result.table.match("app.test", "/api/v1");
  ASSERT_NE(api, nullptr);
  EXPECT_EQ(api->backend, (BackendRef{"default", "api", 80, ""}));
  EXPECT_EQ(api->ingress, "default/api");
  const RouteTarget* web = result.table.match("app.test", "/index.html");
  ASSERT_NE(web, nullptr);
  EXPECT_EQ(web->backend, (BackendRef{"shop", "web", 80, ""}));  // the Ingress's namespace
  EXPECT_EQ(web->ingress, "shop/web");
}

TEST(IngressRoutesTest, TheOldestIngressWinsTheSameHostPathAndType) {
  Json older =
      ingress("b", "old", {{"rules", {rule("app.test", {http_path("/x/", "Prefix", "old")})}}},
              "2026-11-26T09:00:00Z");
  Json newer = ingress("a", "new",
                       {{"rules",
                         {rule("app.test", {http_path("/x", "Prefix", "new"),
                                            http_path("/x", "Exact", "new-exact")})}}},
                       "2026-11-26T09:00:01Z");
  for (const auto& input : {std::vector<Json>{older, newer}, std::vector<Json>{newer, older}}) {
    RouteTableBuild result = build_route_table(input);
    EXPECT_EQ(routed(result.table, "app.test", "/x/y"), "old");
    EXPECT_EQ(routed(result.table, "app.test", "/x"), "new-exact");  // another type: no conflict
    ASSERT_EQ(result.problems.size(), 1u) << joined(result.problems);
    EXPECT_EQ(result.problems[0],
              "Ingress a/new: spec.rules[0].http.paths[0]: not used: host \"app.test\" path "
              "\"/x\" (Prefix) is already routed by the older Ingress b/old");
  }
}

TEST(IngressRoutesTest, EqualCreationTimesAreOrderedByNamespaceAndName) {
  Json second = ingress("ns", "b", {{"rules", {rule("", {http_path("/", "Prefix", "b")})}}});
  Json first = ingress("ns", "a", {{"rules", {rule("", {http_path("/", "Prefix", "a")})}}});
  Json untimed =
      ingress("aa", "first-by-name", {{"rules", {rule("", {http_path("/", "Prefix", "c")})}}});
  untimed["metadata"].erase("creationTimestamp");  // unknown age sorts as the newest
  for (const auto& input :
       {std::vector<Json>{second, first, untimed}, std::vector<Json>{untimed, first, second}}) {
    RouteTableBuild result = build_route_table(input);
    EXPECT_EQ(routed(result.table, "x", "/"), "a");
    EXPECT_EQ(result.problems.size(), 2u) << joined(result.problems);
  }
}

TEST(IngressRoutesTest, TheOldestDefaultBackendIsUsed) {
  Json older =
      ingress("z", "old", {{"defaultBackend", backend("old", "http")}}, "2026-01-01T00:00:00Z");
  Json newer = ingress("a", "new", {{"defaultBackend", backend("new")}}, "2026-02-01T00:00:00Z");
  for (const auto& input : {std::vector<Json>{older, newer}, std::vector<Json>{newer, older}}) {
    RouteTableBuild result = build_route_table(input);
    EXPECT_EQ(routed(result.table, "any.test", "/whatever"), "old:http");
    EXPECT_EQ(joined(result.problems),
              "Ingress a/new: spec.defaultBackend: not used: the older Ingress z/old has one\n");
    EXPECT_EQ(result.table.backends(), (std::vector<BackendRef>{{"z", "old", 0, "http"}}));
  }
}

TEST(IngressRoutesTest, ServedBySkiffFollowsTheClassNameThenTheLegacyAnnotation) {
  auto with = [](Json class_name, Json annotation) {
    Json object = {{"metadata", {{"namespace", "default"}, {"name", "web"}}},
                   {"spec", Json::object()}};
    if (!class_name.is_null()) object["spec"]["ingressClassName"] = class_name;
    if (!annotation.is_null()) {
      object["metadata"]["annotations"]["kubernetes.io/ingress.class"] = annotation;
    }
    return object;
  };
  EXPECT_TRUE(served_by_skiff(with("skiff", nullptr)));
  EXPECT_TRUE(served_by_skiff(with("skiff", "nginx")));  // the field beats the annotation
  EXPECT_FALSE(served_by_skiff(with("nginx", nullptr)));
  EXPECT_FALSE(served_by_skiff(with("nginx", "skiff")));
  EXPECT_TRUE(served_by_skiff(with(nullptr, nullptr)));
  EXPECT_TRUE(served_by_skiff(with(nullptr, "skiff")));
  EXPECT_FALSE(served_by_skiff(with(nullptr, "nginx")));
  EXPECT_TRUE(served_by_skiff(with("", nullptr)));  // an empty class name is no class name
  EXPECT_FALSE(served_by_skiff(with(42, nullptr)));
  EXPECT_FALSE(served_by_skiff(with(nullptr, 42)));
  EXPECT_FALSE(served_by_skiff(Json("ingress")));
  EXPECT_FALSE(served_by_skiff(Json::array()));
  // No class named: served, and building the table reports the bad spec.
  EXPECT_TRUE(served_by_skiff({{"spec", "nonsense"}}));

  Json other =
      ingress("default", "other", {{"rules", {rule("", {http_path("/", "Prefix", "nginx")})}}});
  other["spec"]["ingressClassName"] = "nginx";
  RouteTableBuild result = build_route_table({other});
  EXPECT_TRUE(result.problems.empty()) << joined(result.problems);  // not ours: silently skipped
  EXPECT_TRUE(result.table.empty());
  EXPECT_EQ(routed(result.table, "x", "/"), "404");
}

// Each bad part is left out with a problem naming its field; the rest of the Ingress still routes.
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

TEST(IngressRoutesTest, BackendsListsEachRoutableServicePortOnce) {
  Json by_name = {{"path", "/n"}, {"pathType", "Prefix"}, {"backend", backend("web", "http")}};
  RouteTableBuild result = build_route_table({
      ingress("b", "one",
              {{"defaultBackend", backend("web")},
               {"rules",
                {rule("a.test", {http_path("/", "Prefix", "web"), by_name}),
                 rule("*.b.test", {http_path("/", "Prefix", "api")})}}}),
      ingress("a", "two", {{"rules", {rule("", {http_path("/", "Prefix", "web")})}}}),
  });
  EXPECT_EQ(result.table.backends(), (std::vector<BackendRef>{{"a", "web", 80, ""},
                                                              {"b", "api", 80, ""},
                                                              {"b", "web", 0, "http"},
                                                              {"b", "web", 80, ""}}));
}

TEST(IngressRoutesTest, TheResultDoesNotDependOnInputOrder) {
  std::vector<Json> ingresses = {
      ingress("a", "one", {{"rules", {rule("x.test", {http_path("/p", "Prefix", "one")})}}},
              "2026-11-26T09:00:00Z"),
      ingress(
          "a", "two",
          {{"rules",
            {rule("x.test", {http_path("/p", "Prefix", "two"), http_path("/q", "Exact", "two")})}},
           {"defaultBackend", backend("two")}},
          "2026-11-26T09:00:00Z"),
      ingress("b", "three",
              {{"rules", {rule("*.test", {http_path("/p", "Prefix", "three")}), rule("", {"bad"})}},
               {"defaultBackend", backend("three")}},
              "2026-11-26T08:00:00Z"),
  };
  std::sort(ingresses.begin(), ingresses.end());
  std::vector<std::string> first_problems;
  std::vector<std::string> first_answers;
  do {
    RouteTableBuild result = build_route_table(ingresses);
    std::vector<std::string> answers;
    for (const char* host : {"x.test", "y.test", "z"}) {
      for (const char* path : {"/p", "/q", "/r"})
        answers.push_back(routed(result.table, host, path));
    }
    if (first_answers.empty()) {
      first_answers = answers;
      first_problems = result.problems;
    }
    EXPECT_EQ(answers, first_answers);
    EXPECT_EQ(result.problems, first_problems);
  } while (std::next_permutation(ingresses.begin(), ingresses.end()));
  EXPECT_EQ(first_answers, (std::vector<std::string>{"one", "two", "three", "three", "three",
                                                     "three", "three", "three", "three"}));
  EXPECT_EQ(first_problems.size(), 3u) << joined(first_problems);
}

// By design match() looks at one exact host's paths, one wildcard's and the host-less ones, never
// at the rest of the table: 1000 hosts of 5 paths each cost a request at most 5 comparisons.
TEST(IngressRoutesTest, MatchComparesOnlyThePathsOfTheRequestsHost) {
  std::vector<Json> ingresses;
  for (int i = 0; i < 1000; ++i) {
    Json paths = Json::array();
    for (int j = 0; j < 5; ++j) {
      paths.push_back(
          http_path("/p" + std::to_string(j), j % 2 ? "Exact" : "Prefix", "s" + std::to_string(i)));
    }
    ingresses.push_back(ingress("default", "i" + std::to_string(i),
                                {{"rules", {rule("h" + std::to_string(i) + ".test", paths)}}}));
  }
  RouteTableBuild result = build_route_table(ingresses);
  ASSERT_TRUE(result.problems.empty());
  size_t compared = 0;
  EXPECT_EQ(result.table.match("h123.test", "/p4/x", compared)->backend.service, "s123");
  EXPECT_LE(compared, 5u);
  compared = 0;
  EXPECT_EQ(result.table.match("h999.test", "/none", compared), nullptr);
  EXPECT_EQ(compared, 5u);
  compared = 0;
  EXPECT_EQ(result.table.match("unknown.test", "/p0", compared), nullptr);
  EXPECT_EQ(compared, 0u);
}

TEST(IngressRoutesTest, MatchAndTlsForDoNotAllocate) {
  RouteTableBuild result =
      build_route_table({ingress("default", "web",
                                 {{"tls", {{{"hosts", {"*.example.com"}}, {"secretName", "cert"}}}},
                                  {"rules",
                                   {rule("www.example.com", {http_path("/a", "Prefix", "a")}),
                                    rule("*.example.com", {http_path("/b", "Prefix", "b")}),
                                    rule("", {http_path("/c", "Exact", "c")})}}})});
  std::string long_host(1000, 'x');
  size_t before = allocations.load();
  const RouteTarget* a = result.table.match("WWW.Example.com:443", "/a/b?q=1");
  const RouteTarget* b = result.table.match("shop.example.com.", "/b");
  const RouteTarget* c = result.table.match(long_host, "/c");
  const TlsEntry* tls = result.table.tls_for("Shop.Example.Com");
  size_t after = allocations.load();
  EXPECT_EQ(after - before, 0u);
  ASSERT_TRUE(a && b && c && tls);
  EXPECT_EQ(a->backend.service, "a");
  EXPECT_EQ(b->backend.service, "b");
  EXPECT_EQ(c->backend.service, "c");
  EXPECT_EQ(tls->secret_name, "cert");
}

}  // namespace
}  // namespace skiff::agent::ingress
