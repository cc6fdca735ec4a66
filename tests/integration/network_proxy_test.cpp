// The service proxy's rules in a real kernel, in namespaces of the test's own: a "node"
// namespace with a pod bridge (two "pod" namespaces on it, each running a small TCP/UDP server
// that answers with its name and the client address it sees) and an "ext" namespace on a second
// link, standing for a machine off the node. The rules are applied inside the node namespace by
// NftTable, through `ip netns exec <node> nft -f -`. Runs as root; skipped otherwise.
//
//   ext 192.168.77.2 ── 192.168.77.1 node 10.42.0.1 (br0) ── pod1 10.42.0.11, pod2 10.42.0.12
//   (the node's default route points to ext, which does not forward)
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <future>
#include <memory>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "agent/network/nft_command.h"
#include "agent/network/nft_ruleset.h"
#include "agent/network/nft_table.h"
#include "agent/network/proxy_model.h"
#include "tests/integration/support/netns.h"
#include "tests/unit/support/network_objects.h"

namespace skiff::agent::network {
namespace {

using skiff::testing::NetworkNamespace;
using skiff::testing::network::endpoint;
using skiff::testing::network::endpoint_slice;
using skiff::testing::network::port;
using skiff::testing::network::service;

constexpr int kPodTcpPort = 8080;
constexpr int kPodUdpPort = 5353;

// A socket closed on destruction.
class Socket {
 public:
  explicit Socket(int fd = -1) : fd_(fd) {}
  ~Socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  Socket(Socket&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Socket& operator=(Socket&& other) noexcept {
    std::swap(fd_, other.fd_);
    return *this;
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

sockaddr_in address_of(const std::string& ip, int port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, ip.c_str(), &address.sin_addr);
  return address;
}

std::string peer_of(int fd, const sockaddr_in* from = nullptr) {
  sockaddr_in peer{};
  socklen_t length = sizeof peer;
  if (from) {
    peer = *from;
  } else {
    ::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &length);
  }
  char text[INET_ADDRSTRLEN] = {};
  inet_ntop(AF_INET, &peer.sin_addr, text, sizeof text);
  return text;
}

bool wait_readable(int fd, std::chrono::milliseconds timeout) {
  pollfd watch{fd, POLLIN, 0};
  return ::poll(&watch, 1, static_cast<int>(timeout.count())) == 1;
}

// Reads one "\n"-terminated line; "" on EOF, error or timeout.
std::string read_line(int fd, std::chrono::milliseconds timeout) {
  std::string line;
  char c;
  while (wait_readable(fd, timeout) && ::read(fd, &c, 1) == 1) {
    if (c == '\n') return line;
    line += c;
  }
  return "";
}

// The endpoint: on TCP greets every connection with "<name> <client ip>\n" and answers every
// line with "<name>\n"; on UDP answers a datagram with the greeting. Serves from its own thread
// inside the pod's namespace until destroyed.
class NameServer {
 public:
  NameServer(const NetworkNamespace& pod, std::string name) : name_(std::move(name)) {
    if (::pipe2(stop_, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
    std::promise<void> bound;
    auto ready = bound.get_future();
    thread_ = std::thread([this, &pod, bound = std::move(bound)]() mutable {
      try {
        pod.enter([&] { listen_and_serve(bound); });
      } catch (...) {
        try {
          bound.set_exception(std::current_exception());
        } catch (...) {
        }
      }
    });
    try {
      ready.get();
    } catch (...) {
      stop();
      throw;
    }
  }
  ~NameServer() { stop(); }

 private:
  void stop() {
    if (thread_.joinable()) {
      (void)!::write(stop_[1], "x", 1);
      thread_.join();
    }
    ::close(stop_[0]);
    ::close(stop_[1]);
  }

  void listen_and_serve(std::promise<void>& bound) {
    Socket tcp(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    Socket udp(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    int on = 1;
    ::setsockopt(tcp.get(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    sockaddr_in tcp_address = address_of("0.0.0.0", kPodTcpPort);
    sockaddr_in udp_address = address_of("0.0.0.0", kPodUdpPort);
    if (::bind(tcp.get(), reinterpret_cast<sockaddr*>(&tcp_address), sizeof tcp_address) != 0 ||
        ::listen(tcp.get(), 64) != 0 ||
        ::bind(udp.get(), reinterpret_cast<sockaddr*>(&udp_address), sizeof udp_address) != 0)
      throw std::runtime_error(name_ + ": bind: " + std::strerror(errno));
    bound.set_value();

    std::vector<Socket> connections;
    for (;;) {
      std::vector<pollfd> watch = {
          {stop_[0], POLLIN, 0}, {tcp.get(), POLLIN, 0}, {udp.get(), POLLIN, 0}};
      for (const auto& connection : connections) watch.push_back({connection.get(), POLLIN, 0});
      if (::poll(watch.data(), watch.size(), -1) < 0) continue;
      if (watch[0].revents) return;
      if (watch[1].revents) {
        Socket accepted(::accept4(tcp.get(), nullptr, nullptr, SOCK_CLOEXEC));
        std::string greeting = name_ + " " + peer_of(accepted.get()) + "\n";
        (void)!::write(accepted.get(), greeting.data(), greeting.size());
        connections.push_back(std::move(accepted));
      }
      if (watch[2].revents) {
        char buffer[64];
        sockaddr_in from{};
        socklen_t length = sizeof from;
        if (::recvfrom(udp.get(), buffer, sizeof buffer, 0, reinterpret_cast<sockaddr*>(&from),
                       &length) >= 0) {
          std::string greeting = name_ + " " + peer_of(-1, &from) + "\n";
          ::sendto(udp.get(), greeting.data(), greeting.size(), 0,
                   reinterpret_cast<sockaddr*>(&from), length);
        }
      }
      for (size_t i = 3; i < watch.size(); ++i) {
        if (!watch[i].revents) continue;
        char buffer[256];
        ssize_t n = ::read(watch[i].fd, buffer, sizeof buffer);
        if (n <= 0) {
          connections[i - 3] = Socket();  // closed below
        } else {
          std::string answer = name_ + "\n";
          (void)!::write(watch[i].fd, answer.data(), answer.size());
        }
      }
      std::erase_if(connections, [](const Socket& s) { return s.get() < 0; });
    }
  }

  std::string name_;
  int stop_[2] = {-1, -1};
  std::thread thread_;
};

// A TCP connection opened from inside `from`; "error: ..." describes a failed connect.
struct Connection {
  Socket socket;
  std::string greeting;
};

Connection connect_from(const NetworkNamespace& from, const std::string& ip, int port,
                        std::chrono::milliseconds timeout = std::chrono::seconds(3)) {
  Connection connection;
  from.enter([&] {
    Socket s(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    sockaddr_in target = address_of(ip, port);
    int rc = ::connect(s.get(), reinterpret_cast<sockaddr*>(&target), sizeof target);
    if (rc != 0 && errno != EINPROGRESS) {
      connection.greeting = std::string("error: ") + std::strerror(errno);
      return;
    }
    pollfd watch{s.get(), POLLOUT, 0};
    if (::poll(&watch, 1, static_cast<int>(timeout.count())) != 1) {
      connection.greeting = "error: timed out";
      return;
    }
    int error = 0;
    socklen_t length = sizeof error;
    ::getsockopt(s.get(), SOL_SOCKET, SO_ERROR, &error, &length);
    if (error != 0) {
      connection.greeting = std::string("error: ") + std::strerror(error);
      return;
    }
    connection.greeting = read_line(s.get(), timeout);
    connection.socket = std::move(s);
  });
  return connection;
}

std::string greeting_from(const NetworkNamespace& from, const std::string& ip, int port,
                          std::chrono::milliseconds timeout = std::chrono::seconds(3)) {
  return connect_from(from, ip, port, timeout).greeting;
}

// The name part of a greeting ("pod1 10.42.0.1" -> "pod1").
std::string who(const std::string& greeting) {
  return greeting.substr(0, greeting.find(' '));
}

std::string udp_greeting_from(const NetworkNamespace& from, const std::string& ip, int port) {
  std::string answer = "error: timed out";
  from.enter([&] {
    Socket s(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    sockaddr_in target = address_of(ip, port);
    ::sendto(s.get(), "?", 1, 0, reinterpret_cast<sockaddr*>(&target), sizeof target);
    if (!wait_readable(s.get(), std::chrono::seconds(3))) return;
    char buffer[128];
    ssize_t n = ::recv(s.get(), buffer, sizeof buffer, 0);
    if (n > 0) answer = std::string(buffer, static_cast<size_t>(n) - 1);
  });
  return answer;
}

struct Topology {
  NetworkNamespace node{"node"};
  NetworkNamespace pod1{"pod1"};
  NetworkNamespace pod2{"pod2"};
  NetworkNamespace ext{"ext"};

  Topology() {
    auto ip = [](const NetworkNamespace& ns, std::vector<std::string> args) {
      args.insert(args.begin(), {"ip", "-n", ns.name()});
      skiff::testing::must_run(args);
    };
    ip(node, {"link", "add", "br0", "type", "bridge"});
    ip(node, {"addr", "add", "10.42.0.1/24", "dev", "br0"});
    ip(node, {"link", "set", "br0", "up"});
    node.must({"sysctl", "-qw", "net.ipv4.ip_forward=1"});
    int index = 1;
    for (const NetworkNamespace* pod : {&pod1, &pod2}) {
      std::string host_side = "vp" + std::to_string(index);
      ip(node,
         {"link", "add", host_side, "type", "veth", "peer", "name", "eth0", "netns", pod->name()});
      ip(node, {"link", "set", host_side, "master", "br0", "up"});
      // As the bridge CNI's hairpinMode: with br_netfilter loaded, a pod reaching itself
      // through a service is DNATed while bridged and must go back out the port it came in.
      ip(node, {"link", "set", host_side, "type", "bridge_slave", "hairpin", "on"});
      ip(*pod, {"addr", "add", "10.42.0.1" + std::to_string(index) + "/24", "dev", "eth0"});
      ip(*pod, {"link", "set", "eth0", "up"});
      ip(*pod, {"route", "add", "default", "via", "10.42.0.1"});
      ++index;
    }
    ip(node, {"link", "add", "ext0", "type", "veth", "peer", "name", "eth0", "netns", ext.name()});
    ip(node, {"addr", "add", "192.168.77.1/24", "dev", "ext0"});
    ip(node, {"link", "set", "ext0", "up"});
    ip(ext, {"addr", "add", "192.168.77.2/24", "dev", "eth0"});
    ip(ext, {"link", "set", "eth0", "up"});
    ip(ext, {"route", "add", "default", "via", "192.168.77.1"});
    // Like a real node, a default route (service IPs have no route of their own).
    ip(node, {"route", "add", "default", "via", "192.168.77.2"});
  }
};

class NetworkProxyTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    skip_reason_ = skiff::testing::netns_unavailable_reason();
    if (!skip_reason_.empty()) return;
    topology_ = std::make_unique<Topology>();
    pod1_server_ = std::make_unique<NameServer>(topology_->pod1, "pod1");
    pod2_server_ = std::make_unique<NameServer>(topology_->pod2, "pod2");
  }
  static void TearDownTestSuite() {
    pod1_server_.reset();
    pod2_server_.reset();
    topology_.reset();
  }
  void SetUp() override {
    if (!skip_reason_.empty()) GTEST_SKIP() << skip_reason_;
    table_ = std::make_unique<NftTable>(std::make_unique<NftCommand>(
        std::vector<std::string>{"ip", "netns", "exec", topology_->node.name(), "nft"}));
  }
  void TearDown() override {
    if (table_) table_->remove();
  }

  // Applies the rules for these objects as node-a sees them.
  bool apply(Json services, Json slices) {
    ProxyModelInput input;
    input.node_name = "node-a";
    input.services = std::move(services);
    input.endpoint_slices = std::move(slices);
    ProxyModelBuild build = build_proxy_model(input);
    EXPECT_TRUE(build.problems.empty()) << build.problems.front();
    return table_->sync(build.model);
  }

  const NetworkNamespace& node() { return topology_->node; }
  const NetworkNamespace& pod1() { return topology_->pod1; }
  const NetworkNamespace& pod2() { return topology_->pod2; }
  const NetworkNamespace& ext() { return topology_->ext; }

  static inline std::string skip_reason_;
  static inline std::unique_ptr<Topology> topology_;
  static inline std::unique_ptr<NameServer> pod1_server_;
  static inline std::unique_ptr<NameServer> pod2_server_;
  std::unique_ptr<NftTable> table_;
};

Json web_service(Json extra = Json::object()) {
  Json spec = {
      {"type", "NodePort"},
      {"clusterIP", "10.43.0.10"},
      {"ports", {{{"name", "http"}, {"port", 80}, {"targetPort", "http"}, {"nodePort", 30080}}}}};
  for (auto& [key, value] : extra.items()) spec[key] = value;
  return service("web", spec);
}

Json web_slice(Json endpoints) {
  return endpoint_slice("web", {port("http", kPodTcpPort)}, std::move(endpoints));
}

TEST_F(NetworkProxyTest, ClusterIpAndNodePortReachTheEndpoint) {
  Json dns = service("dns", {{"clusterIP", "10.43.0.53"},
                             {"ports", {{{"name", "dns"}, {"port", 53}, {"protocol", "UDP"}}}}});
  Json dns_slice =
      endpoint_slice("dns", {port("dns", kPodUdpPort, "UDP")}, {endpoint("10.42.0.11", "node-a")});
  ASSERT_TRUE(
      apply({web_service(), dns}, {web_slice({endpoint("10.42.0.11", "node-a")}), dns_slice}));

  // From the node itself, from another pod (the client address is kept), and from the pod behind
  // the service (hairpin: masqueraded to the node, or the reply would bypass the NAT).
  EXPECT_EQ(who(greeting_from(node(), "10.43.0.10", 80)), "pod1");
  EXPECT_EQ(greeting_from(pod2(), "10.43.0.10", 80), "pod1 10.42.0.12");
  EXPECT_EQ(greeting_from(pod1(), "10.43.0.10", 80), "pod1 10.42.0.1");
  // The NodePort on every node address; from off the node it is masqueraded.
  EXPECT_EQ(greeting_from(ext(), "192.168.77.1", 30080), "pod1 10.42.0.1");
  EXPECT_EQ(who(greeting_from(node(), "10.42.0.1", 30080)), "pod1");
  EXPECT_EQ(who(greeting_from(pod2(), "192.168.77.1", 30080)), "pod1");
  // UDP.
  EXPECT_EQ(who(udp_greeting_from(pod2(), "10.43.0.53", 53)), "pod1");
  EXPECT_EQ(who(udp_greeting_from(node(), "10.43.0.53", 53)), "pod1");
}

TEST_F(NetworkProxyTest, AnEndpointChangeIsReflectedAndEstablishedFlowsSurvive) {
  ASSERT_TRUE(apply({web_service()}, {web_slice({endpoint("10.42.0.11", "node-a")})}));
  Connection before = connect_from(ext(), "192.168.77.1", 30080);
  ASSERT_EQ(who(before.greeting), "pod1");

  auto started = std::chrono::steady_clock::now();
  ASSERT_TRUE(apply({web_service()}, {web_slice({endpoint("10.42.0.12", "node-a")})}));
  auto took = std::chrono::steady_clock::now() - started;
  std::cout << "endpoint change to rules in place: "
            << std::chrono::duration_cast<std::chrono::microseconds>(took).count() / 1000.0
            << " ms\n";
  EXPECT_FALSE(apply({web_service()}, {web_slice({endpoint("10.42.0.12", "node-a")})}));

  EXPECT_EQ(who(greeting_from(ext(), "192.168.77.1", 30080)), "pod2");
  EXPECT_EQ(who(greeting_from(node(), "10.43.0.10", 80)), "pod2");
  // The connection made before the change still talks to pod1 (conntrack keeps its NAT).
  ASSERT_EQ(::write(before.socket.get(), "ping\n", 5), 5);
  EXPECT_EQ(read_line(before.socket.get(), std::chrono::seconds(3)), "pod1");
}

TEST_F(NetworkProxyTest, AServiceWithoutReadyEndpointsRejects) {
  ASSERT_TRUE(
      apply({web_service()}, {web_slice({endpoint("10.42.0.11", "node-a", false, false)})}));
  EXPECT_EQ(greeting_from(node(), "10.43.0.10", 80), "error: Connection refused");
  EXPECT_EQ(greeting_from(pod2(), "10.43.0.10", 80), "error: Connection refused");
  EXPECT_EQ(greeting_from(ext(), "192.168.77.1", 30080), "error: Connection refused");

  // Turning ready is enough.
  ASSERT_TRUE(apply({web_service()}, {web_slice({endpoint("10.42.0.11", "node-a")})}));
  EXPECT_EQ(who(greeting_from(ext(), "192.168.77.1", 30080)), "pod1");
}

TEST_F(NetworkProxyTest, NewConnectionsSpreadAndClientIpAffinityHolds) {
  Json both = web_slice({endpoint("10.42.0.11", "node-a"), endpoint("10.42.0.12", "node-a")});
  ASSERT_TRUE(apply({web_service()}, {both}));
  std::set<std::string> seen;
  for (int i = 0; i < 40 && seen.size() < 2; ++i)
    seen.insert(who(greeting_from(ext(), "192.168.77.1", 30080)));
  EXPECT_EQ(seen, (std::set<std::string>{"pod1", "pod2"}));  // 2^-39 odds of a false failure

  ASSERT_TRUE(apply({web_service({{"sessionAffinity", "ClientIP"}})}, {both}));
  std::string first = who(greeting_from(ext(), "192.168.77.1", 30080));
  ASSERT_TRUE(first == "pod1" || first == "pod2") << first;
  for (int i = 0; i < 15; ++i) EXPECT_EQ(who(greeting_from(ext(), "192.168.77.1", 30080)), first);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(who(greeting_from(ext(), "10.43.0.10", 80)), first);

  // Another service changing is an update that keeps this one's affinity sets.
  Json other = service("other", {{"clusterIP", "10.43.0.99"}, {"ports", {{{"port", 80}}}}});
  ASSERT_TRUE(apply({web_service({{"sessionAffinity", "ClientIP"}}), other}, {both}));
  for (int i = 0; i < 8; ++i) EXPECT_EQ(who(greeting_from(ext(), "192.168.77.1", 30080)), first);
}

TEST_F(NetworkProxyTest, LoadBalancerAddressWithLocalPolicyKeepsTheClientAddress) {
  // ServiceLB's node half: the node's own address is the ingress; Local keeps the client IP.
  Json lb = service("lb",
                    {{"type", "LoadBalancer"},
                     {"clusterIP", "10.43.0.30"},
                     {"externalTrafficPolicy", "Local"},
                     {"ports", {{{"name", "http"}, {"port", 8443}, {"nodePort", 30443}}}}},
                    {{"loadBalancer", {{"ingress", {{{"ip", "192.168.77.1"}}}}}}});
  Json remote = service("remote",
                        {{"type", "LoadBalancer"},
                         {"clusterIP", "10.43.0.31"},
                         {"externalTrafficPolicy", "Local"},
                         {"ports", {{{"name", "http"}, {"port", 9443}, {"nodePort", 30444}}}}},
                        {{"loadBalancer", {{"ingress", {{{"ip", "192.168.77.1"}}}}}}});
  Json lb_slice =
      endpoint_slice("lb", {port("http", kPodTcpPort)}, {endpoint("10.42.0.11", "node-a")});
  // Its only endpoint is on another node: external traffic to this node is dropped, the
  // ClusterIP (internalTrafficPolicy Cluster) still works.
  Json remote_slice =
      endpoint_slice("remote", {port("http", kPodTcpPort)}, {endpoint("10.42.0.12", "node-b")});
  ASSERT_TRUE(apply({lb, remote}, {lb_slice, remote_slice}));

  EXPECT_EQ(greeting_from(ext(), "192.168.77.1", 8443), "pod1 192.168.77.2");
  EXPECT_EQ(greeting_from(ext(), "192.168.77.1", 30443), "pod1 192.168.77.2");
  EXPECT_EQ(greeting_from(ext(), "192.168.77.1", 9443, std::chrono::milliseconds(500)),
            "error: timed out");
  EXPECT_EQ(who(greeting_from(pod1(), "10.43.0.31", 9443)), "pod2");
}

TEST_F(NetworkProxyTest, RemoveDeletesOnlyTheSkiffTable) {
  node().must({"nft", "add", "table", "ip", "someone-else"});
  ASSERT_TRUE(apply({web_service()}, {web_slice({endpoint("10.42.0.11", "node-a")})}));
  EXPECT_NE(node().exec({"nft", "list", "tables"}).out.find("table ip skiff"), std::string::npos);
  table_->remove();
  table_->remove();  // idempotent
  EXPECT_EQ(node().exec({"nft", "list", "tables"}).out, "table ip someone-else\n");
  // Nothing forwards any more: the node routes the service address to ext, which refuses.
  std::string after = greeting_from(pod2(), "10.43.0.10", 80, std::chrono::milliseconds(500));
  EXPECT_EQ(after.rfind("error: ", 0), 0u) << after;
  node().must({"nft", "delete", "table", "ip", "someone-else"});
}

TEST_F(NetworkProxyTest, NftAcceptsEveryKindOfRule) {
  // Everything the renderer can write, at once: affinity, both Local policies with and without
  // local endpoints, terminating fallback, externalIPs, SCTP, a service without endpoints.
  Json all = service("all",
                     {{"type", "LoadBalancer"},
                      {"clusterIP", "10.43.0.40"},
                      {"externalIPs", {"203.0.113.9"}},
                      {"sessionAffinity", "ClientIP"},
                      {"sessionAffinityConfig", {{"clientIP", {{"timeoutSeconds", 60}}}}},
                      {"externalTrafficPolicy", "Local"},
                      {"internalTrafficPolicy", "Local"},
                      {"ports",
                       {{{"name", "a"}, {"port", 80}, {"nodePort", 30090}},
                        {{"name", "b"}, {"port", 81}, {"protocol", "SCTP"}, {"nodePort", 30091}},
                        {{"name", "c"}, {"port", 82}, {"protocol", "UDP"}, {"nodePort", 30092}}}}},
                     {{"loadBalancer", {{"ingress", {{{"ip", "192.168.77.1"}}}}}}});
  Json all_slice = endpoint_slice(
      "all", {port("a", 8080), port("b", 8081, "SCTP"), port("c", 8082, "UDP")},
      {endpoint("10.42.0.11", "node-a", false, true, true), endpoint("10.42.0.12", "node-b")});
  Json none = service("none", {{"type", "NodePort"},
                               {"clusterIP", "10.43.0.41"},
                               {"internalTrafficPolicy", "Local"},
                               {"ports", {{{"port", 80}, {"nodePort", 30093}}}}});
  ASSERT_TRUE(apply({all, none, web_service()},
                    {all_slice, web_slice({endpoint("10.42.0.12", "node-b")})}));
  EXPECT_EQ(greeting_from(ext(), "192.168.77.1", 30093), "error: Connection refused");
  // Local policies pick this node's endpoint, which is terminating but still serving, and keep
  // the client address.
  EXPECT_EQ(greeting_from(ext(), "192.168.77.1", 30090), "pod1 192.168.77.2");
  EXPECT_EQ(who(greeting_from(pod2(), "10.43.0.40", 80)), "pod1");
  // web's only endpoint is on node-b; its policies are Cluster, so it is reached from here.
  EXPECT_EQ(who(greeting_from(ext(), "192.168.77.1", 30080)), "pod2");
}

}  // namespace
}  // namespace skiff::agent::network
