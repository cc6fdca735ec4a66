// Pod traffic between nodes in a real kernel, in namespaces of the test's own (no server, no
// podman): two "node" namespaces on a "lan" namespace (support/node_lan.h), a pod-like
// namespace behind each node's bridge on its podCIDR, and PodRoutes / PodMasquerade applied
// inside each node through `ip netns exec <node> ip|bridge|nft`. A small TCP server in the
// far pod answers with the source address it sees, so the tests check both reachability and
// that no NAT happened on the way. Runs as root; skipped otherwise.
//
//   pod0 10.42.0.10 ── skiff0 10.42.0.1 node0 ─┐            ┌─ node1 10.42.1.1 skiff0 ──
//   pod1 10.42.1.10
//                                               └── lan ────┘
//   host-gw: the nodes share 192.168.90.0/24; vxlan: node0 on 192.168.91.0/24, node1 on
//   192.168.92.0/24, the lan routes between them and knows no pod subnet.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <memory>
#include <thread>

#include <gtest/gtest.h>

#include "agent/network/ip_command.h"
#include "agent/network/nft_command.h"
#include "agent/network/pod_masquerade.h"
#include "agent/network/pod_routes.h"
#include "tests/integration/support/node_lan.h"

namespace skiff::agent::network {
namespace {

using skiff::testing::LanLayout;
using skiff::testing::NetworkNamespace;
using skiff::testing::NodeLan;

constexpr int kPort = 8080;
constexpr int kIoTimeoutSeconds = 3;

class Socket {
 public:
  explicit Socket(int fd = -1) : fd_(fd) {}
  ~Socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  Socket(Socket&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Socket& operator=(Socket&&) = delete;
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

void set_timeouts(int fd) {
  timeval timeout{kIoTimeoutSeconds, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
}

// Reads each TCP connection to its end, then answers "<client address> <bytes read>" and
// closes it. The listening socket is made inside `where`; serving happens on a thread of this
// process.
class SourceEchoServer {
 public:
  SourceEchoServer(const NetworkNamespace& where, int port) {
    where.enter([&] {
      Socket listener(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
      int on = 1;
      ::setsockopt(listener.get(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
      sockaddr_in address = address_of("0.0.0.0", port);
      if (::bind(listener.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
          ::listen(listener.get(), 16) != 0)
        throw std::runtime_error("listen failed in " + where.name());
      listener_ = std::make_unique<Socket>(std::move(listener));
    });
    thread_ = std::thread([this] { serve(); });
  }
  ~SourceEchoServer() {
    stopping_ = true;
    thread_.join();
  }

 private:
  void serve() {
    while (!stopping_) {
      pollfd watch{listener_->get(), POLLIN, 0};
      if (::poll(&watch, 1, 100) != 1) continue;  // wakes up to notice `stopping_`
      sockaddr_in peer{};
      socklen_t length = sizeof peer;
      Socket client(
          ::accept4(listener_->get(), reinterpret_cast<sockaddr*>(&peer), &length, SOCK_CLOEXEC));
      if (client.get() < 0) continue;
      set_timeouts(client.get());
      size_t received = 0;
      char buffer[16384];
      for (ssize_t n; (n = ::read(client.get(), buffer, sizeof buffer)) > 0;)
        received += static_cast<size_t>(n);
      char text[INET_ADDRSTRLEN] = {};
      inet_ntop(AF_INET, &peer.sin_addr, text, sizeof text);
      std::string line = std::string(text) + " " + std::to_string(received) + "\n";
      (void)!::write(client.get(), line.data(), line.size());
    }
  }

  std::unique_ptr<Socket> listener_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

// From inside `from`: connects to ip:port, sends `payload` bytes and returns the server's
// answer ("<source it saw> <bytes it got>"), or "error: ..." when that fails.
std::string exchange(const NetworkNamespace& from, const std::string& ip, int port,
                     size_t payload) {
  std::string answer;
  from.enter([&] {
    Socket socket(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    set_timeouts(socket.get());  // connect() honours the send timeout
    sockaddr_in address = address_of(ip, port);
    if (::connect(socket.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      answer = std::string("error: connect: ") + std::strerror(errno);
      return;
    }
    const std::string chunk(65536, 'x');
    for (size_t sent = 0; sent < payload;) {
      ssize_t n = ::write(socket.get(), chunk.data(), std::min(chunk.size(), payload - sent));
      if (n <= 0) {
        answer = std::string("error: send: ") + std::strerror(errno);
        return;
      }
      sent += static_cast<size_t>(n);
    }
    ::shutdown(socket.get(), SHUT_WR);
    char buffer[128];
    for (ssize_t n; answer.find('\n') == std::string::npos;) {
      n = ::read(socket.get(), buffer, sizeof buffer);
      if (n <= 0) {
        answer = n < 0 ? std::string("error: read: ") + std::strerror(errno) : "error: closed";
        return;
      }
      answer.append(buffer, static_cast<size_t>(n));
    }
    answer.resize(answer.find('\n'));
  });
  return answer;
}

// The source address the server at ip:port sees for a connection from `from`.
std::string source_seen_by(const NetworkNamespace& from, const std::string& ip, int port) {
  std::string answer = exchange(from, ip, port, 0);
  return answer.starts_with("error:") ? answer : answer.substr(0, answer.find(' '));
}

Json node_object(const std::string& name, const std::string& pod_cidr, const std::string& ip) {
  return {{"apiVersion", "v1"},
          {"kind", "Node"},
          {"metadata", {{"name", name}}},
          {"spec", {{"podCIDR", pod_cidr}}},
          {"status", {{"addresses", Json::array({{{"type", "InternalIP"}, {"address", ip}}})}}}};
}

std::string output_of(const NetworkNamespace& ns, const std::vector<std::string>& argv) {
  auto result = ns.exec(argv);
  return result.exit_code == 0 ? result.out : "exit " + std::to_string(result.exit_code);
}

// Two nodes with a pod each and the pod routes of `backend` in both.
class PodNetworkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string reason = skiff::testing::netns_unavailable_reason(); !reason.empty())
      GTEST_SKIP() << reason;
  }

  void build(LanLayout layout, PodNetworkBackend backend) {
    lan_ = std::make_unique<NodeLan>(layout, 2);
    for (int i = 0; i < 2; ++i) {
      const std::string net = "10.42." + std::to_string(i) + ".";
      pods_.push_back(skiff::testing::attach_pod(lan_->node(i), "pod" + std::to_string(i), "skiff0",
                                                 net + "1", net + "10"));
      nodes_.push_back(node_object("node" + std::to_string(i), net + "0/24", lan_->node_ip(i)));
    }
    for (int i = 0; i < 2; ++i) {
      routes_.push_back(
          std::make_unique<PodRoutes>(PodRoutesOptions{"node" + std::to_string(i), backend, 0},
                                      std::make_unique<IpCommand>(std::vector<std::string>{
                                          "ip", "netns", "exec", lan_->node(i).name()})));
    }
  }

  bool sync_all() {
    bool ok = true;
    for (auto& routes : routes_) ok = routes->sync(nodes_) && ok;
    return ok;
  }

  std::unique_ptr<NodeLan> lan_;
  std::vector<std::unique_ptr<NetworkNamespace>> pods_;
  Json nodes_ = Json::array();
  std::vector<std::unique_ptr<PodRoutes>> routes_;
};

TEST_F(PodNetworkTest, HostGwCarriesPodTrafficBetweenNodesWithThePodsOwnAddress) {
  build(LanLayout::kSharedLink, PodNetworkBackend::kHostGw);
  SourceEchoServer server(*pods_[1], kPort);
  EXPECT_EQ(source_seen_by(*pods_[0], "10.42.1.10", kPort).substr(0, 6), "error:");

  ASSERT_TRUE(sync_all());
  EXPECT_EQ(source_seen_by(*pods_[0], "10.42.1.10", kPort), "10.42.0.10");
  EXPECT_EQ(output_of(lan_->node(0), {"ip", "route", "show", "proto", "245"}),
            "10.42.1.0/24 via 192.168.90.2 dev eth0 \n");

  // A second sync changes nothing; node1 leaving removes node0's route to it.
  ASSERT_TRUE(sync_all());
  nodes_.erase(1);
  ASSERT_TRUE(routes_[0]->sync(nodes_));
  EXPECT_EQ(output_of(lan_->node(0), {"ip", "route", "show", "proto", "245"}), "");
  EXPECT_EQ(source_seen_by(*pods_[0], "10.42.1.10", kPort).substr(0, 6), "error:");
}

TEST_F(PodNetworkTest, VxlanCarriesPodTrafficAcrossARoutedLan) {
  build(LanLayout::kRouted, PodNetworkBackend::kVxlan);
  SourceEchoServer server(*pods_[1], kPort);
  SourceEchoServer reverse(*pods_[0], kPort);
  EXPECT_EQ(source_seen_by(*pods_[0], "10.42.1.10", kPort).substr(0, 6), "error:");

  ASSERT_TRUE(sync_all());
  EXPECT_EQ(source_seen_by(*pods_[0], "10.42.1.10", kPort), "10.42.0.10");
  EXPECT_EQ(source_seen_by(*pods_[1], "10.42.0.10", kPort), "10.42.1.10");
  // Pods keep MTU 1500 while the tunnel has 1450: path MTU discovery must make bulk data fit.
  EXPECT_EQ(exchange(*pods_[0], "10.42.1.10", kPort, 4 << 20), "10.42.0.10 4194304");
  std::string details = output_of(lan_->node(0), {"ip", "-d", "link", "show", "skiff-vxlan"});
  EXPECT_NE(details.find("vxlan id 1 local 192.168.91.1"), std::string::npos) << details;
  EXPECT_NE(details.find("dstport 8472"), std::string::npos) << details;
  EXPECT_NE(details.find("mtu 1450"), std::string::npos) << details;
  EXPECT_EQ(output_of(lan_->node(0), {"bridge", "fdb", "show", "dev", "skiff-vxlan"}),
            "02:73:0a:2a:01:00 dst 192.168.92.1 self permanent\n");

  // Restarting the agent (a new applier) finds everything in place and changes nothing.
  PodRoutes restarted({"node0", PodNetworkBackend::kVxlan, 0},
                      std::make_unique<IpCommand>(
                          std::vector<std::string>{"ip", "netns", "exec", lan_->node(0).name()}));
  ASSERT_TRUE(restarted.sync(nodes_));
  EXPECT_EQ(source_seen_by(*pods_[0], "10.42.1.10", kPort), "10.42.0.10");

  // node1 leaves: its route, neighbour and fdb entry go, the device stays.
  nodes_.erase(1);
  ASSERT_TRUE(routes_[0]->sync(nodes_));
  EXPECT_EQ(output_of(lan_->node(0), {"ip", "route", "show", "proto", "245"}), "");
  EXPECT_EQ(output_of(lan_->node(0), {"ip", "neigh", "show", "dev", "skiff-vxlan"}), "");
  EXPECT_EQ(output_of(lan_->node(0), {"bridge", "fdb", "show", "dev", "skiff-vxlan"}), "");
  EXPECT_EQ(source_seen_by(*pods_[0], "10.42.1.10", kPort).substr(0, 6), "error:");

  // Uninstall: nothing of ours is left.
  ASSERT_TRUE(routes_[0]->remove());
  EXPECT_NE(lan_->node(0).exec({"ip", "link", "show", "skiff-vxlan"}).exit_code, 0);
}

TEST_F(PodNetworkTest, HostGwCannotCrossARoutedLan) {
  build(LanLayout::kRouted, PodNetworkBackend::kHostGw);
  EXPECT_FALSE(sync_all());  // the kernel refuses a gateway that is not on a link
  SourceEchoServer server(*pods_[1], kPort);
  EXPECT_EQ(source_seen_by(*pods_[0], "10.42.1.10", kPort).substr(0, 6), "error:");
}

// netavark's own rule (1.4, as it installs it for every bridge network) masquerades everything
// that leaves the pod subnet; the skiff-podnet table must keep pod-to-pod traffic unNATed and
// still masquerade traffic to the outside.
TEST_F(PodNetworkTest, MasqueradeOnlyForTrafficLeavingTheClusterCidr) {
  build(LanLayout::kSharedLink, PodNetworkBackend::kHostGw);
  ASSERT_TRUE(sync_all());
  const NetworkNamespace& node0 = lan_->node(0);
  if (node0.exec({"iptables", "-t", "nat", "-L", "-n"}).exit_code != 0)
    GTEST_SKIP() << "iptables is not usable";
  node0.must({"iptables", "-t", "nat", "-A", "POSTROUTING", "-s", "10.42.0.0/24", "!", "-d",
              "224.0.0.0/4", "-j", "MASQUERADE"});
  SourceEchoServer remote_pod(*pods_[1], kPort);
  SourceEchoServer outside(lan_->lan(), kPort);
  EXPECT_EQ(source_seen_by(*pods_[0], "10.42.1.10", kPort), "192.168.90.1");  // netavark alone

  PodMasquerade masquerade(std::make_unique<NftCommand>(
      std::vector<std::string>{"ip", "netns", "exec", node0.name(), "nft"}));
  ASSERT_TRUE(masquerade.sync(*util::parse_ipv4_cidr("10.42.0.0/24"),
                              *util::parse_ipv4_cidr("10.42.0.0/16")));
  EXPECT_EQ(source_seen_by(*pods_[0], "10.42.1.10", kPort), "10.42.0.10");
  EXPECT_EQ(source_seen_by(*pods_[0], "192.168.90.254", kPort), "192.168.90.1");

  // Without netavark's rule the table still masquerades the outside by itself.
  node0.must({"iptables", "-t", "nat", "-F", "POSTROUTING"});
  EXPECT_EQ(source_seen_by(*pods_[0], "192.168.90.254", kPort), "192.168.90.1");
  EXPECT_EQ(source_seen_by(*pods_[0], "10.42.1.10", kPort), "10.42.0.10");

  ASSERT_TRUE(masquerade.remove());
  EXPECT_NE(node0.exec({"nft", "list", "table", "ip", "skiff-podnet"}).exit_code, 0);
  // The outside has no route back to a pod address: without masquerade it cannot answer.
  EXPECT_EQ(source_seen_by(*pods_[0], "192.168.90.254", kPort).substr(0, 6), "error:");
}

}  // namespace
}  // namespace skiff::agent::network
