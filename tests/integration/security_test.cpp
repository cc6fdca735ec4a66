// Issue 7's checks against a real `skiff server`: the API is HTTPS only; no credentials -> 401;
// a client certificate from another CA -> 401; the written kubeconfig works with the real
// kubectl; a node identity reads only what its pods need and writes only its own objects; an
// agent whose token pins another CA refuses to join; certificates near expiry are renewed while
// the server runs (and by `skiff certificate rotate`) and kubectl keeps working; bootstrap tokens
// from `skiff token create` let a node join until deleted; a node that joins again makes its
// old certificate worthless (HTTPS, renewal and the gRPC node service all refuse it).
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "agent/nodeclient/grpc_node_client.h"
#include "agent/nodeclient/node_identity.h"
#include "pkg/api/json.h"
#include "pkg/http/client.h"
#include "pkg/pki/join_token.h"
#include "pkg/pki/pki.h"
#include "proto/node.grpc.pb.h"
#include "tests/integration/support/test_server.h"
#include "tests/integration/support/wait.h"

namespace skiff::testing {
namespace {

namespace fs = std::filesystem;
using agent::nodeclient::JoinRefused;
using agent::nodeclient::NodeCredentials;
using agent::nodeclient::NodeIdentity;

#define EXPECT_OK(result) \
  EXPECT_EQ((result).exit_code, 0) << "stdout: " << (result).out << "\nstderr: " << (result).err

std::string tls_file(const TestServer& server, const std::string& name) {
  return server.data_dir() + "/server/tls/" + name;
}

// An HTTPS client verifying the server, with the given client certificate (none when empty).
http::ClientResponse request_as(const TestServer& server, const std::string& method,
                                const std::string& path, const std::string& cert_pem,
                                const std::string& key_pem, const std::string& body = "") {
  http::ClientOptions options;
  options.ca_file = tls_file(server, "server-ca.crt");
  options.client_cert_pem = cert_pem;
  options.client_key_pem = key_pem;
  options.request_timeout = std::chrono::seconds(20);
  http::HttpClient client(options);
  http::HeaderList headers;
  if (!body.empty())
    headers.emplace_back("Content-Type",
                         method == "PATCH" ? "application/merge-patch+json" : "application/json");
  return client.request(method, server.url() + path, body, headers);
}

NodeCredentials join_as(const TestServer& server, const std::string& node, const std::string& dir,
                        const std::string& token_text) {
  auto token = pki::parse_join_token(token_text);
  EXPECT_TRUE(token) << token_text;
  NodeIdentity identity(dir, server.url(), *token, node);
  return identity.ensure();
}

// A certificate that claims the admin's identity, issued by a CA the server does not know.
pki::KeyPair admin_certificate_of_another_ca() {
  const pki::KeyPair stranger_ca = pki::create_ca("not-this-cluster");
  pki::LeafRequest request;
  request.subject = {"system:admin", {"system:masters"}};
  return pki::issue(stranger_ca, request);
}

std::string served_certificate_serial(const TestServer& server) {
  CommandResult served =
      run_command({"/bin/sh", "-c",
                   "openssl s_client -connect 127.0.0.1:" + std::to_string(server.port()) +
                       " </dev/null 2>/dev/null | openssl x509 -noout -serial"});
  return served.out;
}

TEST(Security, AnonymousGets401ExceptHealthAndCaCerts) {
  TestServer server;
  EXPECT_EQ(server.url().rfind("https://", 0), 0u) << server.url();
  auto anonymous = request_as(server, "GET", "/api/v1/namespaces", "", "");
  EXPECT_EQ(anonymous.status, 401);
  const Json status = Json::parse(anonymous.body);
  EXPECT_EQ(status.value("kind", ""), "Status");
  EXPECT_EQ(status.value("reason", ""), "Unauthorized");
  for (const char* path : {"/readyz", "/healthz", "/livez", "/version"})
    EXPECT_EQ(request_as(server, "GET", path, "", "").status, 200) << path;
  auto ca = request_as(server, "GET", "/cacerts", "", "");
  EXPECT_EQ(ca.status, 200);
  EXPECT_EQ(ca.body, pki::read_file(tls_file(server, "server-ca.crt")));
  // The token pins exactly those bytes.
  auto token = pki::parse_join_token(server.node_token());
  ASSERT_TRUE(token);
  EXPECT_EQ(token->ca_hash, pki::sha256_hex(ca.body));
  // Plain HTTP is not served on the API port.
  CommandResult plain =
      run_command({"curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}",
                   "http://127.0.0.1:" + std::to_string(server.port()) + "/api/v1/namespaces"});
  EXPECT_NE(plain.out, "200");
}

TEST(Security, ClientCertificateOfAnotherCaGets401) {
  TestServer server;
  const pki::KeyPair forged = admin_certificate_of_another_ca();
  auto answer =
      request_as(server, "GET", "/api/v1/namespaces", forged.certificate_pem, forged.key_pem);
  EXPECT_EQ(answer.status, 401) << answer.body;
  // The real admin certificate works.
  auto admin = request_as(server, "GET", "/api/v1/namespaces",
                          pki::read_file(tls_file(server, "client-admin.crt")),
                          pki::read_file(tls_file(server, "client-admin.key")));
  EXPECT_EQ(admin.status, 200) << admin.body;
}

// libcurl (skiff kubectl, the agent's and the tests' clients) resumes its TLS session when it
// connects again. With client certificates requested, the server failed every such handshake
// (internal_error alert) until its context named a session context. A resumed session must
// keep the identity of its first handshake: the admin stays admin, a stranger stays 401.
TEST(Security, ClientsResumingTheirTlsSessionKeepTheirIdentity) {
  TestServer server;
  const pki::KeyPair forged = admin_certificate_of_another_ca();
  TempDir dir;
  std::ofstream(dir.path() + "/forged.crt") << forged.certificate_pem;
  std::ofstream(dir.path() + "/forged.key") << forged.key_pem;
  // One curl run, two requests, each on its own connection: the second resumes the first's
  // session.
  auto twice = [&](const std::string& cert, const std::string& key) {
    const std::string url = server.url() + "/api/v1/namespaces";
    return run_command({"curl", "-v", "-sS", "--cacert", tls_file(server, "server-ca.crt"),
                        "--cert", cert, "--key", key, "-H", "Connection: close", "-o", "/dev/null",
                        "-o", "/dev/null", "-w", "%{http_code} ", url, url});
  };
  CommandResult admin =
      twice(tls_file(server, "client-admin.crt"), tls_file(server, "client-admin.key"));
  EXPECT_EQ(admin.out, "200 200 ") << admin.err;
  EXPECT_NE(admin.err.find("re-using session"), std::string::npos) << admin.err;
  CommandResult stranger = twice(dir.path() + "/forged.crt", dir.path() + "/forged.key");
  EXPECT_EQ(stranger.out, "401 401 ") << stranger.err;
  EXPECT_NE(stranger.err.find("re-using session"), std::string::npos) << stranger.err;
}

TEST(Security, WrittenKubeconfigWorksWithBothKubectls) {
  if (access("/usr/bin/kubectl", X_OK) != 0) GTEST_SKIP() << "/usr/bin/kubectl is not installed";
  TestServer server;
  EXPECT_EQ(fs::status(server.kubeconfig()).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_OK(server.kubectl({"get", "namespaces"}));
  EXPECT_OK(server.kubectl({"create", "configmap", "c1", "--from-literal=a=b"}));
  CommandResult skiff = server.skiff_kubectl({"get", "configmap", "c1", "-o", "name"});
  EXPECT_OK(skiff);
  EXPECT_EQ(skiff.out, "configmap/c1\n");
}

TEST(Security, BearerTokensFromTheTokenFile) {
  TempDir dir;
  const std::string file = dir.path() + "/tokens.csv";
  std::ofstream(file) << "s3cr3t-admin-token,alice,1001,\"system:masters\"\n"
                         "s3cr3t-viewer-token,bob,1002\n";
  TestServer server({"--token-auth-file", file});
  auto with = [&](const std::string& token) {
    return http("GET", server.url() + "/api/v1/namespaces", "", {"Authorization: Bearer " + token},
                /*as_admin=*/false);
  };
  EXPECT_EQ(with("s3cr3t-admin-token").status, 200);
  auto bob = with("s3cr3t-viewer-token");
  EXPECT_EQ(bob.status, 403);
  EXPECT_NE(bob.body.find("User \\\"bob\\\" cannot list resource \\\"namespaces\\\""),
            std::string::npos)
      << bob.body;
  EXPECT_EQ(with("wrong").status, 401);
}

TEST(Security, NodeIdentityReachesOnlyItsOwnObjects) {
  TestServer server;
  TempDir dir;
  const NodeCredentials n1 = join_as(server, "n1", dir.path() + "/n1", server.node_token());
  const NodeCredentials n2 = join_as(server, "n2", dir.path() + "/n2", server.node_token());
  EXPECT_EQ(pki::inspect(n1.certificate_pem).subject.common_name, "system:node:n1");
  // The admin makes two nodes, a secret for each, and a pod on each using its secret.
  for (const char* node : {"n1", "n2"}) {
    ASSERT_EQ(
        http("POST", server.url() + "/api/v1/nodes",
             Json{{"apiVersion", "v1"}, {"kind", "Node"}, {"metadata", {{"name", node}}}}.dump())
            .status,
        201);
    const std::string secret = std::string("secret-") + node;
    ASSERT_EQ(http("POST", server.url() + "/api/v1/namespaces/default/secrets",
                   Json{{"apiVersion", "v1"},
                        {"kind", "Secret"},
                        {"metadata", {{"name", secret}}},
                        {"stringData", {{"password", "hunter2"}}}}
                       .dump())
                  .status,
              201);
    Json pod = {{"apiVersion", "v1"},
                {"kind", "Pod"},
                {"metadata", {{"name", std::string("pod-") + node}}},
                {"spec",
                 {{"nodeName", node},
                  {"containers", {{{"name", "c"}, {"image", "busybox"}}}},
                  {"volumes", {{{"name", "s"}, {"secret", {{"secretName", secret}}}}}}}}};
    ASSERT_EQ(http("POST", server.url() + "/api/v1/namespaces/default/pods", pod.dump()).status,
              201);
  }
  auto as_n1 = [&](const std::string& method, const std::string& path,
                   const std::string& body = "") {
    return request_as(server, method, path, n1.certificate_pem, n1.key_pem, body);
  };
  EXPECT_EQ(as_n1("GET", "/api/v1/namespaces/default/secrets/secret-n1").status, 200);
  auto other_secret = as_n1("GET", "/api/v1/namespaces/default/secrets/secret-n2");
  EXPECT_EQ(other_secret.status, 403);
  EXPECT_NE(other_secret.body.find("no relationship found between node 'n1' and this object"),
            std::string::npos)
      << other_secret.body;
  EXPECT_EQ(as_n1("GET", "/api/v1/namespaces/default/secrets").status, 403);
  const std::string label = R"({"metadata":{"labels":{"touched":"yes"}}})";
  EXPECT_EQ(as_n1("PATCH", "/api/v1/nodes/n1", label).status, 200);
  EXPECT_EQ(as_n1("PATCH", "/api/v1/nodes/n2", label).status, 403);
  EXPECT_EQ(as_n1("GET", "/api/v1/pods").status, 200);  // reading pods is what agents do
  EXPECT_EQ(as_n1("DELETE", "/api/v1/namespaces/default/pods/pod-n2").status, 403);
  EXPECT_EQ(as_n1("POST", "/api/v1/namespaces/default/configmaps",
                  R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"}})")
                .status,
            403);
  // n2's own certificate still reads its own secret.
  EXPECT_EQ(request_as(server, "GET", "/api/v1/namespaces/default/secrets/secret-n2",
                       n2.certificate_pem, n2.key_pem)
                .status,
            200);
}

TEST(Security, AgentWithAnotherCaHashRefusesToJoin) {
  TestServer server;
  TempDir dir;
  auto token = pki::parse_join_token(server.node_token());
  ASSERT_TRUE(token);
  pki::JoinToken tampered = *token;
  tampered.ca_hash[0] = tampered.ca_hash[0] == '0' ? '1' : '0';
  CommandResult agent =
      run_command({SKIFF_BINARY, "agent", "--server", server.url(), "--token", tampered.str(),
                   "--data-dir", dir.path(), "--node-name", "mitm-victim"},
                  "", 60);
  EXPECT_EQ(agent.exit_code, 1) << agent.out << agent.err;
  EXPECT_NE(agent.err.find("refusing to join"), std::string::npos) << agent.err;
  EXPECT_FALSE(fs::exists(dir.path() + "/agent/client-node.crt"));
  // A right hash with a wrong secret is refused by the server.
  pki::JoinToken wrong_secret = *token;
  wrong_secret.credential = "server:not-the-secret";
  EXPECT_THROW(join_as(server, "n3", dir.path() + "/n3", wrong_secret.str()), JoinRefused);
  // A bare secret (no CA hash) is not accepted by the agent at all.
  CommandResult bare = run_command({SKIFF_BINARY, "agent", "--server", server.url(), "--token",
                                    "just-a-secret", "--data-dir", dir.path()});
  EXPECT_EQ(bare.exit_code, 2);
  EXPECT_NE(bare.err.find("K10"), std::string::npos) << bare.err;
}

TEST(Security, CertificatesNearExpiryAreRenewedWhileRunning) {
  if (access("/usr/bin/kubectl", X_OK) != 0) GTEST_SKIP() << "/usr/bin/kubectl is not installed";
  TestServer server({"--certificate-check-period", "1s"});
  EXPECT_OK(server.kubectl({"get", "namespaces"}));
  // Replace the serving and admin certificates with ones that expire in 10 days (same keys),
  // as if the cluster had run for 355 days.
  const pki::KeyPair server_ca{pki::read_file(tls_file(server, "server-ca.key")),
                               pki::read_file(tls_file(server, "server-ca.crt"))};
  const pki::KeyPair client_ca{pki::read_file(tls_file(server, "client-ca.key")),
                               pki::read_file(tls_file(server, "client-ca.crt"))};
  const pki::CertificateInfo serving =
      pki::inspect(pki::read_file(tls_file(server, "serving-kube-apiserver.crt")));
  pki::LeafRequest soon;
  soon.usage = pki::Usage::ServerAuth;
  soon.subject = serving.subject;
  soon.dns_names = serving.dns_names;
  soon.ip_addresses = serving.ip_addresses;
  soon.validity = std::chrono::hours(24 * 10);
  soon.key_pem = pki::read_file(tls_file(server, "serving-kube-apiserver.key"));
  pki::write_file(tls_file(server, "serving-kube-apiserver.crt"),
                  pki::issue(server_ca, soon).certificate_pem, 0644);
  pki::LeafRequest admin_soon;
  admin_soon.subject = {"system:admin", {"system:masters"}};
  admin_soon.validity = std::chrono::hours(24 * 10);
  admin_soon.key_pem = pki::read_file(tls_file(server, "client-admin.key"));
  pki::write_file(tls_file(server, "client-admin.crt"),
                  pki::issue(client_ca, admin_soon).certificate_pem, 0644);

  const auto renewed = [&](const std::string& file) {
    const auto left =
        pki::inspect(pki::read_file(tls_file(server, file))).not_after - pki::Clock::now();
    return left > std::chrono::hours(24 * 300);
  };
  EXPECT_TRUE(
      eventually([&] { return renewed("serving-kube-apiserver.crt"); }, std::chrono::seconds(20)));
  EXPECT_TRUE(eventually([&] { return renewed("client-admin.crt"); }, std::chrono::seconds(20)));
  // What the server serves now is the renewed certificate.
  const std::string expected_serial =
      pki::inspect(pki::read_file(tls_file(server, "serving-kube-apiserver.crt"))).serial_hex;
  EXPECT_TRUE(eventually(
      [&] {
        std::string served = served_certificate_serial(server);
        for (auto& c : served) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        std::string expected = expected_serial;
        for (auto& c : expected) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        while (expected.size() > 1 && expected[0] == '0') expected.erase(0, 1);
        return served.find(expected) != std::string::npos;
      },
      std::chrono::seconds(10)))
      << served_certificate_serial(server) << " vs " << expected_serial;
  // The rewritten kubeconfig carries the renewed admin certificate, and kubectl keeps working.
  EXPECT_TRUE(eventually(
      [&] {
        return server.kubectl({"get", "namespaces"}).exit_code == 0;
      },
      std::chrono::seconds(10)));
  const std::string kubeconfig = pki::read_file(server.kubeconfig());
  EXPECT_NE(kubeconfig.find("client-certificate-data"), std::string::npos);

  // `skiff certificate rotate` while it runs: new keys, picked up without a restart.
  const std::string before = served_certificate_serial(server);
  CommandResult rotate =
      run_command({SKIFF_BINARY, "certificate", "rotate", "--data-dir", server.data_dir()});
  EXPECT_OK(rotate);
  EXPECT_TRUE(eventually([&] { return served_certificate_serial(server) != before; },
                         std::chrono::seconds(20)));
  EXPECT_TRUE(eventually(
      [&] {
        return server.kubectl({"get", "namespaces"}).exit_code == 0;
      },
      std::chrono::seconds(10)));
  CommandResult check =
      run_command({SKIFF_BINARY, "certificate", "check", "--data-dir", server.data_dir()});
  EXPECT_OK(check);
  EXPECT_NE(check.out.find("serving-kube-apiserver.crt"), std::string::npos) << check.out;
}

TEST(Security, BootstrapTokensJoinUntilDeleted) {
  TestServer server;
  TempDir dir;
  CommandResult created = run_command(
      {SKIFF_BINARY, "token", "create", "--ttl", "1h", "--kubeconfig", server.kubeconfig()});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  std::string token = created.out;
  while (!token.empty() && std::isspace(static_cast<unsigned char>(token.back()))) token.pop_back();
  auto parsed = pki::parse_join_token(token);
  ASSERT_TRUE(parsed) << token;
  ASSERT_TRUE(pki::parse_bootstrap_token(parsed->credential)) << token;
  const NodeCredentials joined = join_as(server, "pi-7", dir.path() + "/a", token);
  EXPECT_EQ(pki::inspect(joined.certificate_pem).subject.common_name, "system:node:pi-7");
  CommandResult list =
      run_command({SKIFF_BINARY, "token", "list", "--kubeconfig", server.kubeconfig()});
  EXPECT_OK(list);
  const std::string id = parsed->credential.substr(0, 6);
  EXPECT_NE(list.out.find(id), std::string::npos) << list.out;
  EXPECT_EQ(list.out.find(parsed->credential), std::string::npos) << "list must not show secrets";
  EXPECT_OK(
      run_command({SKIFF_BINARY, "token", "delete", id, "--kubeconfig", server.kubeconfig()}));
  EXPECT_THROW(join_as(server, "pi-8", dir.path() + "/b", token), JoinRefused);
}

TEST(Security, ARejoinedNodesOldCertificateNoLongerCounts) {
  TestServer server;
  TempDir dir;
  const NodeCredentials old_identity =
      join_as(server, "pi", dir.path() + "/old", server.node_token());
  // notBefore has whole seconds: the new identity must start in a later one.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  const NodeCredentials new_identity =
      join_as(server, "pi", dir.path() + "/reinstalled", server.node_token());

  EXPECT_EQ(
      request_as(server, "GET", "/api/v1/pods", new_identity.certificate_pem, new_identity.key_pem)
          .status,
      200);
  EXPECT_EQ(
      request_as(server, "GET", "/api/v1/pods", old_identity.certificate_pem, old_identity.key_pem)
          .status,
      401);
  const Json renewal{{"nodeName", "pi"},
                     {"csr", pki::create_csr(pki::generate_key(), {"system:node:pi", {}})}};
  auto renewed = request_as(server, "POST", "/v1-skiff/node-certificate",
                            old_identity.certificate_pem, old_identity.key_pem, renewal.dump());
  EXPECT_EQ(renewed.status, 401) << renewed.body;
  EXPECT_NE(renewed.body.find("replaced when the node joined again"), std::string::npos)
      << renewed.body;

  // The node service (gRPC, mutual TLS) takes the new certificate and refuses the old one.
  auto hello = [&](const NodeCredentials& credentials) {
    auto channel = agent::nodeclient::mutual_tls_channel(
        "127.0.0.1:" + std::to_string(server.node_port()), [&] { return credentials; })();
    auto stub = skiff::node::v1::Node::NewStub(channel);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    context.AddMetadata("skiff-node-protocol", std::to_string(skiff::node::v1::PROTOCOL_VERSION_1));
    skiff::node::v1::HelloRequest request;
    request.set_node_name("pi");
    request.set_protocol_version(skiff::node::v1::PROTOCOL_VERSION_1);
    skiff::node::v1::HelloResponse response;
    return stub->Hello(&context, request, &response);
  };
  const grpc::Status accepted = hello(new_identity);
  EXPECT_TRUE(accepted.ok()) << accepted.error_message();
  const grpc::Status refused = hello(old_identity);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::UNAUTHENTICATED) << refused.error_message();
  EXPECT_NE(refused.error_message().find("replaced when the node joined again"), std::string::npos)
      << refused.error_message();
}

TEST(Security, BadSecurityFlagsStopTheServerWithAClearError) {
  TempDir dir;
  const std::vector<std::string> base = {
      SKIFF_BINARY,          "server", "--data-dir",     dir.path() + "/data",
      "--https-listen-port", "0",      "--disable-agent"};
  auto server_with = [&](std::vector<std::string> extra) {
    std::vector<std::string> argv = base;
    argv.insert(argv.end(), extra.begin(), extra.end());
    return run_command(argv, "", 60);
  };
  CommandResult period = server_with({"--certificate-check-period", "soon"});
  EXPECT_EQ(period.exit_code, 2) << period.err;
  EXPECT_NE(period.err.find("--certificate-check-period must be a duration"), std::string::npos)
      << period.err;

  const std::string token_file = dir.path() + "/tokens.csv";
  std::ofstream(token_file) << "# token,user,uid\ns3cret,alice,1\nlonely-token\n";
  CommandResult tokens = server_with({"--token-auth-file", token_file});
  EXPECT_EQ(tokens.exit_code, 1) << tokens.err;
  EXPECT_NE(tokens.err.find(token_file + ": token file line 3: expected token,user,uid"),
            std::string::npos)
      << tokens.err;
  CommandResult missing = server_with({"--token-auth-file", dir.path() + "/nope.csv"});
  EXPECT_EQ(missing.exit_code, 1) << missing.err;
  EXPECT_NE(missing.err.find("cannot read the token file"), std::string::npos) << missing.err;
  // Nothing was created before the check: the data dir is untouched.
  EXPECT_FALSE(fs::exists(dir.path() + "/data/server/tls"));
}

}  // namespace
}  // namespace skiff::testing
