// `kubectl create ingress` and `create secret tls`: the objects built from the flags. Every
// expected spec below is what kubectl 1.32 printed for the same flags
// (`kubectl create ingress a ... --dry-run=client -o json | jq -c .spec`).
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "pkg/kubectl/create_ingress.h"
#include "pkg/kubectl/create_secret_tls.h"
#include "pkg/kubectl/errors.h"

namespace skiff::kubectl {
namespace {

Json spec_for(std::vector<std::string> rules, std::string default_backend = "",
              std::string class_name = "") {
  IngressRequest request{
      "a", "", std::move(class_name), std::move(default_backend), std::move(rules), {}};
  return build_ingress(request)["spec"];
}

std::string error_for(const IngressRequest& request) {
  try {
    build_ingress(request);
  } catch (const KubectlError& error) {
    return error.what();
  }
  return "(no error)";
}

TEST(KubectlCreateIngress, RulesAsKubectlBuildsThem) {
  struct Case {
    std::vector<std::string> rules;
    const char* want;
  };
  const std::vector<Case> cases = {
      // Prefix from a trailing star; named and numbered ports; tls grouping by secret.
      {{"foo.com/path*=svc:8080", "bar.com/admin=svc2:http,tls", "/x=s:1,tls=sec",
        "foo.com/=svc:80,tls=sec2"},
       R"({"tls":[{"hosts":["bar.com"]},{"secretName":"sec"},{"hosts":["foo.com"],"secretName":"sec2"}],
           "rules":[{"host":"foo.com","http":{"paths":[
                      {"path":"/path","pathType":"Prefix","backend":{"service":{"name":"svc","port":{"number":8080}}}},
                      {"path":"/","pathType":"Exact","backend":{"service":{"name":"svc","port":{"number":80}}}}]}},
                    {"host":"bar.com","http":{"paths":[
                      {"path":"/admin","pathType":"Exact","backend":{"service":{"name":"svc2","port":{"name":"http"}}}}]}},
                    {"http":{"paths":[
                      {"path":"/x","pathType":"Exact","backend":{"service":{"name":"s","port":{"number":1}}}}]}}]})"},
      {{"a.com/x=s:1,tls=s1", "b.com/y=s:1,tls=s1", "a.com/z=s:2,tls=s2", "c.com/=s:1,tls",
        "d.com/=s:1,tls"},
       R"({"tls":[{"hosts":["a.com","b.com"],"secretName":"s1"},{"hosts":["c.com","d.com"]}],
           "rules":[{"host":"a.com","http":{"paths":[
                      {"path":"/x","pathType":"Exact","backend":{"service":{"name":"s","port":{"number":1}}}},
                      {"path":"/z","pathType":"Exact","backend":{"service":{"name":"s","port":{"number":2}}}}]}},
                    {"host":"b.com","http":{"paths":[{"path":"/y","pathType":"Exact","backend":{"service":{"name":"s","port":{"number":1}}}}]}},
                    {"host":"c.com","http":{"paths":[{"path":"/","pathType":"Exact","backend":{"service":{"name":"s","port":{"number":1}}}}]}},
                    {"host":"d.com","http":{"paths":[{"path":"/","pathType":"Exact","backend":{"service":{"name":"s","port":{"number":1}}}}]}}]})"},
      {{"foo.com/*=s:1"},
       R"({"rules":[{"host":"foo.com","http":{"paths":[{"path":"/","pathType":"Prefix","backend":{"service":{"name":"s","port":{"number":1}}}}]}}]})"},
      // kubectl's leniencies: text after the port, odd port names, an empty or foreign tls part.
      {{"foo.com/x=svc:80:90"},
       R"({"rules":[{"host":"foo.com","http":{"paths":[{"path":"/x","pathType":"Exact","backend":{"service":{"name":"svc","port":{"number":80}}}}]}}]})"},
      {{"foo.com/x=svc:2147483648"},
       R"({"rules":[{"host":"foo.com","http":{"paths":[{"path":"/x","pathType":"Exact","backend":{"service":{"name":"svc","port":{"name":"2147483648"}}}}]}}]})"},
      {{"foo.com/x=svc:080,foo"},
       R"({"tls":[{"hosts":["foo.com"]}],"rules":[{"host":"foo.com","http":{"paths":[{"path":"/x","pathType":"Exact","backend":{"service":{"name":"svc","port":{"number":80}}}}]}}]})"},
      {{"foo/x=svc:80,tls=a,b"},
       R"({"rules":[{"host":"foo","http":{"paths":[{"path":"/x","pathType":"Exact","backend":{"service":{"name":"svc","port":{"number":80}}}}]}}]})"},
      // A host keeps its first secret; a host-less rule adds tls only with a secret.
      {{"a.com/x=s:1,tls", "a.com/y=s:1,tls=q"},
       R"({"tls":[{"hosts":["a.com"]}],"rules":[{"host":"a.com","http":{"paths":[
            {"path":"/x","pathType":"Exact","backend":{"service":{"name":"s","port":{"number":1}}}},
            {"path":"/y","pathType":"Exact","backend":{"service":{"name":"s","port":{"number":1}}}}]}}]})"},
      {{"/x=s:1,tls", "/y=s:1,tls=q"},
       R"({"rules":[{"http":{"paths":[
            {"path":"/x","pathType":"Exact","backend":{"service":{"name":"s","port":{"number":1}}}},
            {"path":"/y","pathType":"Exact","backend":{"service":{"name":"s","port":{"number":1}}}}]}}]})"},
      {{"a.com/x=s:1,tls=q", "/y=s:1,tls=q"},
       R"({"tls":[{"hosts":["a.com",""],"secretName":"q"}],"rules":[
            {"host":"a.com","http":{"paths":[{"path":"/x","pathType":"Exact","backend":{"service":{"name":"s","port":{"number":1}}}}]}},
            {"http":{"paths":[{"path":"/y","pathType":"Exact","backend":{"service":{"name":"s","port":{"number":1}}}}]}}]})"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(spec_for(c.rules), Json::parse(c.want)) << c.rules[0];
  }
}

TEST(KubectlCreateIngress, ClassBackendAndAnnotations) {
  IngressRequest request{"web",      "prod",         "skiff",
                         "def:http", {"a.com/=s:1"}, {"a=b", "c=d=e", "k=", "a=again"}};
  Json ingress = build_ingress(request);
  EXPECT_EQ(ingress["apiVersion"], "networking.k8s.io/v1");
  EXPECT_EQ(ingress["kind"], "Ingress");
  EXPECT_EQ(ingress["metadata"], Json::parse(R"({"name":"web","namespace":"prod",
            "annotations":{"a":"again","c":"d=e","k":""}})"));
  EXPECT_EQ(ingress["spec"]["ingressClassName"], "skiff");
  EXPECT_EQ(ingress["spec"]["defaultBackend"],
            Json::parse(R"({"service":{"name":"def","port":{"name":"http"}}})"));
  EXPECT_EQ(ingress["status"], Json::parse(R"({"loadBalancer":{}})"));
  // Only a default backend; no class given means none is written (the server defaults it).
  EXPECT_EQ(spec_for({}, "s:1"),
            Json::parse(R"({"defaultBackend":{"service":{"name":"s","port":{"number":1}}}})"));
}

TEST(KubectlCreateIngress, RefusesWhatKubectlRefuses) {
  const std::string format =
      " is invalid and should be in format "
      "host/path=svcname:svcport[,tls[=secret]]";
  for (const std::string rule :
       {"foo.com", "foo.com/x=svc", "foo.com/x=svc:", "=svc:80", "foo.com/x=:80", "foo.com=svc:80",
        "foo.com/x=svc:+80", "h:8/x=s:1", " foo.com/x=s:1", "foo.com/a/b=c=s:1"}) {
    EXPECT_EQ(error_for({"a", "", "", "", {rule}, {}}), "error: rule " + rule + format);
  }
  EXPECT_EQ(error_for({"a", "", "", "", {}, {}}),
            "error: not enough information provided: every ingress has to either specify a "
            "default-backend (which catches all traffic) or a list of rules (which catch specific "
            "paths)");
  EXPECT_EQ(error_for({"a", "", "", "svc", {}, {}}),
            "error: default-backend should be in format servicename:serviceport");
  EXPECT_EQ(error_for({"a", "", "", "svc:80:1", {}, {}}),
            "error: default-backend should be in format servicename:serviceport");
  EXPECT_EQ(error_for({"a", "", "", "", {"a.com/=s:1"}, {"novalue"}}),
            "error: annotation novalue is invalid and should be in format key=[value]");
}

// A scratch folder removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    char pattern[] = "/tmp/skiff-tls-test-XXXXXX";
    path_ = mkdtemp(pattern);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string file(const std::string& name, const std::string& text) const {
    std::string path = path_ + "/" + name;
    std::ofstream(path) << text;
    return path;
  }

 private:
  std::string path_;
};

// A throwaway self-signed P-256 pair (openssl req -x509 -newkey ec -pkeyopt
// ec_paramgen_curve:prime256v1 -nodes -subj /CN=a.example.test -days 1) and another key.
constexpr const char* kCert = R"(-----BEGIN CERTIFICATE-----
MIIBiDCCAS2gAwIBAgIUFHq11mbfNLLSaidZx3mytdostXwwCgYIKoZIzj0EAwIw
GTEXMBUGA1UEAwwOYS5leGFtcGxlLnRlc3QwHhcNMjYxMTI2MjE1NTI5WhcNMjYx
MTI3MjE1NTI5WjAZMRcwFQYDVQQDDA5hLmV4YW1wbGUudGVzdDBZMBMGByqGSM49
AgEGCCqGSM49AwEHA0IABPwZZR8iQuxuOr7jheokJZpiiObTNMIkTkBptyk9mK30
qaVFmJk6lf+kUp5lX32blytFiup1JEmD5itC0GFnSYSjUzBRMB0GA1UdDgQWBBSb
UUhbkkXxI4bETAwVMWqdEcYPmTAfBgNVHSMEGDAWgBSbUUhbkkXxI4bETAwVMWqd
EcYPmTAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0kAMEYCIQCLAWmIrS7b
otAnrf6RovitP7cSAANSNH1gTIWiYk+gLgIhAN20CH9Q/f2BLCnjNHBvEWbYn5Aj
DDsf+Q4tUc5zHlcQ
-----END CERTIFICATE-----
)";
constexpr const char* kKey = R"(-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgHCO+Aj18wUJF390/
f5mNSOBpAR1OBvcckZXnvbABFvShRANCAAT8GWUfIkLsbjq+44XqJCWaYojm0zTC
JE5AabcpPZit9KmlRZiZOpX/pFKeZV99m5crRYrqdSRJg+YrQtBhZ0mE
-----END PRIVATE KEY-----
)";
constexpr const char* kOtherKey = R"(-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgBUxBs129kWgTKCip
krqkdZ77rr6Iy8AMpiR7Pe6XS4ShRANCAAQmQ7NZ8Z41LVclzRP0ldiLOr1oW8jI
LfFVVbAfqTG6nKFjOMIAgY8QTH2GFqTmjFG9qcer7wFTC3zHBt+4vn+L
-----END PRIVATE KEY-----
)";

std::string tls_error(const TlsSecretRequest& request) {
  try {
    build_tls_secret(request);
  } catch (const KubectlError& error) {
    return error.what();
  }
  return "(no error)";
}

TEST(KubectlCreateSecretTls, BuildsTheSecret) {
  TempDir dir;
  TlsSecretRequest request{"site", "web", dir.file("c", kCert), dir.file("k", kKey)};
  Json secret = build_tls_secret(request);
  EXPECT_EQ(secret["apiVersion"], "v1");
  EXPECT_EQ(secret["kind"], "Secret");
  EXPECT_EQ(secret["type"], "kubernetes.io/tls");
  EXPECT_EQ(secret["metadata"], Json::parse(R"({"name":"site","namespace":"web"})"));
  EXPECT_EQ(secret["data"].size(), 2u);
  EXPECT_EQ(secret["data"]["tls.crt"].get<std::string>().substr(0, 20), "LS0tLS1CRUdJTiBDRVJU");
  EXPECT_EQ(secret["data"]["tls.key"].get<std::string>().substr(0, 20), "LS0tLS1CRUdJTiBQUklW");
}

TEST(KubectlCreateSecretTls, ErrorsAsKubectl) {
  TempDir dir;
  const std::string cert = dir.file("c", kCert), key = dir.file("k", kKey);
  const std::string other = dir.file("k2", kOtherKey), text = dir.file("t", "just text\n");
  EXPECT_EQ(tls_error({"s", "", cert, ""}), "error: key and cert must be specified");
  EXPECT_EQ(tls_error({"s", "", "", key}), "error: key and cert must be specified");
  EXPECT_EQ(tls_error({"s", "", "/nonexistent/c", key}),
            "error: Cannot read file /nonexistent/c, open /nonexistent/c: no such file or "
            "directory");
  EXPECT_EQ(tls_error({"s", "", cert, "/nonexistent/k"}),
            "error: Cannot read file /nonexistent/k, open /nonexistent/k: no such file or "
            "directory");
  EXPECT_EQ(tls_error({"s", "", cert, other}), "error: tls: private key does not match public key");
  EXPECT_EQ(tls_error({"s", "", key, cert}),
            "error: tls: failed to find certificate PEM data in certificate input, but did find a "
            "private key; PEM inputs may have been switched");
  EXPECT_EQ(tls_error({"s", "", text, key}),
            "error: tls: failed to find any PEM data in certificate input");
  EXPECT_EQ(tls_error({"s", "", cert, text}),
            "error: tls: failed to find any PEM data in key input");
  EXPECT_EQ(tls_error({"s", "", cert, cert}),
            "error: tls: found a certificate rather than a key in the PEM for the private key");
}

}  // namespace
}  // namespace skiff::kubectl
