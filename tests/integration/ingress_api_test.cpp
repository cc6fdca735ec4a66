// The Ingress plane's API side end to end, with a SIMULATED node (no proxy, no containers): a
// real `skiff server --disable-agent` creates the default IngressClass `skiff`, gives class-less
// Ingresses that class, writes the nodes' addresses into the status of the Ingresses it serves,
// and `skiff kubectl create ingress` / `create secret tls` build what the real kubectl builds.
// With `--disable ingress` none of it happens.
#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>

#include "pkg/api/json.h"
#include "tests/integration/support/simulated_nodes.h"
#include "tests/integration/support/test_server.h"
#include "tests/integration/support/wait.h"

namespace skiff::testing {
namespace {

using namespace std::chrono_literals;

#define EXPECT_OK(result) \
  EXPECT_EQ((result).exit_code, 0) << "stdout: " << (result).out << "\nstderr: " << (result).err

// The kubectl table row that starts with `name`.
std::string row(const std::string& table, const std::string& name) {
  std::istringstream lines(table);
  for (std::string line; std::getline(lines, line);)
    if (line.rfind(name + " ", 0) == 0) return line;
  return "";
}

// The whitespace-separated fields of a table line.
std::vector<std::string> fields(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> out;
  for (std::string field; in >> field;) out.push_back(field);
  return out;
}

Json parse(const std::string& text) {
  return Json::parse(text, nullptr, false);
}

class IngressApiTest : public ::testing::Test {
 protected:
  // A short grace period lets a silent node turn NotReady within the test.
  explicit IngressApiTest(std::vector<std::string> flags = {"--node-monitor-grace-period", "3s"})
      : server(std::move(flags)) {}

  void SetUp() override {
    if (access("/usr/bin/kubectl", X_OK) != 0)
      GTEST_SKIP() << "/usr/bin/kubectl is not installed: these tests drive the real kubectl";
  }
  void TearDown() override {
    if (nodes) nodes->stop();
  }
  void start_node() {
    SimulatedNodesOptions options;
    options.server_url = server.url();
    options.client = server.admin_client_options();
    options.count = 1;
    options.lease_renew_interval = 500ms;
    options.run_pods = false;
    nodes = std::make_unique<SimulatedNodes>(options);
    nodes->start();
  }
  // The object the real kubectl builds for `args` (client-side only).
  Json real_kubectl_object(std::vector<std::string> args) {
    args.insert(args.end(), {"--dry-run=client", "-o", "json"});
    CommandResult result = server.kubectl(args);
    EXPECT_OK(result);
    return parse(result.out);
  }
  Json skiff_kubectl_object(std::vector<std::string> args) {
    args.insert(args.end(), {"--dry-run=client", "-o", "json"});
    CommandResult result = server.skiff_kubectl(args);
    EXPECT_OK(result);
    return parse(result.out);
  }
  // `kubectl create ingress ...` as a user runs it (kubectl 1.32 sends it as protobuf).
  void create_ingress(const std::vector<std::string>& args) { EXPECT_OK(server.kubectl(args)); }
  Json load_balancer(const std::string& ingress) {
    Json object = server.get_json({"ingress", ingress});
    if (!object.is_object()) return nullptr;
    return object.value("status", Json::object())
        .value("loadBalancer", Json::object())
        .value("ingress", Json());
  }

  TestServer server;
  std::unique_ptr<SimulatedNodes> nodes;
};

TEST_F(IngressApiTest, DefaultClassAndStatusFromTheNodes) {
  // The class exists once the server is up, as k3s ships Traefik's.
  ASSERT_TRUE(wait_until(
      [&] {
        return server.get_json({"ingressclass", "skiff"}).is_object();
      },
      "IngressClass skiff"));
  Json klass = server.get_json({"ingressclass", "skiff"});
  EXPECT_EQ(klass["spec"]["controller"], "skiff.io/ingress");
  EXPECT_EQ(klass["metadata"]["annotations"]["ingressclass.kubernetes.io/is-default-class"],
            "true");
  auto classes = server.kubectl({"get", "ingressclass"});
  EXPECT_OK(classes);
  EXPECT_EQ(fields(row(classes.out, "skiff")).at(1), "skiff.io/ingress") << classes.out;

  // A class-less Ingress gets `skiff`; one of another class keeps it.
  create_ingress({"create", "ingress", "web", "--rule=a.example.test/*=web:80,tls=site"});
  create_ingress({"create", "ingress", "other", "--class=nginx", "--rule=b.example.test/=web:80"});
  EXPECT_EQ(server.get_json({"ingress", "web"})["spec"]["ingressClassName"], "skiff");
  EXPECT_EQ(server.get_json({"ingress", "other"})["spec"]["ingressClassName"], "nginx");

  // No node yet: no address.
  EXPECT_TRUE(load_balancer("web").is_null());
  start_node();
  ASSERT_TRUE(wait_until([&] { return load_balancer("web") == parse(R"([{"ip":"192.0.2.1"}])"); },
                         "the node's address in the status of `web`"));
  // What kubectl shows: the address, the class, hosts and the TLS port.
  auto table = server.kubectl({"get", "ingress"});
  EXPECT_OK(table);
  EXPECT_EQ(fields(row(table.out, "NAME")),
            (std::vector<std::string>{"NAME", "CLASS", "HOSTS", "ADDRESS", "PORTS", "AGE"}));
  std::vector<std::string> web = fields(row(table.out, "web"));
  ASSERT_EQ(web.size(), 7u) << table.out;  // "80, 443" is two fields
  EXPECT_EQ(web[1], "skiff");
  EXPECT_EQ(web[2], "a.example.test");
  EXPECT_EQ(web[3], "192.0.2.1");
  EXPECT_EQ(web[4] + " " + web[5], "80, 443");
  // skiff kubectl prints the same table (the server's).
  auto skiff_table = server.skiff_kubectl({"get", "ing"});
  EXPECT_OK(skiff_table);
  EXPECT_EQ(fields(row(skiff_table.out, "web")).at(3), "192.0.2.1") << skiff_table.out;
  EXPECT_EQ(row(skiff_table.out, "NAME"), row(table.out, "NAME"));

  // The Ingress of another class was left alone, though the controller has acted since.
  EXPECT_TRUE(load_balancer("other").is_null());
  std::vector<std::string> other = fields(row(table.out, "other"));
  ASSERT_EQ(other.size(), 5u) << table.out;  // no ADDRESS
  EXPECT_EQ(other[1], "nginx");

  // The node going away (NotReady) takes its address out again.
  nodes->stop_node(nodes->node_name(1));
  EXPECT_TRUE(wait_until([&] { return load_balancer("web").is_null(); },
                         "the address cleared when the node is NotReady"));
}

TEST_F(IngressApiTest, SkiffKubectlBuildsWhatKubectlBuilds) {
  const std::vector<std::vector<std::string>> cases = {
      {"create", "ingress", "simple", "--rule=foo.com/bar=svc1:8080,tls=my-cert"},
      {"create", "ingress", "multi", "--class=skiff", "--rule=foo.com/=svc:port",
       "--rule=foo.com/admin/*=svcadmin:portadmin", "--rule=bar.com/*=svc2:http,tls",
       "--rule=/any=svc3:80", "--default-backend=defaultsvc:http", "--annotation=a=b",
       "--annotation=c=d=e"},
  };
  for (const auto& args : cases) {
    Json real = real_kubectl_object(args);
    Json ours = skiff_kubectl_object(args);
    EXPECT_EQ(ours["apiVersion"], real["apiVersion"]);
    EXPECT_EQ(ours["kind"], real["kind"]);
    EXPECT_EQ(ours["metadata"]["name"], real["metadata"]["name"]);
    EXPECT_EQ(ours["metadata"].value("annotations", Json()),
              real["metadata"].value("annotations", Json()));
    EXPECT_EQ(ours["spec"], real["spec"]) << args[2];
  }
  // Errors as kubectl words them.
  auto bad = server.skiff_kubectl({"create", "ingress", "x", "--rule=foo.com"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_EQ(bad.err, server.kubectl({"create", "ingress", "x", "--rule=foo.com"}).err);

  // Created for real, it reads back as built.
  auto created = server.skiff_kubectl({"create", "ingress", "simple", "--class=skiff",
                                       "--rule=foo.com/bar*=svc1:8080,tls=my-cert"});
  EXPECT_OK(created);
  EXPECT_EQ(created.out, "ingress.networking.k8s.io/simple created\n");
  Json stored = server.get_json({"ingress", "simple"});
  EXPECT_EQ(stored["spec"],
            real_kubectl_object({"create", "ingress", "simple", "--class=skiff",
                                 "--rule=foo.com/bar*=svc1:8080,tls=my-cert"})["spec"]);

  // create secret tls with a fresh key pair.
  TempDir dir;
  const std::string key = dir.path() + "/k", cert = dir.path() + "/c";
  CommandResult openssl = run_command(
      {"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
       "-nodes", "-subj", "/CN=a.example.test", "-keyout", key, "-out", cert, "-days", "1"});
  ASSERT_EQ(openssl.exit_code, 0) << openssl.err;
  const std::vector<std::string> tls = {"create", "secret",         "tls",
                                        "site",   "--cert=" + cert, "--key=" + key};
  Json real = real_kubectl_object(tls);
  Json ours = skiff_kubectl_object(tls);
  EXPECT_EQ(ours["type"], "kubernetes.io/tls");
  EXPECT_EQ(ours["type"], real["type"]);
  EXPECT_EQ(ours["data"], real["data"]);
  EXPECT_EQ(ours["metadata"]["name"], real["metadata"]["name"]);
  auto secret = server.skiff_kubectl(tls);
  EXPECT_OK(secret);
  EXPECT_EQ(secret.out, "secret/site created\n");
  EXPECT_EQ(server.get_json({"secret", "site"})["data"], real["data"]);
  // A key that is not the certificate's, and a missing file: kubectl's errors.
  const std::string other_key = dir.path() + "/k2", other_cert = dir.path() + "/c2";
  ASSERT_EQ(run_command({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                         "ec_paramgen_curve:prime256v1", "-nodes", "-subj", "/CN=b", "-keyout",
                         other_key, "-out", other_cert, "-days", "1"})
                .exit_code,
            0);
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"create", "secret", "tls", "x", "--cert=" + cert, "--key=" + other_key},
           {"create", "secret", "tls", "x", "--cert=" + cert, "--key=" + dir.path() + "/none"},
           {"create", "secret", "tls", "x", "--cert=" + cert}}) {
    auto ours_bad = server.skiff_kubectl(args);
    EXPECT_EQ(ours_bad.exit_code, 1);
    EXPECT_EQ(ours_bad.err, server.kubectl(args).err);
  }
}

TEST_F(IngressApiTest, TheClassIsTheUsersAfterStart) {
  ASSERT_TRUE(wait_until(
      [&] {
        return server.get_json({"ingressclass", "skiff"}).is_object();
      },
      "IngressClass skiff"));
  // Taking the default mark away sticks, across a restart too, and new Ingresses get no class.
  EXPECT_OK(server.kubectl({"annotate", "ingressclass", "skiff", "--overwrite",
                            "ingressclass.kubernetes.io/is-default-class=false"}));
  server.stop();
  server.start();
  Json klass = server.get_json({"ingressclass", "skiff"});
  ASSERT_TRUE(klass.is_object());
  EXPECT_EQ(klass["metadata"]["annotations"]["ingressclass.kubernetes.io/is-default-class"],
            "false");
  create_ingress({"create", "ingress", "plain", "--rule=a.example.test/=web:80"});
  EXPECT_FALSE(server.get_json({"ingress", "plain"})["spec"].contains("ingressClassName"));
  // Deleted, it is back after the next start.
  EXPECT_OK(server.kubectl({"delete", "ingressclass", "skiff"}));
  server.stop();
  server.start();
  EXPECT_TRUE(wait_until(
      [&] {
        Json back = server.get_json({"ingressclass", "skiff"});
        return back.is_object() &&
               back["metadata"]["annotations"]["ingressclass.kubernetes.io/is-default-class"] ==
                   "true";
      },
      "IngressClass skiff created again at start"));
}

class IngressDisabledTest : public IngressApiTest {
 protected:
  IngressDisabledTest() : IngressApiTest({"--disable", "ingress"}) {}
};

TEST_F(IngressDisabledTest, NoClassAndNoStatus) {
  create_ingress({"create", "ingress", "web", "--rule=a.example.test/=web:80"});
  // A LoadBalancer Service shows when the controllers have seen the Ready node.
  EXPECT_OK(server.kubectl(
      {"create", "-f", "-"},
      real_kubectl_object({"create", "service", "loadbalancer", "lb", "--tcp=8080:80"}).dump()));
  start_node();
  ASSERT_TRUE(wait_until(
      [&] {
        Json lb = server.get_json({"service", "lb"});
        return lb.is_object() && lb["status"]["loadBalancer"].contains("ingress");
      },
      "ServiceLB's address for lb"));
  EXPECT_TRUE(load_balancer("web").is_null());
  EXPECT_FALSE(server.get_json({"ingress", "web"})["spec"].contains("ingressClassName"));
  auto classes = server.kubectl({"get", "ingressclass"});
  EXPECT_OK(classes);
  EXPECT_EQ(classes.out, "");
  EXPECT_EQ(classes.err, "No resources found\n");
}

}  // namespace
}  // namespace skiff::testing
