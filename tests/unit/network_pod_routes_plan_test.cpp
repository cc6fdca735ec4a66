// From the kernel's pod routes to the desired ones: iproute2's JSON (recorded from ip 6.1) is
// read, the commands are the minimal difference, and the applier runs them on a fake runner:
// nothing when nothing changed, everything re-read after a failure, removal of all of ours.
#include <gtest/gtest.h>

#include <map>
#include <memory>

#include "agent/network/pod_routes.h"
#include "agent/network/pod_routes_plan.h"

namespace skiff::agent::network {
namespace {

const char* kDeviceJson =
    R"([{"ifindex":2,"ifname":"skiff-vxlan","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],)"
    R"("mtu":1450,"address":"02:73:0a:2a:00:00","linkinfo":{"info_kind":"vxlan","info_data":)"
    R"({"id":1,"local":"192.168.5.1","port":8472,"learning":false}},"addr_info":[{"family":)"
    R"("inet","local":"10.42.0.0","prefixlen":32}]}])";
const char* kRoutesJson =
    R"([{"dst":"10.42.1.0/24","gateway":"10.42.1.0","dev":"skiff-vxlan","flags":["onlink"]},)"
    R"({"dst":"10.42.2.0/24","gateway":"192.168.5.3","dev":"eth0","flags":[]}])";
const char* kNeighJson =
    R"([{"dst":"10.42.1.0","lladdr":"02:73:0a:2a:01:00","state":["PERMANENT"]}])";
const char* kFdbJson =
    R"([{"mac":"02:73:0a:2a:01:00","dst":"192.168.5.2","flags":["self"],"state":"permanent"},)"
    R"({"mac":"33:33:00:00:00:01","flags":["self"],"state":"permanent"}])";

PodRoutesState vxlan_state(std::vector<VxlanPeer> peers) {
  PodRoutesState state;
  state.vxlan = VxlanDeviceSpec{"192.168.5.1", "10.42.0.0", "02:73:0a:2a:00:00", 1450};
  for (const auto& peer : peers)
    state.routes.push_back({peer.gateway + "/24", peer.gateway, kVxlanDevice});
  state.peers = std::move(peers);
  return state;
}

const VxlanPeer kPeerB{"b", "10.42.1.0", "02:73:0a:2a:01:00", "192.168.5.2"};
const VxlanPeer kPeerC{"c", "10.42.2.0", "02:73:0a:2a:02:00", "192.168.5.3"};

ObservedPodRoutes observed_with_peer_b() {
  ObservedPodRoutes observed;
  observed.routes = parse_ip_routes(kRoutesJson);
  observed.routes.pop_back();  // only the vxlan route
  observed.vxlan = parse_vxlan_device(kDeviceJson);
  observed.neighbours = parse_neighbours(kNeighJson);
  observed.fdb = parse_fdb(kFdbJson);
  return observed;
}

TEST(NetworkPodRoutesPlanTest, ReadsIproute2Json) {
  EXPECT_EQ(parse_ip_routes(kRoutesJson),
            (std::vector<PodRoute>{{"10.42.1.0/24", "10.42.1.0", "skiff-vxlan"},
                                   {"10.42.2.0/24", "192.168.5.3", ""}}));
  auto device = parse_vxlan_device(kDeviceJson);
  ASSERT_TRUE(device);
  EXPECT_EQ(*device,
            (ObservedVxlanDevice{
                1, 8472, "192.168.5.1", "02:73:0a:2a:00:00", 1450, true, {"10.42.0.0/32"}}));
  EXPECT_EQ(parse_neighbours(kNeighJson),
            (std::vector<ObservedNeighbour>{{"10.42.1.0", "02:73:0a:2a:01:00"}}));
  EXPECT_EQ(parse_fdb(kFdbJson),
            (std::vector<ObservedFdbEntry>{{"02:73:0a:2a:01:00", "192.168.5.2"}}));
  EXPECT_EQ(mtu_of_interface_with(kDeviceJson, "10.42.0.0"), 1450);
  EXPECT_EQ(mtu_of_interface_with(kDeviceJson, "10.9.9.9"), std::nullopt);
  for (const char* junk : {"", "not json", "{}", "[1, \"x\", null]"}) {
    EXPECT_TRUE(parse_ip_routes(junk).empty()) << junk;
    EXPECT_FALSE(parse_vxlan_device(junk)) << junk;
    EXPECT_TRUE(parse_fdb(junk).empty()) << junk;
  }
}

TEST(NetworkPodRoutesPlanTest, NothingToDoWhenTheKernelMatches) {
  EXPECT_TRUE(plan_pod_routes(vxlan_state({kPeerB}), observed_with_peer_b()).empty());
  EXPECT_TRUE(plan_pod_routes(PodRoutesState{}, ObservedPodRoutes{}).empty());
}

TEST(NetworkPodRoutesPlanTest, CreatesTheDeviceAndEverythingOnIt) {
  PodRoutesPlan plan = plan_pod_routes(vxlan_state({kPeerB}), ObservedPodRoutes{});
  EXPECT_EQ(plan.ip_commands,
            (std::vector<std::string>{
                "link add skiff-vxlan address 02:73:0a:2a:00:00 mtu 1450 type vxlan id 1 local "
                "192.168.5.1 dstport 8472 nolearning",
                "link set skiff-vxlan up", "address replace 10.42.0.0/32 dev skiff-vxlan",
                "neigh replace 10.42.1.0 lladdr 02:73:0a:2a:01:00 dev skiff-vxlan nud permanent",
                "route replace 10.42.1.0/24 via 10.42.1.0 dev skiff-vxlan onlink proto 245"}));
  EXPECT_EQ(plan.bridge_commands,
            (std::vector<std::string>{
                "fdb replace 02:73:0a:2a:01:00 dev skiff-vxlan dst 192.168.5.2 self permanent"}));
}

TEST(NetworkPodRoutesPlanTest, APeerJoiningAndOneLeavingTouchOnlyTheirEntries) {
  PodRoutesPlan plan = plan_pod_routes(vxlan_state({kPeerC}), observed_with_peer_b());
  EXPECT_EQ(plan.ip_commands,
            (std::vector<std::string>{
                "route del 10.42.1.0/24 proto 245", "neigh del 10.42.1.0 dev skiff-vxlan",
                "neigh replace 10.42.2.0 lladdr 02:73:0a:2a:02:00 dev skiff-vxlan nud permanent",
                "route replace 10.42.2.0/24 via 10.42.2.0 dev skiff-vxlan onlink proto 245"}));
  EXPECT_EQ(plan.bridge_commands,
            (std::vector<std::string>{
                "fdb del 02:73:0a:2a:01:00 dev skiff-vxlan dst 192.168.5.2 self",
                "fdb replace 02:73:0a:2a:02:00 dev skiff-vxlan dst 192.168.5.3 self permanent"}));
}

TEST(NetworkPodRoutesPlanTest, ANewLocalAddressRecreatesTheDeviceAndReaddsItsEntries) {
  PodRoutesState desired = vxlan_state({kPeerB});
  desired.vxlan->local_ip = "192.168.6.1";
  PodRoutesPlan plan = plan_pod_routes(desired, observed_with_peer_b());
  ASSERT_GE(plan.ip_commands.size(), 2u);
  EXPECT_EQ(plan.ip_commands[0], "link del skiff-vxlan");
  EXPECT_NE(plan.ip_commands[1].find("local 192.168.6.1"), std::string::npos);
  EXPECT_EQ(plan.ip_commands.back(),
            "route replace 10.42.1.0/24 via 10.42.1.0 dev skiff-vxlan onlink proto 245");
  EXPECT_EQ(plan.bridge_commands.size(), 1u);
}

TEST(NetworkPodRoutesPlanTest, AnotherMtuOnlySetsIt) {
  PodRoutesState desired = vxlan_state({kPeerB});
  desired.vxlan->mtu = 8950;
  PodRoutesPlan plan = plan_pod_routes(desired, observed_with_peer_b());
  EXPECT_EQ(plan.ip_commands, (std::vector<std::string>{"link set skiff-vxlan mtu 8950 up"}));
  EXPECT_TRUE(plan.bridge_commands.empty());
}

TEST(NetworkPodRoutesPlanTest, SwitchingToHostGwDeletesTheDevice) {
  PodRoutesState desired;
  desired.routes = {{"10.42.1.0/24", "192.168.5.2", ""}};
  PodRoutesPlan plan = plan_pod_routes(desired, observed_with_peer_b());
  EXPECT_EQ(plan.ip_commands,
            (std::vector<std::string>{"link del skiff-vxlan",
                                      "route replace 10.42.1.0/24 via 192.168.5.2 proto 245"}));
  EXPECT_TRUE(plan.bridge_commands.empty());
}

TEST(NetworkPodRoutesPlanTest, HostGwRoutesAreComparedByDestinationAndGateway) {
  ObservedPodRoutes observed;
  observed.routes = parse_ip_routes(kRoutesJson);
  observed.routes.erase(observed.routes.begin());
  PodRoutesState desired;
  desired.routes = {{"10.42.2.0/24", "192.168.5.3", ""}};
  EXPECT_TRUE(plan_pod_routes(desired, observed).empty());
  desired.routes = {{"10.42.2.0/24", "192.168.5.4", ""}};  // the node got another address
  EXPECT_EQ(plan_pod_routes(desired, observed).ip_commands,
            (std::vector<std::string>{"route replace 10.42.2.0/24 via 192.168.5.4 proto 245"}));
}

// A kernel stand-in: answers the read commands from canned JSON and records the batches.
class FakeIp : public IpRunner {
 public:
  struct State {
    std::map<std::string, ChildResult> answers;  // by the command's words joined with ' '
    std::vector<std::string> commands;
    std::vector<std::string> batches;
    int batch_exit_code = 0;
  };
  explicit FakeIp(std::shared_ptr<State> state) : state_(std::move(state)) {}
  ChildResult run(const std::vector<std::string>& argv, std::string_view input) override {
    std::string line;
    for (const auto& word : argv) line += (line.empty() ? "" : " ") + word;
    state_->commands.push_back(line);
    if (line.find("-batch") != std::string::npos) {
      state_->batches.push_back(argv[0] + ":\n" + std::string(input));
      return {state_->batch_exit_code,
              state_->batch_exit_code ? "Error: Nexthop has invalid gateway." : ""};
    }
    auto found = state_->answers.find(line);
    return found != state_->answers.end() ? found->second : ChildResult{1, "Device does not exist"};
  }

 private:
  std::shared_ptr<State> state_;
};

Json nodes_ab() {
  return Json::parse(R"([
    {"metadata":{"name":"a"},"spec":{"podCIDR":"10.42.0.0/24"},
     "status":{"addresses":[{"type":"InternalIP","address":"192.168.5.1"}]}},
    {"metadata":{"name":"b"},"spec":{"podCIDR":"10.42.1.0/24"},
     "status":{"addresses":[{"type":"InternalIP","address":"192.168.5.2"}]}}])");
}

TEST(NetworkPodRoutesApplierTest, SyncAppliesOnceAndThenRunsNothingUntilNodesChange) {
  auto ip = std::make_shared<FakeIp::State>();
  ip->answers["ip -j -4 addr show"] = {
      0, R"([{"ifname":"eth0","mtu":1500,"addr_info":[{"local":"192.168.5.1"}]}])"};
  PodRoutes routes({"a", PodNetworkBackend::kVxlan, 0}, std::make_unique<FakeIp>(ip));
  EXPECT_TRUE(routes.sync(nodes_ab()));
  ASSERT_EQ(ip->batches.size(), 2u);
  EXPECT_NE(ip->batches[0].find("mtu 1450 type vxlan"), std::string::npos);
  EXPECT_NE(ip->batches[1].find("fdb replace 02:73:0a:2a:01:00"), std::string::npos);

  ip->commands.clear();
  EXPECT_TRUE(routes.sync(nodes_ab()));
  EXPECT_TRUE(ip->commands.empty());  // the kernel is neither read nor changed
}

TEST(NetworkPodRoutesApplierTest, ARefusedChangeIsReportedAndRetriedFromAFreshRead) {
  auto ip = std::make_shared<FakeIp::State>();
  ip->batch_exit_code = 1;
  PodRoutes routes({"a", PodNetworkBackend::kHostGw, 1500}, std::make_unique<FakeIp>(ip));
  EXPECT_FALSE(routes.sync(nodes_ab()));
  ip->batch_exit_code = 0;
  ip->commands.clear();
  EXPECT_TRUE(routes.sync(nodes_ab()));
  ASSERT_FALSE(ip->commands.empty());
  EXPECT_EQ(ip->commands.front(), "ip -j -4 route show proto 245");
  EXPECT_EQ(ip->batches.back(), "ip:\nroute replace 10.42.1.0/24 via 192.168.5.2 proto 245\n");
}

TEST(NetworkPodRoutesApplierTest, RemoveDeletesOurRoutesAndTheDevice) {
  auto ip = std::make_shared<FakeIp::State>();
  ip->answers["ip -j -4 route show proto 245"] = {0, kRoutesJson};
  ip->answers["ip -j -d -4 addr show dev skiff-vxlan"] = {0, kDeviceJson};
  PodRoutes routes({"a", PodNetworkBackend::kVxlan, 1500}, std::make_unique<FakeIp>(ip));
  EXPECT_TRUE(routes.remove());
  ASSERT_EQ(ip->batches.size(), 1u);
  EXPECT_EQ(ip->batches[0],
            "ip:\nroute del 10.42.1.0/24 proto 245\nroute del 10.42.2.0/24 proto 245\n"
            "link del skiff-vxlan\n");
}

}  // namespace
}  // namespace skiff::agent::network
