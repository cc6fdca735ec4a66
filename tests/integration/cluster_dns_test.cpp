// The embedded cluster DNS on 127.0.0.1 (any free port), asked by a real client (busybox
// nslookup, UDP) and by a DNS-over-TCP client, with a fake upstream resolver on loopback.
#include <gtest/gtest.h>

#include <sys/socket.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <fstream>
#include <span>
#include <thread>

#include "agent/dns/cluster_dns.h"
#include "agent/dns/dns_address.h"
#include "agent/dns/dns_message.h"
#include "tests/integration/support/fake_dns_upstream.h"
#include "tests/integration/support/netns.h"
#include "tests/integration/support/test_server.h"

namespace skiff::agent::dns {
namespace {
namespace asio = boost::asio;
using udp = asio::ip::udp;
using tcp = asio::ip::tcp;
using skiff::testing::FakeUpstream;
using skiff::testing::kUpstreamAnswer;

Json services() {
  Json headless_big = {{"metadata", {{"namespace", "default"}, {"name", "many"}}},
                       {"spec", {{"clusterIP", "None"}}}};
  return Json::array(
      {{{"metadata", {{"namespace", "default"}, {"name", "web"}}},
        {"spec", {{"clusterIP", "10.43.0.20"}, {"ports", {{{"name", "http"}, {"port", 80}}}}}}},
       {{"metadata", {{"namespace", "default"}, {"name", "db"}}},
        {"spec", {{"clusterIP", "None"}}}},
       {{"metadata", {{"namespace", "default"}, {"name", "ext"}}},
        {"spec", {{"type", "ExternalName"}, {"externalName", "www.example.com"}}}},
       headless_big});
}

Json slices() {
  Json many = Json::array();
  for (int i = 0; i < 100; ++i)
    many.push_back({{"addresses", {"10.42.3." + std::to_string(i + 1)}}});
  auto slice = [](const std::string& service, Json endpoints) {
    return Json{{"metadata",
                 {{"namespace", "default"}, {"labels", {{"kubernetes.io/service-name", service}}}}},
                {"addressType", "IPv4"},
                {"endpoints", std::move(endpoints)}};
  };
  return Json::array({slice("db", {{{"addresses", {"10.42.0.5"}}}, {{"addresses", {"10.42.1.6"}}}}),
                      slice("many", many)});
}

class ClusterDnsTest : public ::testing::Test {
 protected:
  ClusterDnsTest() {
    // The first upstream is a loopback address nobody listens on (refused at once), the second
    // the fake: forwarding moves on to the next resolver.
    std::ofstream(resolv_conf()) << "nameserver 127.0.0.2\nnameserver 127.0.0.1\n";
    dns = std::make_unique<ClusterDns>(options(resolv_conf()));
    dns->start();
    dns->update(services(), slices());
  }

  ClusterDnsOptions options(const std::string& resolv) {
    ClusterDnsOptions out;
    out.listen_address = "127.0.0.1";
    out.port = 0;
    out.resolv_conf = resolv;
    out.upstream_port = upstream.port();
    out.upstream_timeout = std::chrono::milliseconds(500);
    return out;
  }
  std::string resolv_conf() const { return dir.path() + "/resolv.conf"; }

  // busybox nslookup: a real resolver client, over UDP.
  std::string nslookup(const std::string& type, const std::string& name) {
    const auto result = testing::run_command(
        {"busybox", "nslookup", "-type=" + type, name, "127.0.0.1:" + std::to_string(dns->port())},
        "", 20);
    return result.out + result.err;
  }

  DecodedResponse ask_tcp(const Question& question) {
    asio::io_context io;
    tcp::socket socket(io);
    socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), dns->port()));
    const auto query = encode_query(0x1234, question);
    std::vector<uint8_t> framed = {static_cast<uint8_t>(query.size() >> 8),
                                   static_cast<uint8_t>(query.size())};
    framed.insert(framed.end(), query.begin(), query.end());
    asio::write(socket, asio::buffer(framed));
    uint8_t length[2];
    asio::read(socket, asio::buffer(length));
    std::vector<uint8_t> answer(size_t{length[0]} << 8 | length[1]);
    asio::read(socket, asio::buffer(answer));
    auto decoded = decode_response(answer);
    EXPECT_TRUE(decoded);
    EXPECT_EQ(decoded->id, 0x1234);
    return decoded.value_or(DecodedResponse{});
  }

  static DecodedResponse ask_udp(uint16_t port, const std::vector<uint8_t>& query,
                                 const std::string& address = "127.0.0.1") {
    asio::io_context io;
    udp::socket socket(io, udp::v4());
    socket.send_to(asio::buffer(query), udp::endpoint(asio::ip::make_address(address), port));
    std::vector<uint8_t> answer(65536);
    const size_t size = socket.receive(asio::buffer(answer));  // the server always answers these
    answer.resize(size);
    return decode_response(answer).value_or(DecodedResponse{});
  }

  testing::TempDir dir;
  FakeUpstream upstream;
  std::unique_ptr<ClusterDns> dns;
};

TEST_F(ClusterDnsTest, AnswersServicesOverUdp) {
  EXPECT_NE(nslookup("a", "web.default.svc.cluster.local").find("Address: 10.43.0.20"),
            std::string::npos);
  const std::string headless = nslookup("a", "db.default.svc.cluster.local");
  EXPECT_NE(headless.find("Address: 10.42.0.5"), std::string::npos) << headless;
  EXPECT_NE(headless.find("Address: 10.42.1.6"), std::string::npos) << headless;
  const std::string srv = nslookup("srv", "_http._tcp.web.default.svc.cluster.local");
  EXPECT_NE(srv.find("service = 0 100 80 web.default.svc.cluster.local"), std::string::npos) << srv;
  const std::string cname = nslookup("cname", "ext.default.svc.cluster.local");
  EXPECT_NE(cname.find("canonical name = www.example.com"), std::string::npos) << cname;
  const std::string pod = nslookup("a", "10-42-0-7.default.pod.cluster.local");
  EXPECT_NE(pod.find("Address: 10.42.0.7"), std::string::npos) << pod;
  const std::string missing = nslookup("a", "nothere.default.svc.cluster.local");
  EXPECT_NE(missing.find("NXDOMAIN"), std::string::npos) << missing;
}

TEST_F(ClusterDnsTest, ResolvesAnExternalNamesTargetUpstream) {
  const std::string out = nslookup("a", "ext.default.svc.cluster.local");
  EXPECT_NE(out.find("canonical name = www.example.com"), std::string::npos) << out;
  EXPECT_NE(out.find("Address: 192.0.2.99"), std::string::npos) << out;
  EXPECT_EQ(upstream.asked(), 1);
}

TEST_F(ClusterDnsTest, ForwardsOtherNamesToTheUpstream) {
  const std::string out = nslookup("a", "www.example.org");
  EXPECT_NE(out.find("Address: 192.0.2.99"), std::string::npos) << out;
  EXPECT_EQ(upstream.asked(), 1);
  const auto over_tcp = ask_tcp({"www.example.org", type::A});
  ASSERT_EQ(over_tcp.answers.size(), 1u);
  EXPECT_EQ(std::get<Ipv4Data>(over_tcp.answers[0].data).address, kUpstreamAnswer);
}

TEST_F(ClusterDnsTest, ATcpClientGetsTheWholeOfATruncatedUpstreamAnswer) {
  const auto over_udp = ask_udp(dns->port(), encode_query(5, {"big.example.org", type::A}));
  EXPECT_TRUE(over_udp.truncated);  // relayed as the upstream gave it: the client retries over TCP
  const auto over_tcp = ask_tcp({"big.example.org", type::A});
  EXPECT_FALSE(over_tcp.truncated);
  EXPECT_EQ(over_tcp.answers.size(), 50u);
}

TEST_F(ClusterDnsTest, AnswersOverTcpWhatDoesNotFitUdp) {
  const auto web = ask_tcp({"web.default.svc.cluster.local", type::A});
  ASSERT_EQ(web.answers.size(), 1u);
  EXPECT_TRUE(web.authoritative);
  EXPECT_EQ(ask_tcp({"nothere.default.svc.cluster.local", type::A}).rcode, Rcode::NxDomain);

  const auto udp_answer =
      ask_udp(dns->port(), encode_query(7, {"many.default.svc.cluster.local", type::A}));
  EXPECT_TRUE(udp_answer.truncated);
  EXPECT_TRUE(udp_answer.answers.empty());
  const auto tcp_answer = ask_tcp({"many.default.svc.cluster.local", type::A});
  EXPECT_FALSE(tcp_answer.truncated);
  EXPECT_EQ(tcp_answer.answers.size(), 100u);
  // With EDNS0 the client's larger buffer takes them all over UDP.
  const auto edns =
      ask_udp(dns->port(), encode_query(8, {"many.default.svc.cluster.local", type::A}, 4096));
  EXPECT_FALSE(edns.truncated);
  EXPECT_EQ(edns.answers.size(), 100u);
}

TEST_F(ClusterDnsTest, UpdatesTakeEffectAndGarbageIsSurvived) {
  asio::io_context io;
  udp::socket socket(io, udp::v4());
  const udp::endpoint server(asio::ip::make_address("127.0.0.1"), dns->port());
  for (int i = 0; i < 100; ++i) {
    std::vector<uint8_t> junk(i % 40, static_cast<uint8_t>(i * 37));
    socket.send_to(asio::buffer(junk), server);
  }
  dns->update(Json::array({{{"metadata", {{"namespace", "prod"}, {"name", "api"}}},
                            {"spec", {{"clusterIP", "10.43.0.99"}}}}}),
              Json::array());
  const std::string out = nslookup("a", "api.prod.svc.cluster.local");
  EXPECT_NE(out.find("Address: 10.43.0.99"), std::string::npos) << out;
  EXPECT_NE(nslookup("a", "web.default.svc.cluster.local").find("NXDOMAIN"), std::string::npos);
}

TEST_F(ClusterDnsTest, ServfailWhenNoUpstreamAnswers) {
  // 127.0.0.2 and .3 refuse (nobody listens); 127.0.0.5 takes the query and stays silent, so
  // only the timeout (500 ms here) ends the wait.
  asio::io_context io;
  udp::socket silent(io, udp::endpoint(asio::ip::make_address("127.0.0.5"), upstream.port()));
  std::ofstream(dir.path() + "/dead.conf")
      << "nameserver 127.0.0.2\nnameserver 127.0.0.3\nnameserver 127.0.0.5\n";
  ClusterDns lonely(options(dir.path() + "/dead.conf"));
  lonely.start();
  const auto started = std::chrono::steady_clock::now();
  const auto answer = ask_udp(lonely.port(), encode_query(9, {"www.example.org", type::A}));
  const auto waited = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(answer.id, 9);
  EXPECT_EQ(answer.rcode, Rcode::ServFail);
  EXPECT_GE(waited, std::chrono::milliseconds(450));
  EXPECT_LT(waited, std::chrono::seconds(2));
  EXPECT_EQ(upstream.asked(), 0);
}

TEST_F(ClusterDnsTest, ARestartedServerBindsTheSamePortAtOnce) {
  const uint16_t port = dns->port();
  dns->stop();
  ClusterDnsOptions again = options(resolv_conf());
  again.port = port;
  ClusterDns restarted(again);
  restarted.start();
  EXPECT_EQ(restarted.port(), port);
}

// The real address on its link, in a network namespace of the test's own: made local (twice:
// idempotent), served on port 53 as pods will ask it, and removed again.
TEST_F(ClusterDnsTest, ServesOnTheClusterDnsAddressMadeLocalOnTheNode) {
  if (const auto reason = testing::netns_unavailable_reason(); !reason.empty())
    GTEST_SKIP() << reason;
  testing::NetworkNamespace node("dns");
  node.must({"ip", "link", "set", "lo", "up"});
  node.enter([&] {
    ensure_dns_address("10.43.0.10");
    ensure_dns_address("10.43.0.10");
    ClusterDnsOptions in_node = options(resolv_conf());
    in_node.listen_address = "10.43.0.10";
    in_node.port = 53;
    ClusterDns server(in_node);
    server.start();
    server.update(services(), slices());
    const auto answer =
        ask_udp(53, encode_query(3, {"web.default.svc.cluster.local", type::A}), "10.43.0.10");
    ASSERT_EQ(answer.answers.size(), 1u);
    EXPECT_EQ(std::get<Ipv4Data>(answer.answers[0].data).address, 0x0A2B0014u);  // 10.43.0.20
    server.stop();
    remove_dns_address();
    remove_dns_address();
  });
  EXPECT_NE(node.exec({"ip", "link", "show", "dev", "skiff-dns"}).exit_code, 0);
}

}  // namespace
}  // namespace skiff::agent::dns
