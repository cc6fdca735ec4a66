// The ingress proxy's routing (agent/ingress/ingress_routes.h): the Kubernetes docs' path-matching
// table row by row, hosts and wildcards, precedence, merging, conflicts, class filtering, order
// independence and the cost of a match. Bad input and TLS: ingress_routes_problems_test.cpp.
#include "agent/ingress/ingress_routes.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <new>

#include "tests/unit/support/ingress_objects.h"

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
