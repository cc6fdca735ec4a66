#include "server/controllers/node_ipam_controller.h"

#include "server/controllers/json_access.h"

namespace skiff::controllers {

namespace {
constexpr int kNodePrefix = 24;
constexpr const char* kNodeIpamController = "node-ipam-controller";
}  // namespace

std::optional<util::Ipv4Cidr> next_pod_cidr(const util::Ipv4Cidr& cluster_cidr,
                                            const std::set<uint32_t>& taken) {
  if (cluster_cidr.prefix > kNodePrefix) return std::nullopt;
  const uint64_t subnets = uint64_t{1} << (kNodePrefix - cluster_cidr.prefix);
  for (uint64_t i = 0; i < subnets; ++i) {
    const uint32_t network = cluster_cidr.network + static_cast<uint32_t>(i << (32 - kNodePrefix));
    if (!taken.count(network)) return util::Ipv4Cidr{network, kNodePrefix};
  }
  return std::nullopt;
}

NodeIpamController::NodeIpamController(Informer& nodes, Client& client, EventRecorder& events,
                                       util::Ipv4Cidr cluster_cidr)
    : nodes_(nodes),
      client_(client),
      events_(events),
      cluster_cidr_(cluster_cidr),
      loop_("node-ipam", [this](const std::string& key) { return sync(key); }) {
  nodes_.add_handler([this](const ObjectPtr&, const ObjectPtr& current) {
    if (current && json::string_at(*current, {"spec", "podCIDR"}).empty())
      loop_.enqueue(object_key(*current));
  });
}

SyncResult NodeIpamController::sync(const std::string& key) {
  ObjectPtr node = nodes_.get(key);
  if (!node || !json::string_at(*node, {"spec", "podCIDR"}).empty()) return SyncResult::done();
  std::set<uint32_t> taken;
  for (const auto& other : nodes_.list()) {
    if (auto cidr = util::parse_ipv4_cidr(json::string_at(*other, {"spec", "podCIDR"})))
      taken.insert(cidr->network);
  }
  auto cidr = next_pod_cidr(cluster_cidr_, taken);
  if (!cidr) {
    events_.record(*node, "Warning", "CIDRNotAvailable",
                   "Node " + key + " status is now: CIDRNotAvailable (no /24 left in " +
                       cluster_cidr_.str() + ")",
                   kNodeIpamController);
    return SyncResult::after(std::chrono::seconds(30));
  }
  const std::string text = cidr->str();
  Json patch = {
      {"metadata", {{"resourceVersion", json::string_at(*node, {"metadata", "resourceVersion"})}}},
      {"spec", {{"podCIDR", text}, {"podCIDRs", Json::array({text})}}}};
  merge_patch(client_, nodes_resource(), "", key, patch);
  return SyncResult::done();
}

}  // namespace skiff::controllers
