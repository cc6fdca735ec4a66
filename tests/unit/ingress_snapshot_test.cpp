// The ingress proxy's snapshot from API objects (agent/ingress/snapshot_builder.h): backends
// resolved to ready endpoints by service port number or name, and TLS Secrets turned into
// certificates, with a clear problem (and the default certificate) for a Secret that is missing
// or unusable.
#include "agent/ingress/snapshot_builder.h"

#include <gtest/gtest.h>

#include "pkg/api/base64.h"
#include "pkg/pki/pki.h"

namespace skiff::agent::ingress {
namespace {

Json service() {
  return Json::parse(R"({"apiVersion":"v1","kind":"Service",
    "metadata":{"name":"web","namespace":"default"},
    "spec":{"clusterIP":"10.43.0.20","ports":[{"name":"http","port":80,"protocol":"TCP"}]}})");
}

Json slice() {
  return Json::parse(R"({"apiVersion":"discovery.k8s.io/v1","kind":"EndpointSlice",
    "metadata":{"name":"web-1","namespace":"default",
                "labels":{"kubernetes.io/service-name":"web"}},
    "addressType":"IPv4",
    "endpoints":[{"addresses":["10.42.0.5"],"conditions":{"ready":true}},
                 {"addresses":["10.42.0.6"],"conditions":{"ready":false}}],
    "ports":[{"name":"http","port":8080,"protocol":"TCP"}]})");
}

Json ingress(Json port, Json tls = Json::array()) {
  Json object = Json::parse(R"({"apiVersion":"networking.k8s.io/v1","kind":"Ingress",
    "metadata":{"name":"shop","namespace":"default","creationTimestamp":"2026-01-01T00:00:00Z"},
    "spec":{"ingressClassName":"skiff","rules":[{"host":"shop.example.test","http":{"paths":[
      {"path":"/","pathType":"Prefix","backend":{"service":{"name":"web"}}}]}}]}})");
  object["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]["port"] = port;
  if (!tls.empty()) object["spec"]["tls"] = tls;
  return object;
}

Json tls_secret(const std::string& certificate, const std::string& key,
                const std::string& type = "kubernetes.io/tls") {
  return {{"apiVersion", "v1"},
          {"kind", "Secret"},
          {"type", type},
          {"metadata", {{"name", "shop-tls"}, {"namespace", "default"}, {"resourceVersion", "7"}}},
          {"data",
           {{"tls.crt", api::base64_encode(certificate)}, {"tls.key", api::base64_encode(key)}}}};
}

SnapshotBuild build(Json ingress_object, std::vector<Json> secrets = {}) {
  SnapshotInput input;
  input.ingresses = {std::move(ingress_object)};
  input.services = Json::array({service()});
  input.endpoint_slices = Json::array({slice()});
  input.secrets = std::move(secrets);
  CertificateCache cache;
  return build_snapshot(input, cache);
}

const Json kTls = Json::parse(R"([{"hosts":["shop.example.test"],"secretName":"shop-tls"}])");

TEST(IngressSnapshot, BackendsResolveToReadyEndpointsByPortNumberOrName) {
  for (const Json& port : {Json{{"number", 80}}, Json{{"name", "http"}}}) {
    SnapshotBuild built = build(ingress(port));
    EXPECT_TRUE(built.problems.empty()) << built.problems.front();
    const RouteTarget* route = built.snapshot->routes.match("shop.example.test", "/");
    ASSERT_NE(route, nullptr);
    const BackendEndpoints* endpoints = built.snapshot->endpoints_of(route->backend);
    ASSERT_NE(endpoints, nullptr);
    ASSERT_FALSE(endpoints->empty());
    EXPECT_EQ(endpoints->pick().address().to_string(), "10.42.0.5");  // only the ready one
    EXPECT_EQ(endpoints->pick().port(), 8080);                        // the target port
  }
}

TEST(IngressSnapshot, AServicePortThatDoesNotExistHasNoEndpoints) {
  SnapshotBuild built = build(ingress(Json{{"number", 81}}));
  const RouteTarget* route = built.snapshot->routes.match("shop.example.test", "/");
  ASSERT_NE(route, nullptr);
  ASSERT_NE(built.snapshot->endpoints_of(route->backend), nullptr);
  EXPECT_TRUE(built.snapshot->endpoints_of(route->backend)->empty());  // the proxy answers 503
}

// A serving certificate for `host` (what `openssl req -x509` would give a user), as key + PEM.
pki::KeyPair certificate_for(const std::string& host) {
  pki::LeafRequest request;
  request.subject.common_name = host;
  request.usage = pki::Usage::ServerAuth;
  request.dns_names = {host};
  return pki::issue(pki::create_ca(host + " issuer"), request);
}

TEST(IngressSnapshot, TheSecretsCertificateServesItsHosts) {
  const pki::KeyPair pair = certificate_for("shop.example.test");
  SnapshotBuild built =
      build(ingress(Json{{"number", 80}}, kTls), {tls_secret(pair.certificate_pem, pair.key_pem)});
  EXPECT_TRUE(built.problems.empty()) << built.problems.front();
  EXPECT_NE(built.snapshot->certificate_for("shop.example.test"), nullptr);
  EXPECT_NE(built.snapshot->certificate_for("SHOP.example.test."), nullptr);
  EXPECT_EQ(built.snapshot->certificate_for("other.example.test"), nullptr);  // the default one
}

TEST(IngressSnapshot, UnusableSecretsAreProblemsAndTheirHostsGetTheDefaultCertificate) {
  const pki::KeyPair pair = certificate_for("shop.example.test");
  const pki::KeyPair other = certificate_for("other.example.test");
  const std::string prefix = "Ingress default/shop: TLS Secret default/shop-tls";
  const std::string suffix = "; its hosts get the default certificate";
  struct Case {
    std::vector<Json> secrets;
    std::string problem;
  };
  const std::vector<Case> cases = {
      {{}, prefix + " not found" + suffix},
      {{tls_secret(pair.certificate_pem, pair.key_pem, "Opaque")},
       prefix + ": type is \"Opaque\", not kubernetes.io/tls" + suffix},
      {{tls_secret("not a certificate", pair.key_pem)},
       prefix + ": tls.crt is not a PEM certificate chain"},
      {{tls_secret(pair.certificate_pem, "not a key")},
       prefix + ": tls.key is not a PEM private key"},
      {{tls_secret(pair.certificate_pem, other.key_pem)},
       prefix + ": tls.key does not match the certificate in tls.crt" + suffix},
  };
  for (const Case& test : cases) {
    SnapshotBuild built = build(ingress(Json{{"number", 80}}, kTls), test.secrets);
    ASSERT_EQ(built.problems.size(), 1u) << test.problem;
    EXPECT_EQ(built.problems.front().rfind(test.problem, 0), 0u) << built.problems.front();
    EXPECT_EQ(built.snapshot->certificate_for("shop.example.test"), nullptr);
    // The routes still work.
    EXPECT_NE(built.snapshot->routes.match("shop.example.test", "/"), nullptr);
  }
  Json missing_key = tls_secret(pair.certificate_pem, pair.key_pem);
  missing_key["data"].erase("tls.key");
  SnapshotBuild built = build(ingress(Json{{"number", 80}}, kTls), {missing_key});
  ASSERT_EQ(built.problems.size(), 1u);
  EXPECT_EQ(built.problems.front(), prefix + ": data[\"tls.key\"] is missing" + suffix);
}

}  // namespace
}  // namespace skiff::agent::ingress
