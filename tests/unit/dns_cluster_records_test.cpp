// The cluster's DNS records (Kubernetes DNS specification): one table row per rule.
#include <gtest/gtest.h>

#include "agent/dns/cluster_records.h"
#include "pkg/util/ipv4.h"

namespace skiff::agent::dns {
namespace {

Json service(const std::string& ns, const std::string& name, Json spec) {
  return {{"metadata", {{"namespace", ns}, {"name", name}}}, {"spec", std::move(spec)}};
}

Json slice(const std::string& ns, const std::string& service, Json endpoints, Json ports) {
  return {{"metadata",
           {{"namespace", ns},
            {"name", service + "-abc"},
            {"labels", {{"kubernetes.io/service-name", service}}}}},
          {"addressType", "IPv4"},
          {"endpoints", std::move(endpoints)},
          {"ports", std::move(ports)}};
}

Json endpoint(const std::string& ip, bool ready = true, const std::string& hostname = "") {
  Json out = {{"addresses", {ip}}, {"conditions", {{"ready", ready}}}};
  if (!hostname.empty()) out["hostname"] = hostname;
  return out;
}

Json test_services() {
  return Json::array({
      service("default", "web",
              {{"clusterIP", "10.43.0.20"},
               {"ports",
                {{{"name", "http"}, {"port", 80}, {"protocol", "TCP"}},
                 {{"name", "dns"}, {"port", 53}, {"protocol", "UDP"}},
                 {{"port", 9000}}}}}),
      service("default", "db",
              {{"clusterIP", "None"}, {"ports", {{{"name", "pg"}, {"port", 5432}}}}}),
      service("default", "empty", {{"clusterIP", "None"}}),
      service("default", "ext", {{"type", "ExternalName"}, {"externalName", "www.example.com."}}),
      service("apps", "api", {{"clusterIP", "10.43.0.30"}}),
      service("apps", "pending", {{"clusterIP", ""}}),
      service("apps", "broken", {{"clusterIP", "not-an-ip"}, {"ports", "nonsense"}}),
      Json("not an object"),
      service("", "", Json::object()),
  });
}

Json test_slices() {
  return Json::array({
      slice("default", "db",
            {endpoint("10.42.0.5", true, "db-0"), endpoint("10.42.1.6"),
             endpoint("10.42.1.7", false)},
            {{{"name", "pg"}, {"port", 15432}, {"protocol", "TCP"}}}),
      slice("default", "web", {endpoint("10.42.0.9")}, {{{"name", "http"}, {"port", 8080}}}),
      slice("default", "empty", {endpoint("10.42.0.10", false)}, Json::array()),
      slice("default", "missing", {endpoint("10.42.0.11")}, Json::array()),
      Json::object(),
  });
}

uint32_t ip(const char* text) {
  return *util::parse_ipv4(text);
}

Record a(const std::string& name, const char* address) {
  return {name, type::A, 5, Ipv4Data{ip(address)}};
}
Record srv(const std::string& name, uint16_t weight, uint16_t port, const std::string& target) {
  return {name, type::SRV, 5, SrvData{0, weight, port, target}};
}

using Kind = ClusterAnswer::Kind;

struct Row {
  std::string name;
  uint16_t qtype;
  Kind kind;
  std::vector<Record> answers = {};
  std::vector<Record> additional = {};
};

class ClusterRecordsTable : public ::testing::TestWithParam<Row> {};

TEST_P(ClusterRecordsTable, Answers) {
  const ClusterRecords records(test_services(), test_slices(), "cluster.local", 7);
  const Row& row = GetParam();
  const ClusterAnswer answer = records.answer({row.name, row.qtype});
  EXPECT_EQ(answer.kind, row.kind);
  EXPECT_EQ(answer.answers, row.answers);
  EXPECT_EQ(answer.additional, row.additional);
  if (row.kind == Kind::NoData || row.kind == Kind::NxDomain) {
    ASSERT_EQ(answer.authority.size(), 1u);
    EXPECT_EQ(answer.authority[0].type, type::SOA);
    EXPECT_EQ(answer.authority[0].name, "cluster.local");
    EXPECT_EQ(std::get<SoaData>(answer.authority[0].data).serial, 7u);
  } else {
    EXPECT_TRUE(answer.authority.empty());
  }
}

const std::string kWeb = "web.default.svc.cluster.local";
const std::string kDb = "db.default.svc.cluster.local";

INSTANTIATE_TEST_SUITE_P(
    Rules, ClusterRecordsTable,
    ::testing::Values(
        // A service with a clusterIP; comparisons ignore case, answers echo the question.
        Row{kWeb, type::A, Kind::Answer, {a(kWeb, "10.43.0.20")}},
        Row{"WEB.Default.SVC.cluster.local",
            type::A,
            Kind::Answer,
            {a("WEB.Default.SVC.cluster.local", "10.43.0.20")}},
        Row{kWeb, type::AAAA, Kind::NoData}, Row{kWeb, type::TXT, Kind::NoData},
        Row{"api.apps.svc.cluster.local",
            type::A,
            Kind::Answer,
            {a("api.apps.svc.cluster.local", "10.43.0.30")}},
        Row{"pending.apps.svc.cluster.local", type::A, Kind::NoData},  // no IP allocated yet
        Row{"broken.apps.svc.cluster.local", type::A, Kind::NoData},
        // SRV for named ports; the unnamed one has none.
        Row{"_http._tcp." + kWeb,
            type::SRV,
            Kind::Answer,
            {srv("_http._tcp." + kWeb, 100, 80, kWeb)},
            {a(kWeb, "10.43.0.20")}},
        Row{"_dns._udp." + kWeb,
            type::SRV,
            Kind::Answer,
            {srv("_dns._udp." + kWeb, 100, 53, kWeb)},
            {a(kWeb, "10.43.0.20")}},
        Row{"_http._udp." + kWeb, type::SRV, Kind::NxDomain},
        Row{"_nope._tcp." + kWeb, type::SRV, Kind::NxDomain},
        Row{"_http._tcp." + kWeb, type::A, Kind::NoData},
        Row{"http.tcp." + kWeb, type::SRV, Kind::NxDomain},
        // SRV on the service name: every port (as CoreDNS).
        Row{kWeb,
            type::SRV,
            Kind::Answer,
            {srv(kWeb, 33, 80, kWeb), srv(kWeb, 33, 53, kWeb), srv(kWeb, 33, 9000, kWeb)},
            {a(kWeb, "10.43.0.20")}},
        // Endpoint names of a service: hostname, else the dashed IP.
        Row{"10-42-0-9." + kWeb, type::A, Kind::Answer, {a("10-42-0-9." + kWeb, "10.42.0.9")}},
        Row{"nobody." + kWeb, type::A, Kind::NxDomain},
        // Headless: the ready endpoints; not-ready ones are left out.
        Row{kDb, type::A, Kind::Answer, {a(kDb, "10.42.0.5"), a(kDb, "10.42.1.6")}},
        Row{kDb, type::AAAA, Kind::NoData},
        Row{"db-0." + kDb, type::A, Kind::Answer, {a("db-0." + kDb, "10.42.0.5")}},
        Row{"10-42-1-6." + kDb, type::A, Kind::Answer, {a("10-42-1-6." + kDb, "10.42.1.6")}},
        Row{"10-42-1-7." + kDb, type::A, Kind::NxDomain},  // not ready
        Row{"db-0." + kDb, type::AAAA, Kind::NoData},
        Row{"_pg._tcp." + kDb,
            type::SRV,
            Kind::Answer,
            {srv("_pg._tcp." + kDb, 50, 15432, "db-0." + kDb),
             srv("_pg._tcp." + kDb, 50, 15432, "10-42-1-6." + kDb)},
            {a("db-0." + kDb, "10.42.0.5"), a("10-42-1-6." + kDb, "10.42.1.6")}},
        Row{"empty.default.svc.cluster.local", type::A, Kind::NxDomain},  // no ready endpoint
        // ExternalName: a CNAME for any type, not followed.
        Row{"ext.default.svc.cluster.local",
            type::A,
            Kind::Answer,
            {{"ext.default.svc.cluster.local", type::CNAME, 5, NameData{"www.example.com"}}}},
        Row{"ext.default.svc.cluster.local",
            type::AAAA,
            Kind::Answer,
            {{"ext.default.svc.cluster.local", type::CNAME, 5, NameData{"www.example.com"}}}},
        Row{"x.ext.default.svc.cluster.local", type::A, Kind::NxDomain},
        // Pods by dashed IP.
        Row{"10-42-0-7.default.pod.cluster.local",
            type::A,
            Kind::Answer,
            {a("10-42-0-7.default.pod.cluster.local", "10.42.0.7")}},
        Row{"10-42-0-7.default.pod.cluster.local", type::AAAA, Kind::NoData},
        Row{"10-42-0-999.default.pod.cluster.local", type::A, Kind::NxDomain},
        Row{"10.42.0.7.default.pod.cluster.local", type::A, Kind::NxDomain},
        Row{"default.pod.cluster.local", type::A, Kind::NoData},
        // Names that exist without records, and names that do not exist.
        Row{"default.svc.cluster.local", type::A, Kind::NoData},
        Row{"apps.svc.cluster.local", type::A, Kind::NoData},
        Row{"nothere.svc.cluster.local", type::A, Kind::NxDomain},
        Row{"missing.default.svc.cluster.local", type::A, Kind::NxDomain},
        Row{"web.nothere.svc.cluster.local", type::A, Kind::NxDomain},
        Row{"svc.cluster.local", type::A, Kind::NoData},
        Row{"cluster.local", type::A, Kind::NoData},
        Row{"foo.cluster.local", type::A, Kind::NxDomain},
        Row{"a.b.c.d.web.default.svc.cluster.local", type::A, Kind::NxDomain},
        // The search path's misses: "web.default" tried in namespace default first.
        Row{"web.default.default.svc.cluster.local", type::A, Kind::NxDomain},
        // PTR for clusterIPs and headless endpoints; other reverse names are forwarded.
        Row{"20.0.43.10.in-addr.arpa",
            type::PTR,
            Kind::Answer,
            {{"20.0.43.10.in-addr.arpa", type::PTR, 5, NameData{kWeb}}}},
        Row{"5.0.42.10.in-addr.arpa",
            type::PTR,
            Kind::Answer,
            {{"5.0.42.10.in-addr.arpa", type::PTR, 5, NameData{"db-0." + kDb}}}},
        Row{"8.8.8.8.in-addr.arpa", type::PTR, Kind::Forward},
        // Everything outside the cluster domain is forwarded.
        Row{"example.com", type::A, Kind::Forward},
        Row{"cluster.local.example.com", type::A, Kind::Forward},
        Row{"xcluster.local", type::A, Kind::Forward}, Row{"", type::NS, Kind::Forward}));

TEST(ClusterRecords, AnswersTheZoneSoa) {
  const ClusterRecords records(Json::array(), Json::array());
  const ClusterAnswer answer = records.answer({"cluster.local", type::SOA});
  ASSERT_EQ(answer.kind, Kind::Answer);
  ASSERT_EQ(answer.answers.size(), 1u);
  EXPECT_EQ(std::get<SoaData>(answer.answers[0].data).primary, "ns.dns.cluster.local");
}

TEST(ClusterRecords, UsesTheConfiguredDomainAndAcceptsLists) {
  const Json list = {{"kind", "ServiceList"}, {"items", test_services()}};
  const ClusterRecords records(list, nullptr, "Corp.Example.", 1);
  EXPECT_EQ(records.domain(), "corp.example");
  EXPECT_EQ(records.answer({"web.default.svc.corp.example", type::A}).kind, Kind::Answer);
  EXPECT_EQ(records.answer({kWeb, type::A}).kind, Kind::Forward);
  EXPECT_EQ(records.service_count(), 7u);  // the two unreadable objects are skipped
}

TEST(ClusterRecords, PublishNotReadyAddressesAnswersUnreadyEndpoints) {
  const Json services = Json::array(
      {service("default", "peers", {{"clusterIP", "None"}, {"publishNotReadyAddresses", true}})});
  const Json slices =
      Json::array({slice("default", "peers", {endpoint("10.42.0.3", false)}, Json::array())});
  const ClusterRecords records(services, slices);
  const auto answer = records.answer({"peers.default.svc.cluster.local", type::A});
  EXPECT_EQ(answer.answers, std::vector<Record>{a("peers.default.svc.cluster.local", "10.42.0.3")});
}

TEST(ClusterRecords, OverlappingSlicesGiveEachAddressOnce) {
  const Json services = Json::array({service("default", "db", {{"clusterIP", "None"}})});
  const Json slices = Json::array({slice("default", "db", {endpoint("10.42.0.3")}, Json::array()),
                                   slice("default", "db", {endpoint("10.42.0.3")}, Json::array())});
  const ClusterRecords records(services, slices);
  EXPECT_EQ(records.answer({kDb, type::A}).answers.size(), 1u);
}

}  // namespace
}  // namespace skiff::agent::dns
