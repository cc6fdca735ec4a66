// The ingress proxy on loopback against small real HTTP backends: routing by host and path,
// keep-alive and upstream pooling, 404/502/503/504, streaming bodies, chunked answers, Upgrade
// tunnels, header limits and TLS certificates chosen by SNI (checked with the openssl and curl
// command-line clients). The proxy runs in this process, fed snapshots the way the agent feeds
// it; the end-to-end test with pods and kubectl is ingress_podman_test.
#include <gtest/gtest.h>

#include <fstream>
#include <limits>
#include <sstream>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include "agent/ingress/ingress_proxy.h"
#include "agent/ingress/io_ring.h"
#include "agent/ingress/snapshot_builder.h"
#include "pkg/api/base64.h"
#include "pkg/log/log.h"
#include "tests/integration/support/http_test_backend.h"
#include "tests/integration/support/test_server.h"
#include "tests/integration/support/wait.h"

namespace skiff::testing {
namespace {

namespace net = boost::asio;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;
using agent::ingress::build_snapshot;
using agent::ingress::CertificateCache;
using agent::ingress::IngressProxy;
using agent::ingress::ProxyOptions;
using agent::ingress::SnapshotInput;

struct Response {
  unsigned status = 0;
  std::string body;
  bool keep_alive = false;
  std::string header(const std::string& name) const {
    auto found = headers.find(name);
    return found == headers.end() ? "" : found->second;
  }
  std::map<std::string, std::string> headers;
};

// A client connection that sends raw HTTP and reads whole answers.
class Connection {
 public:
  explicit Connection(unsigned short port) : socket_(context_) {
    socket_.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  }
  void send(std::string_view raw) { net::write(socket_, net::buffer(raw.data(), raw.size())); }
  Response read(bool head = false) {
    http::response_parser<http::string_body> parser;
    parser.body_limit(std::numeric_limits<std::uint64_t>::max());
    parser.skip(head);
    http::read(socket_, buffer_, parser);
    Response response;
    response.status = parser.get().result_int();
    response.body = parser.get().body();
    response.keep_alive = parser.get().keep_alive();
    for (const auto& field : parser.get()) {
      response.headers[std::string(field.name_string())] = std::string(field.value());
    }
    return response;
  }
  Response get(const std::string& host, const std::string& target, const std::string& extra = "") {
    send("GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\n" + extra + "\r\n");
    return read();
  }
  // Asks for a WebSocket upgrade; returns the answer's header (a 101 when the tunnel is open).
  std::string upgrade(const std::string& host, const std::string& target) {
    send("GET " + target + " HTTP/1.1\r\nHost: " + host +
         "\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n\r\n");
    return read_head();
  }
  // An answer's header, byte by byte, so nothing after it (a tunnel's bytes) is consumed.
  std::string read_head() {
    std::string head;
    char byte;
    while (head.find("\r\n\r\n") == std::string::npos) {
      net::read(socket_, net::buffer(&byte, 1));
      head += byte;
    }
    return head;
  }
  // True when the proxy closed the connection (read returns end of file).
  bool closed() {
    boost::system::error_code error;
    char byte;
    socket_.read_some(net::buffer(&byte, 1), error);
    return error == net::error::eof || error == net::error::connection_reset;
  }
  tcp::socket& socket() { return socket_; }

 private:
  net::io_context context_;
  tcp::socket socket_;
  boost::beast::flat_buffer buffer_;
};

Json service(const std::string& name) {
  return {{"apiVersion", "v1"},
          {"kind", "Service"},
          {"metadata", {{"name", name}, {"namespace", "default"}}},
          {"spec",
           {{"clusterIP", "10.43.0.50"},
            {"ports", {{{"name", "http"}, {"port", 80}, {"protocol", "TCP"}}}}}}};
}

Json slice(const std::string& service_name, const std::vector<unsigned short>& ports_on_loopback) {
  Json endpoints = Json::array();
  // One slice per port would be the real shape for differing target ports; here each service
  // has one backend port, so one slice suffices.
  for (size_t i = 0; i < ports_on_loopback.size(); ++i) {
    endpoints.push_back({{"addresses", {"127.0.0.1"}}, {"conditions", {{"ready", true}}}});
  }
  Json ports = Json::array();
  if (!ports_on_loopback.empty()) {
    ports.push_back({{"name", "http"}, {"port", ports_on_loopback.front()}, {"protocol", "TCP"}});
  }
  return {{"apiVersion", "discovery.k8s.io/v1"},
          {"kind", "EndpointSlice"},
          {"metadata",
           {{"name", service_name + "-abcde"},
            {"namespace", "default"},
            {"labels", {{"kubernetes.io/service-name", service_name}}}}},
          {"addressType", "IPv4"},
          {"endpoints", endpoints},
          {"ports", ports}};
}

Json path(const std::string& value, const std::string& type, const std::string& service_name) {
  return {{"path", value},
          {"pathType", type},
          {"backend", {{"service", {{"name", service_name}, {"port", {{"number", 80}}}}}}}};
}

Json ingress(const std::string& name, Json rules, Json tls = Json::array()) {
  Json object = {
      {"apiVersion", "networking.k8s.io/v1"},
      {"kind", "Ingress"},
      {"metadata",
       {{"name", name}, {"namespace", "default"}, {"creationTimestamp", "2026-11-26T00:00:00Z"}}},
      {"spec", {{"ingressClassName", "skiff"}, {"rules", rules}}}};
  if (!tls.empty()) object["spec"]["tls"] = tls;
  return object;
}

Json host_rule(const std::string& host, Json paths) {
  return {{"host", host}, {"http", {{"paths", paths}}}};
}

size_t peak_rss_kib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stoul(line.substr(6));
  }
  return 0;
}

bool kernel_has_io_uring() {
  try {
    agent::ingress::IoRing ring(4);
    return true;
  } catch (const std::system_error&) {
    return false;
  }
}

// Every test runs twice: with the workers' I/O through io_uring (the default) and through
// Asio's epoll reactor (the fallback where io_uring is not allowed).
class IngressProxyTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    if (GetParam() && !kernel_has_io_uring()) GTEST_SKIP() << "this kernel refuses io_uring";
    input_.services = Json::array({service("svc-a"), service("svc-b"), service("svc-none")});
    input_.endpoint_slices =
        Json::array({slice("svc-a", {a_.port()}), slice("svc-b", {b_.port()})});
    input_.ingresses = {ingress(
        "web", Json::array({host_rule("a.example.test", {path("/", "Prefix", "svc-a")}),
                            host_rule("b.example.test", {path("/api", "Prefix", "svc-b"),
                                                         path("/down", "Prefix", "svc-none")})}))};
  }

  void start(ProxyOptions options = {}) {
    options.bind_address = "127.0.0.1";
    options.http_port = 0;
    options.https_port = 0;
    options.workers = 2;
    options.io_uring = GetParam();
    proxy_ = std::make_unique<IngressProxy>(options);
    proxy_->start();
    publish();
    // Workers choose at start: a test of one kind must not run on the other.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (proxy_->uses_io_uring() != GetParam() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ASSERT_EQ(proxy_->uses_io_uring(), GetParam());
  }
  void publish() {
    auto build = build_snapshot(input_, certificates_);
    for (const auto& problem : build.problems) ADD_FAILURE() << problem;
    proxy_->publish(build.snapshot);
  }
  unsigned short port() const { return proxy_->http_port(); }

  HttpTestBackend a_{"a"};
  HttpTestBackend b_{"b"};
  SnapshotInput input_;
  CertificateCache certificates_;
  std::unique_ptr<IngressProxy> proxy_;
};

TEST_P(IngressProxyTest, RoutesByHostAndPathAndTellsTheBackendWhoAsked) {
  start();
  Connection client(port());
  Response a = client.get("a.example.test", "/anything?x=1");
  EXPECT_EQ(a.status, 200u);
  EXPECT_NE(a.body.find("backend=a method=GET target=/anything?x=1 host=a.example.test"),
            std::string::npos)
      << a.body;
  EXPECT_NE(a.body.find("X-Forwarded-For: 127.0.0.1\n"), std::string::npos) << a.body;
  EXPECT_NE(a.body.find("X-Real-IP: 127.0.0.1\n"), std::string::npos);
  EXPECT_NE(a.body.find("X-Forwarded-Proto: http\n"), std::string::npos);
  EXPECT_NE(a.body.find("X-Forwarded-Host: a.example.test\n"), std::string::npos);
  // A host is matched case-insensitively and with its port.
  EXPECT_NE(client.get("A.Example.Test:" + std::to_string(port()), "/").body.find("backend=a"),
            std::string::npos);

  EXPECT_NE(client.get("b.example.test", "/api").body.find("backend=b"), std::string::npos);
  EXPECT_NE(client.get("b.example.test", "/api/v1/items").body.find("backend=b"),
            std::string::npos);
  // Prefix matching is by path element, and other hosts have no rule.
  Response no_element = client.get("b.example.test", "/apix");
  EXPECT_EQ(no_element.status, 404u);
  EXPECT_NE(no_element.body.find("no Ingress rule"), std::string::npos);
  EXPECT_EQ(client.get("c.example.test", "/").status, 404u);
  // A chain the client sent is kept in front of its own address.
  Response chained = client.get("a.example.test", "/", "X-Forwarded-For: 203.0.113.7\r\n");
  EXPECT_NE(chained.body.find("X-Forwarded-For: 203.0.113.7, 127.0.0.1\n"), std::string::npos)
      << chained.body;
  EXPECT_TRUE(chained.keep_alive);
}

TEST_P(IngressProxyTest, KeepsClientAndUpstreamConnectionsAlive) {
  start();
  Connection client(port());
  for (int i = 0; i < 50; ++i) {
    Response response = client.get("a.example.test", "/n/" + std::to_string(i));
    ASSERT_EQ(response.status, 200u) << i;
    ASSERT_NE(response.body.find("target=/n/" + std::to_string(i)), std::string::npos);
  }
  // One client connection is served by one worker, which reuses one upstream connection.
  EXPECT_EQ(a_.connections_accepted(), 1);
  EXPECT_EQ(proxy_->counters().upstream_connects.load(), 1u);
}

TEST_P(IngressProxyTest, AnswersServiceUnavailableUntilEndpointsAppear) {
  start();
  Connection client(port());
  Response down = client.get("b.example.test", "/down");
  EXPECT_EQ(down.status, 503u);
  EXPECT_NE(down.body.find("no ready endpoints for service default/svc-none:80"), std::string::npos)
      << down.body;
  EXPECT_TRUE(down.keep_alive);
  EXPECT_EQ(proxy_->counters().unavailable.load(), 1u);
  // The route change reaches the connection already open, between two of its requests.
  input_.endpoint_slices.push_back(slice("svc-none", {a_.port()}));
  publish();
  Response up = client.get("b.example.test", "/down");
  EXPECT_EQ(up.status, 200u);
  EXPECT_NE(up.body.find("backend=a"), std::string::npos);
}

TEST_P(IngressProxyTest, BadGatewayWhenTheUpstreamRefusesAndTimeoutWhenItIsSilent) {
  // A port nothing listens on: bind one, note it, close it.
  unsigned short closed_port = 0;
  {
    net::io_context context;
    tcp::acceptor acceptor(context, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
    closed_port = acceptor.local_endpoint().port();
  }
  input_.endpoint_slices =
      Json::array({slice("svc-a", {a_.port()}), slice("svc-b", {closed_port})});
  ProxyOptions options;
  options.upstream_read_timeout = std::chrono::milliseconds(1000);
  start(options);
  Connection client(port());
  Response refused = client.get("b.example.test", "/api");
  EXPECT_EQ(refused.status, 502u);
  EXPECT_NE(refused.body.find("default/svc-b:80"), std::string::npos) << refused.body;
  EXPECT_EQ(refused.body.find("127.0.0.1"), std::string::npos) << "no pod address is shown";

  const auto begin = std::chrono::steady_clock::now();
  Response slow = client.get("a.example.test", "/slow/4000");
  const auto waited = std::chrono::steady_clock::now() - begin;
  EXPECT_EQ(slow.status, 504u);
  EXPECT_LT(waited, std::chrono::milliseconds(3500));
  EXPECT_GE(waited, std::chrono::milliseconds(900));
  // The client connection survives both.
  EXPECT_EQ(client.get("a.example.test", "/").status, 200u);
}

TEST_P(IngressProxyTest, StreamsLargeBodiesBothWaysWithoutHoldingThem) {
  start();
  constexpr size_t kBytes = 128u * 1024 * 1024;
  const size_t rss_before = peak_rss_kib();
  Connection client(port());
  // Upload with a Content-Length, in 1 MiB writes.
  client.send("PUT /upload HTTP/1.1\r\nHost: a.example.test\r\nContent-Length: " +
              std::to_string(kBytes) + "\r\n\r\n");
  const std::string piece(1024 * 1024, 'u');
  for (size_t sent = 0; sent < kBytes; sent += piece.size()) client.send(piece);
  Response uploaded = client.read();
  EXPECT_EQ(uploaded.status, 200u);
  EXPECT_NE(uploaded.body.find("body=" + std::to_string(kBytes)), std::string::npos)
      << uploaded.body.substr(0, 200);

  // A chunked upload.
  client.send(
      "POST /chunks HTTP/1.1\r\nHost: a.example.test\r\nTransfer-Encoding: chunked\r\n\r\n");
  for (int i = 0; i < 8; ++i) {
    std::ostringstream chunk;
    chunk << std::hex << piece.size() << "\r\n";
    client.send(chunk.str());
    client.send(piece);
    client.send("\r\n");
  }
  client.send("0\r\n\r\n");
  Response chunked = client.read();
  EXPECT_NE(chunked.body.find("body=" + std::to_string(8 * piece.size())), std::string::npos);

  // A download, read in pieces as it arrives.
  client.send("GET /download/" + std::to_string(kBytes) +
              " HTTP/1.1\r\nHost: a.example.test\r\n\r\n");
  http::response_parser<http::buffer_body> parser;
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());
  boost::beast::flat_buffer buffer;
  http::read_header(client.socket(), buffer, parser);
  std::vector<char> sink(64 * 1024);
  size_t received = 0;
  while (!parser.is_done()) {
    parser.get().body().data = sink.data();
    parser.get().body().size = sink.size();
    boost::system::error_code error;
    http::read(client.socket(), buffer, parser, error);
    ASSERT_TRUE(!error || error == http::error::need_buffer) << error.message();
    received += sink.size() - parser.get().body().size;
  }
  EXPECT_EQ(received, kBytes);
  // 128 MiB went each way; the whole process (proxy, backend and this client) grew by far less.
  const size_t growth_kib = peak_rss_kib() - rss_before;
  EXPECT_LT(growth_kib, 24u * 1024) << "peak RSS grew by " << growth_kib << " KiB";
}

TEST_P(IngressProxyTest, PassesChunkedAnswersAndHeadAndHttp10) {
  start();
  Connection client(port());
  Response chunked = client.get("a.example.test", "/chunked");
  EXPECT_EQ(chunked.body, "alphabetagamma");
  EXPECT_EQ(chunked.header("Transfer-Encoding"), "chunked");

  client.send("HEAD / HTTP/1.1\r\nHost: a.example.test\r\n\r\n");
  Response head = client.read(true);
  EXPECT_EQ(head.status, 200u);
  EXPECT_FALSE(head.header("Content-Length").empty());
  // The connection is still in step after a body-less answer.
  EXPECT_EQ(client.get("a.example.test", "/").status, 200u);

  Connection old(port());
  old.send("GET /chunked HTTP/1.0\r\nHost: a.example.test\r\n\r\n");
  Response unframed = old.read();
  EXPECT_EQ(unframed.body, "alphabetagamma");
  EXPECT_TRUE(unframed.header("Transfer-Encoding").empty());
  EXPECT_TRUE(old.closed());
}

TEST_P(IngressProxyTest, PassesAStreamOnAsItComes) {
  start();
  Connection client(port());
  client.send("GET /drip HTTP/1.1\r\nHost: a.example.test\r\n\r\n");
  // The backend sends its header and a first chunk, then waits a second before the rest: the
  // first chunk must arrive long before that.
  const auto begin = std::chrono::steady_clock::now();
  std::string received;
  char piece[256];
  while (received.find("first") == std::string::npos) {
    const size_t got = client.socket().read_some(net::buffer(piece));
    received.append(piece, got);
  }
  EXPECT_LT(std::chrono::steady_clock::now() - begin, std::chrono::milliseconds(700));
  EXPECT_EQ(received.find("second"), std::string::npos);
  EXPECT_EQ(received.rfind("HTTP/1.1 200", 0), 0u) << received;
}

TEST_P(IngressProxyTest, TunnelsUpgradedConnections) {
  start();
  Connection client(port());
  const std::string head = client.upgrade("a.example.test", "/socket");
  EXPECT_EQ(head.rfind("HTTP/1.1 101", 0), 0u) << head;
  EXPECT_NE(head.find("Upgrade: websocket"), std::string::npos) << head;
  for (std::string message : {"hello", "through the tunnel"}) {
    client.send(message);
    std::string echoed(message.size(), '\0');
    net::read(client.socket(), net::buffer(echoed.data(), echoed.size()));
    EXPECT_EQ(echoed, message);
  }
  EXPECT_EQ(proxy_->counters().upgrades.load(), 1u);
}

TEST_P(IngressProxyTest, RefusesOversizedHeadersAndGarbage) {
  ProxyOptions options;
  options.header_limit = 4096;
  start(options);
  Connection big(port());
  Response refused = big.get("a.example.test", "/", "X-Big: " + std::string(8000, 'z') + "\r\n");
  EXPECT_EQ(refused.status, 431u);
  Connection garbage(port());
  garbage.send("NOT HTTP AT ALL\r\n\r\n");
  EXPECT_EQ(garbage.read().status, 400u);
  EXPECT_EQ(proxy_->counters().bad_requests.load(), 2u);
}

std::string certificate_subject(unsigned short port, const std::string& server_name) {
  // s_client prints the peer certificate; x509 extracts its subject.
  CommandResult result =
      run_command({"sh", "-c",
                   "openssl s_client -connect 127.0.0.1:" + std::to_string(port) + " -servername " +
                       server_name + " </dev/null 2>/dev/null | openssl x509 -noout -subject"});
  return result.out;
}

Json tls_secret(const std::string& name, const std::string& directory) {
  auto read = [](const std::string& file) {
    std::ifstream in(file);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  };
  return {{"apiVersion", "v1"},
          {"kind", "Secret"},
          {"type", "kubernetes.io/tls"},
          {"metadata", {{"name", name}, {"namespace", "default"}, {"resourceVersion", "1"}}},
          {"data",
           {{"tls.crt", api::base64_encode(read(directory + "/tls.crt"))},
            {"tls.key", api::base64_encode(read(directory + "/tls.key"))}}}};
}

void make_certificate(const std::string& directory, const std::string& common_name) {
  CommandResult made =
      run_command({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                   "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj",
                   "/CN=" + common_name, "-addext", "subjectAltName=DNS:" + common_name, "-keyout",
                   directory + "/tls.key", "-out", directory + "/tls.crt"});
  ASSERT_EQ(made.exit_code, 0) << made.err;
}

TEST_P(IngressProxyTest, ServesTheSecretsCertificateBySniAndReloadsIt) {
  TempDir first, second;
  make_certificate(first.path(), "a.example.test");
  make_certificate(second.path(), "a.example.test");
  input_.ingresses.front()["spec"]["tls"] =
      Json::array({{{"hosts", {"a.example.test"}}, {"secretName", "a-tls"}}});
  input_.secrets = {tls_secret("a-tls", first.path())};
  start();
  const unsigned short tls_port = proxy_->https_port();

  EXPECT_NE(certificate_subject(tls_port, "a.example.test").find("CN = a.example.test"),
            std::string::npos);
  EXPECT_NE(certificate_subject(tls_port, "other.example.test")
                .find("CN = skiff ingress default certificate"),
            std::string::npos);
  // curl checks the chain and the name against the Secret's certificate.
  const std::string resolve = "a.example.test:" + std::to_string(tls_port) + ":127.0.0.1";
  CommandResult fetched =
      run_command({"curl", "-sS", "--cacert", first.path() + "/tls.crt", "--resolve", resolve,
                   "https://a.example.test:" + std::to_string(tls_port) + "/secure"});
  EXPECT_EQ(fetched.exit_code, 0) << fetched.err;
  EXPECT_NE(fetched.out.find("backend=a method=GET target=/secure"), std::string::npos);
  EXPECT_NE(fetched.out.find("X-Forwarded-Proto: https"), std::string::npos) << fetched.out;

  // The Secret changes: new handshakes get the new certificate, no restart.
  Json replaced = tls_secret("a-tls", second.path());
  replaced["metadata"]["resourceVersion"] = "2";
  input_.secrets = {replaced};
  publish();
  CommandResult with_new =
      run_command({"curl", "-sS", "--cacert", second.path() + "/tls.crt", "--resolve", resolve,
                   "https://a.example.test:" + std::to_string(tls_port) + "/"});
  EXPECT_EQ(with_new.exit_code, 0) << with_new.err;
  CommandResult with_old =
      run_command({"curl", "-sS", "--cacert", first.path() + "/tls.crt", "--resolve", resolve,
                   "https://a.example.test:" + std::to_string(tls_port) + "/"});
  EXPECT_NE(with_old.exit_code, 0) << "the old certificate is no longer served";
}

TEST_P(IngressProxyTest, StopsPromptlyWithConnectionsInEveryState) {
  start();
  // Idle keep-alive, with its upstream connection parked.
  Connection idle(port());
  EXPECT_EQ(idle.get("a.example.test", "/").status, 200u);
  // Half a request header.
  Connection partial(port());
  partial.send("GET / HTTP/1.1\r\nHost: a.exa");
  // Waiting for a slow upstream.
  Connection waiting(port());
  waiting.send("GET /slow/1500 HTTP/1.1\r\nHost: a.example.test\r\n\r\n");
  // An open tunnel.
  Connection tunnel(port());
  const std::string head = tunnel.upgrade("a.example.test", "/socket");
  ASSERT_EQ(head.rfind("HTTP/1.1 101", 0), 0u) << head;
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // the slow request is upstream

  const auto begin = std::chrono::steady_clock::now();
  proxy_->stop();
  EXPECT_LT(std::chrono::steady_clock::now() - begin, std::chrono::seconds(2));
  // Every client sees its connection end; nothing is left serving it.
  for (Connection* client : {&idle, &partial, &waiting, &tunnel}) EXPECT_TRUE(client->closed());
}

INSTANTIATE_TEST_SUITE_P(IoUringAndEpoll, IngressProxyTest, ::testing::Values(true, false),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return std::string(info.param ? "io_uring" : "epoll");
                         });

}  // namespace
}  // namespace skiff::testing
